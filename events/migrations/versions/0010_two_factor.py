"""two-factor login: a TOTP secret per account (encrypted), the last accepted time step, recovery codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import events.platform.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("two_factor_since", events.platform.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", events.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", events.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("user_id", "code_hash", name=op.f("uq_recovery_code_user_id_code_hash")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("two_factor_since")
        batch_op.drop_column("totp_secret")
