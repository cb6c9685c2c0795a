"""trajectories: a programme's stages, target groups and employers; enrolments with their stage history,
activities and benefits; outcomes of an enrolment, their terms over time, follow-up checks after a placement

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:52:27

Existing programmes get a slug made of their name (numbered where two would be the same) and the default stages.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import events.platform.crypto
import events.platform.db

DEFAULT_STAGES = (
    ("aangemeld", "active"),
    ("intake", "active"),
    ("voorbereiding", "active"),
    ("kennismaking", "active"),
    ("aan het werk", "active"),
    ("nazorg", "active"),
    ("afgerond", "completed"),
    ("uitgevallen", "dropped"),
)


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:70] or "programme"
    return f"programme-{slug}" if slug.isdigit() else slug


def _fill_programmes(bind: sa.Connection) -> None:
    """Every existing programme gets a slug of its name and the default stages."""
    programme = sa.table("programme", sa.column("id", sa.Integer()), sa.column("name", sa.String()), sa.column("slug", sa.String()))
    stage = sa.table(
        "programme_stage",
        sa.column("programme_id", sa.Integer()),
        sa.column("position", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
    )
    taken: set[str] = set()
    for pid, name in bind.execute(sa.select(programme.c.id, programme.c.name).order_by(programme.c.id)).tuples():
        base = _slug(str(name))
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        bind.execute(sa.update(programme).where(programme.c.id == pid).values(slug=slug))
        bind.execute(
            sa.insert(stage),
            [{"programme_id": pid, "position": i, "name": n, "kind": k} for i, (n, k) in enumerate(DEFAULT_STAGES, 1)],
        )


def upgrade() -> None:
    op.create_table('programme_employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_programme_employer_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_employer_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_employer')),
    sa.UniqueConstraint('programme_id', 'organisation_id', name=op.f('uq_programme_employer_programme_id_organisation_id'))
    )
    with op.batch_alter_table('programme_employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_employer_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_employer_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('active', 'completed', 'dropped', name='stagekind', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_stage_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_stage')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_programme_stage_programme_id_name'))
    )
    with op.batch_alter_table('programme_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_stage_programme_id'), ['programme_id'], unique=False)

    op.create_table('target_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_target_group_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_group')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_target_group_programme_id_name'))
    )
    with op.batch_alter_table('target_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_group_programme_id'), ['programme_id'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('target_group_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('referred_by_organisation_id', sa.Integer(), nullable=True),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('referrer_name', sa.String(length=200), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('intake_on', sa.Date(), nullable=True),
    sa.Column('decision', sa.Enum('accepted', 'refused', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('decision_reason', events.platform.crypto.EncryptedText('enrolment.decision_reason'), nullable=False),
    sa.Column('contact_through', events.platform.crypto.EncryptedText('enrolment.contact_through'), nullable=False),
    sa.Column('wishes', events.platform.crypto.EncryptedText('enrolment.wishes'), nullable=False),
    sa.Column('goals', events.platform.crypto.EncryptedText('enrolment.goals'), nullable=False),
    sa.Column('barriers', events.platform.crypto.EncryptedJSON('enrolment.barriers'), nullable=False),
    sa.Column('justice', events.platform.crypto.EncryptedJSON('enrolment.justice'), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('drop_reason', sa.Enum('detention', 'health', 'moved', 'no_contact', 'own_choice', 'care', 'other_work', 'other', name='dropreason', native_enum=False, length=20), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_enrolment_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consent_id'], ['consent.id'], name=op.f('fk_enrolment_consent_id_consent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_enrolment_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_enrolment_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referred_by_id'], ['user_account.id'], name=op.f('fk_enrolment_referred_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referred_by_organisation_id'], ['organisation.id'], name=op.f('fk_enrolment_referred_by_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['programme_stage.id'], name=op.f('fk_enrolment_stage_id_programme_stage'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['target_group_id'], ['target_group.id'], name=op.f('fk_enrolment_target_group_id_target_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('programme_id', 'candidate_id', name=op.f('uq_enrolment_programme_id_candidate_id'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_referred_by_id'), ['referred_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_referred_by_organisation_id'), ['referred_by_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_stage_id'), ['stage_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('coaching', 'training', 'workshop', 'work_experience', 'introduction', 'event', name='activitykind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=True),
    sa.Column('introduction_status', sa.Enum('proposed', 'held', 'cancelled', name='introductionstatus', native_enum=False, length=20), nullable=True),
    sa.Column('match', sa.Boolean(), nullable=True),
    sa.Column('employer_answer', events.platform.crypto.EncryptedText('activity.employer_answer'), nullable=False),
    sa.Column('note', events.platform.crypto.EncryptedText('activity.note'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_activity_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_activity_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_activity_event_id_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_activity_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('benefit_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('benefit', sa.Enum('participatiewet', 'ww', 'wia', 'wajong', 'zw', 'ioaw', 'anw', 'none', 'other', name='benefitkind', native_enum=False, length=20), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', events.platform.db.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_benefit_period_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_benefit_period_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_period'))
    )
    with op.batch_alter_table('benefit_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_period_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=True),
    sa.Column('at', events.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('drop_reason', sa.Enum('detention', 'health', 'moved', 'no_contact', 'own_choice', 'care', 'other_work', 'other', name='dropreason', native_enum=False, length=20), nullable=True),
    sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'], name=op.f('fk_stage_change_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_stage_change_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_stage_id'], ['programme_stage.id'], name=op.f('fk_stage_change_from_stage_id_programme_stage'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_stage_id'], ['programme_stage.id'], name=op.f('fk_stage_change_to_stage_id_programme_stage'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change'))
    )
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_change_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('outcome_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('contract_type', sa.Enum('permanent', 'fixed_term', 'temp_agency', 'on_call', 'sheltered', 'other', name='contracttype', native_enum=False, length=20), nullable=True),
    sa.Column('contract_months', sa.Integer(), nullable=True),
    sa.Column('recorded_at', events.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_outcome_term_outcome_id_outcome'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_outcome_term_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_term')),
    sa.UniqueConstraint('outcome_id', 'effective_on', name=op.f('uq_outcome_term_outcome_id_effective_on'))
    )
    with op.batch_alter_table('outcome_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_term_outcome_id'), ['outcome_id'], unique=False)

    with op.batch_alter_table('follow_up_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_id', sa.Integer(), nullable=True))
        batch_op.alter_column('candidate_participation_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_follow_up_check_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_follow_up_check_outcome_id_months'), ['outcome_id', 'months'])
        batch_op.create_foreign_key(batch_op.f('fk_follow_up_check_outcome_id_outcome'), 'outcome', ['outcome_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_follow_up_check_event_or_placement'), '(candidate_participation_id IS NULL) <> (outcome_id IS NULL)')

    # Added in place, not by copying the tables (SQLite's batch mode): other tables point at these ones.
    op.add_column('organisation', sa.Column('social_enterprise', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outcome_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outcome_enrolment_id_enrolment'), 'enrolment', ['enrolment_id'], ['id'], ondelete='SET NULL')

    op.add_column('partnership', sa.Column('role', sa.String(length=20), nullable=True))

    op.add_column('programme', sa.Column('slug', sa.String(length=80), server_default='', nullable=False))
    op.add_column('programme', sa.Column('starts_on', sa.Date(), nullable=True))
    op.add_column('programme', sa.Column('ends_on', sa.Date(), nullable=True))
    _fill_programmes(op.get_bind())
    op.create_index(op.f('ix_programme_slug'), 'programme', ['slug'], unique=True)

    op.add_column('user_account', sa.Column('reads_justice', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    # Checks after a placement have no place in the older schema (a check belonged to a sign-up): they go.
    op.execute("DELETE FROM follow_up_check WHERE outcome_id IS NOT NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('reads_justice')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_slug'))
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')
        batch_op.drop_column('slug')

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_column('role')

    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outcome_enrolment_id_enrolment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outcome_enrolment_id'))
        batch_op.drop_column('enrolment_id')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('social_enterprise')

    with op.batch_alter_table('follow_up_check', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_follow_up_check_event_or_placement'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_follow_up_check_outcome_id_outcome'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_follow_up_check_outcome_id_months'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_follow_up_check_outcome_id'))
        batch_op.alter_column('candidate_participation_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('outcome_id')

    with op.batch_alter_table('outcome_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_term_outcome_id'))

    op.drop_table('outcome_term')
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_change_enrolment_id'))

    op.drop_table('stage_change')
    with op.batch_alter_table('benefit_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_period_enrolment_id'))

    op.drop_table('benefit_period')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_activity_event_id'))
        batch_op.drop_index(batch_op.f('ix_activity_enrolment_id'))

    op.drop_table('activity')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_stage_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_referred_by_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_referred_by_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_programme_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_candidate_id'))

    op.drop_table('enrolment')
    with op.batch_alter_table('target_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_group_programme_id'))

    op.drop_table('target_group')
    with op.batch_alter_table('programme_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_stage_programme_id'))

    op.drop_table('programme_stage')
    with op.batch_alter_table('programme_employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_employer_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_employer_organisation_id'))

    op.drop_table('programme_employer')
