"""many organisations on one installation: events, programmes and candidates have an owning organisation;
partner organisations are invited into an event or a programme; an organisation can be deactivated

An existing installation moves into one organising organisation that owns everything: the organisation of
its first organiser, or, where no organiser has one, a new one named "Mijn organisatie" (renamed with
`meetmatch organisations rename`). Every organiser and door account joins it, and coaches without an
organisation. A downgrade keeps every row; only where two organisations gave programmes the same name does
it stop (the older schema wants programme names unique). Partner organisations whose coaches worked with the installation's
candidates are invited into every existing event and programme, so that nobody loses what they reached.
Nothing is deleted.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import events.platform.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ("event", "programme", "candidate")
DEFAULT_NAME = "Mijn organisatie"


def _owner(bind: sa.Connection) -> int | None:
    """The organisation that takes over everything, made if needed; None on an empty installation."""
    anything = any(bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in OWNED)  # noqa: S608
    organisers = bind.execute(
        sa.text(
            "SELECT organisation_id FROM user_account WHERE role = 'organiser' AND organisation_id IS NOT NULL "
            "ORDER BY id LIMIT 1"
        )
    ).first()
    if organisers is not None:
        owner = int(organisers[0])
    elif anything or bind.execute(sa.text("SELECT 1 FROM user_account WHERE role <> 'employer' LIMIT 1")).first():
        name = DEFAULT_NAME
        number = 1
        while bind.execute(sa.text("SELECT 1 FROM organisation WHERE name = :n"), {"n": name}).first():
            number += 1
            name = f"{DEFAULT_NAME} {number}"
        bind.execute(
            sa.text(
                "INSERT INTO organisation (name, kind, is_active, created_at, updated_at) "
                "VALUES (:n, 'organiser', :yes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"n": name, "yes": True},
        )
        owner = int(bind.execute(sa.text("SELECT id FROM organisation WHERE name = :n"), {"n": name}).scalar_one())
    else:
        return None
    bind.execute(sa.text("UPDATE organisation SET kind = 'organiser' WHERE id = :o"), {"o": owner})
    return owner


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("(event_id IS NULL) <> (programme_id IS NULL)", name=op.f("ck_partnership_event_or_programme")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_partnership_event_id_event"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user_account.id"], name=op.f("fk_partnership_invited_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_partnership_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_partnership_programme_id_programme"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
        sa.UniqueConstraint("organisation_id", "event_id", name=op.f("uq_partnership_organisation_id_event_id")),
        sa.UniqueConstraint("organisation_id", "programme_id", name=op.f("uq_partnership_organisation_id_programme_id")),
    )
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnership_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnership_programme_id"), ["programme_id"], unique=False)

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))

    bind = op.get_bind()
    owner = _owner(bind)
    if owner is not None:
        for table in OWNED:
            bind.execute(sa.text(f"UPDATE {table} SET organisation_id = :o"), {"o": owner})  # noqa: S608
        # Organisers and door staff work for the organisation that owns everything (whatever organisation an
        # earlier `users add --organisation` gave them: they would reach nothing elsewhere); coaches without one
        # join it too.
        bind.execute(sa.text("UPDATE user_account SET organisation_id = :o WHERE role IN ('organiser', 'door')"), {"o": owner})
        bind.execute(
            sa.text("UPDATE user_account SET organisation_id = :o WHERE organisation_id IS NULL AND role = 'coach'"),
            {"o": owner},
        )
        # Coaches of other organisations (a reclassering office) keep reaching every existing event and programme.
        partners = [
            int(row[0])
            for row in bind.execute(
                sa.text(
                    "SELECT DISTINCT organisation_id FROM user_account "
                    "WHERE role = 'coach' AND organisation_id IS NOT NULL AND organisation_id <> :o"
                ),
                {"o": owner},
            )
        ]
        for partner in partners:
            bind.execute(
                sa.text(
                    "UPDATE organisation SET kind = 'partner' WHERE id = :p AND kind <> 'organiser' "
                    "AND id NOT IN (SELECT organisation_id FROM employer_participation)"
                ),
                {"p": partner},
            )
            for column, table in (("event_id", "event"), ("programme_id", "programme")):
                bind.execute(
                    sa.text(
                        f"INSERT INTO partnership (organisation_id, {column}, created_at, updated_at) "  # noqa: S608
                        f"SELECT :p, id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM {table}"
                    ),
                    {"p": partner},
                )

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_organisation_id"), ["organisation_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_organisation_id_organisation"), "organisation", ["organisation_id"], ["id"], ondelete="RESTRICT"
            )
            if table == "programme":
                # In the same pass: SQLite copies the table once per batch.
                batch_op.drop_constraint("uq_programme_name", type_="unique")
                batch_op.create_unique_constraint(batch_op.f("uq_programme_organisation_id_name"), ["organisation_id", "name"])


def downgrade() -> None:
    # What the older code cannot read: an organising organisation becomes a partner again, and an administrator
    # an organiser whose account is switched off (it would otherwise reach everything there).
    op.execute("UPDATE organisation SET kind = 'partner' WHERE kind = 'organiser'")
    op.execute(sa.text("UPDATE user_account SET role = 'organiser', is_active = :no WHERE role = 'admin'").bindparams(no=False))
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_programme_organisation_id_name"), type_="unique")
        batch_op.create_unique_constraint("uq_programme_name", ["name"])
    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_organisation_id_organisation"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_organisation_id"))
            batch_op.drop_column("organisation_id")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_programme_id"))
        batch_op.drop_index(batch_op.f("ix_partnership_event_id"))
        batch_op.drop_index(batch_op.f("ix_partnership_organisation_id"))
    op.drop_table("partnership")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("is_active")
