"""The core models every slice builds on: accounts and organisations, events with their employers and
candidates, consent, wishes, the audit log and the outbox (one module each: kinds, accounts, candidates, events,
records; every name is importable from here).

Meetings, check-ins and outcomes live with their own slices (schedule.models, badges.models,
events.followup.models, events.privacy.models); events.platform.db.MODEL_MODULES lists them all.
"""

from __future__ import annotations

from events.platform.models.accounts import (
    Invitation,
    Organisation,
    Partnership,
    RecoveryCode,
    User,
)
from events.platform.models.candidates import (
    Candidate,
    CandidateCoach,
    CaseNote,
    CaseShare,
    Consent,
)
from events.platform.models.events import (
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Event,
    Opening,
    Preference,
)
from events.platform.models.kinds import (
    BARRIERS,
    EVENT_TZ,
    OPENING_KINDS,
    SECTORS,
    CoachKind,
    ConsentMethod,
    EmployerStatus,
    EventStatus,
    JSONType,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    PreferenceSide,
    Role,
    partial_unique_index,
    string_enum,
)
from events.platform.models.records import (
    AppSetting,
    AuditEntry,
    OutboxMessage,
    OutboxStatus,
)

__all__ = [
    "BARRIERS",
    "EVENT_TZ",
    "OPENING_KINDS",
    "SECTORS",
    "AppSetting",
    "AuditEntry",
    "Candidate",
    "CandidateCoach",
    "CandidateParticipation",
    "CaseNote",
    "CaseShare",
    "CoachKind",
    "Consent",
    "ConsentMethod",
    "EmployerContact",
    "EmployerParticipation",
    "EmployerStatus",
    "Event",
    "EventStatus",
    "Invitation",
    "JSONType",
    "Opening",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "OutboxStatus",
    "ParticipationStatus",
    "Partnership",
    "PathwayKind",
    "Preference",
    "PreferenceSide",
    "RecoveryCode",
    "Role",
    "User",
    "partial_unique_index",
    "string_enum",
]
