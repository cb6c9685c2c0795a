"""encrypted fields: the coach's notes, target group and barriers stored encrypted (events.platform.crypto)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 04:30:00

The columns become text (barriers was JSON); every value already stored is encrypted in the same transaction,
with the key the app runs with (the settings are handed to alembic by events.platform.migrate).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from events.platform import crypto
revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, primary key): what is encrypted, with the column's name as the cipher's context.
FIELDS = (
    ("candidate", "target_group"),
    ("candidate", "barriers"),
    ("candidate", "coach_note"),
    ("outcome", "note"),
    ("follow_up_check", "note"),
)


def _encrypt_all(decrypting: bool = False) -> None:
    crypto.configure(context.config.attributes["settings"])
    bind = op.get_bind()
    for table, column in FIELDS:
        rows = bind.execute(sa.text(f'SELECT id, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')).all()
        for row_id, value in rows:
            text = str(value)
            if decrypting:
                new = crypto.decrypt(text, f"{table}.{column}")
            elif crypto.is_encrypted(text):
                continue
            else:
                new = crypto.encrypt(text, f"{table}.{column}")
            bind.execute(sa.text(f'UPDATE "{table}" SET "{column}" = :v WHERE id = :id'), {"v": new, "id": row_id})


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.alter_column("target_group", existing_type=sa.String(length=100), type_=sa.Text(), existing_nullable=True)
        batch_op.alter_column(
            "barriers",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="barriers::text" if dialect == "postgresql" else None,
        )
    _encrypt_all()


def downgrade() -> None:
    _encrypt_all(decrypting=True)
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.alter_column(
            "barriers",
            existing_type=sa.Text(),
            type_=sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            existing_nullable=False,
            postgresql_using="barriers::jsonb" if dialect == "postgresql" else None,
        )
        batch_op.alter_column("target_group", existing_type=sa.Text(), type_=sa.String(length=100), existing_nullable=True)
