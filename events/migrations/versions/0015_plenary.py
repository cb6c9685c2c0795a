"""plenary gatherings: an event's kind (meet & match or plenary, the latter without rounds), its guests
(partners, officials, press), and their badges and check-ins

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:10:00

Existing events are meet & match events: they keep their rounds (one or more), which the new check constraint
holds them to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import events.platform.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROUNDS_BY_KIND = "(kind = 'plenary' AND rounds = 0) OR (kind <> 'plenary' AND rounds >= 1)"
ONE_HOLDER_OF_THREE = (
    "(CASE WHEN candidate_participation_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN employer_contact_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1"
)
ONE_HOLDER_OF_FOUR = (
    "(CASE WHEN candidate_participation_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN employer_contact_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN event_guest_id IS NULL THEN 0 ELSE 1 END) = 1"
)
LIVE_GUEST = "revoked_at IS NULL AND event_guest_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "event_guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "kind",
            sa.Enum("partner", "official", "press", "other", name="guestkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=200), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("walk_in", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("anonymised_at", events.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            events.platform.db.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            events.platform.db.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_guest_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_guest")),
    )
    with op.batch_alter_table("event_guest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_guest_event_id"), ["event_id"], unique=False)

    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_guest_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_check_in_event_guest_id"), ["event_guest_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_check_in_event_guest_id_event_guest"),
            "event_guest",
            ["event_guest_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("meet_match", "plenary", name="eventkind", native_enum=False, length=20),
                server_default="meet_match",
                nullable=False,
            )
        )
        batch_op.drop_constraint(batch_op.f("ck_event_rounds_positive"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_event_rounds_by_kind"), ROUNDS_BY_KIND)

    with op.batch_alter_table("person_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_guest_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_token_event_guest_id"), ["event_guest_id"], unique=False)
        batch_op.create_index(
            "uq_person_token_live_guest",
            ["purpose", "event_guest_id"],
            unique=True,
            sqlite_where=sa.text(LIVE_GUEST),
            postgresql_where=sa.text(LIVE_GUEST),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_person_token_event_guest_id_event_guest"),
            "event_guest",
            ["event_guest_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(batch_op.f("ck_person_token_one_holder"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_person_token_one_holder"), ONE_HOLDER_OF_FOUR)


def downgrade() -> None:
    # Guests' badges and plenary gatherings have no place in the older schema: they go.
    op.execute("DELETE FROM person_token WHERE event_guest_id IS NOT NULL")
    op.execute("DELETE FROM event WHERE kind = 'plenary'")
    with op.batch_alter_table("person_token", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_person_token_one_holder"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_person_token_event_guest_id_event_guest"), type_="foreignkey")
        batch_op.drop_index("uq_person_token_live_guest", sqlite_where=sa.text(LIVE_GUEST), postgresql_where=sa.text(LIVE_GUEST))
        batch_op.drop_index(batch_op.f("ix_person_token_event_guest_id"))
        batch_op.drop_column("event_guest_id")
        batch_op.create_check_constraint(batch_op.f("ck_person_token_one_holder"), ONE_HOLDER_OF_THREE)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_event_rounds_by_kind"), type_="check")
        batch_op.drop_column("kind")
        batch_op.create_check_constraint(batch_op.f("ck_event_rounds_positive"), "rounds >= 1")

    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_check_in_event_guest_id_event_guest"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_check_in_event_guest_id"))
        batch_op.drop_column("event_guest_id")

    with op.batch_alter_table("event_guest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_guest_event_id"))

    op.drop_table("event_guest")
