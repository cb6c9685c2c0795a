"""case shares: a candidate's case shared with a professional of another organisation on the candidate's consent,
and notes added to a case (stored encrypted, events.platform.crypto)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00

Two new tables and nothing else, so the revision can follow whichever revision comes before it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import events.platform.crypto
import events.platform.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("shared_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", events.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", events.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], name=op.f("fk_case_share_candidate_id_candidate"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["consent_id"], ["consent.id"], name=op.f("fk_case_share_consent_id_consent"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ended_by_id"], ["user_account.id"], name=op.f("fk_case_share_ended_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["professional_id"], ["user_account.id"], name=op.f("fk_case_share_professional_id_user_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shared_by_id"], ["user_account.id"], name=op.f("fk_case_share_shared_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_share")),
    )
    with op.batch_alter_table("case_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_share_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_share_professional_id"), ["professional_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_share_consent_id"), ["consent_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", events.platform.crypto.EncryptedText("case_note.text"), nullable=False),
        sa.Column("created_at", events.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_case_note_author_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], name=op.f("fk_case_note_candidate_id_candidate"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_candidate_id"), ["candidate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_candidate_id"))
    op.drop_table("case_note")
    with op.batch_alter_table("case_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_share_consent_id"))
        batch_op.drop_index(batch_op.f("ix_case_share_professional_id"))
        batch_op.drop_index(batch_op.f("ix_case_share_candidate_id"))
    op.drop_table("case_share")
