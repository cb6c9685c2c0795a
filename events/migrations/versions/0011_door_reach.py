"""the door's reach: the date an organiser opened the door early for a rehearsal, and which employer contacts
were registered at the door (the only ones, with walk-in candidates, whose badge door staff may print)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rehearsal_on", sa.Date(), nullable=True))
    with op.batch_alter_table("employer_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("walk_in", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Until now a contact registered at the door was told apart only by its check-in: the walk-in desk is the
    # one place that checks a contact in with the method "walk_in", and only a contact it has just made.
    op.execute(
        sa.text(
            "UPDATE employer_contact SET walk_in = :yes WHERE id IN "
            "(SELECT employer_contact_id FROM check_in WHERE method = 'walk_in' AND employer_contact_id IS NOT NULL)"
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("employer_contact", schema=None) as batch_op:
        batch_op.drop_column("walk_in")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("rehearsal_on")
