"""The JSON API of shared cases (events.registration.case_shares): who a candidate's case is shared with, sharing
it with a professional of another organisation on the candidate's consent, ending a share, and notes on the case.
The same rules as the candidate's page."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.platform.auth import requires
from events.platform.models import Role
from events.platform.web import WEB, Web
from events.registration import case_shares
from events.registration.case_shares import NoteInput, NoteView, ShareInput, ShareView


class ShareConsent(msgspec.Struct):
    id: int
    purpose: str
    given_at: dt.datetime
    method: str


class ShareRow(msgspec.Struct):
    """A share: the professional, their organisation, since when, on which consent, and when it ended (if it did)."""

    id: int
    professional_id: int
    professional: str
    professional_email: str
    organisation: str
    since: dt.datetime
    shared_by: str
    consent: ShareConsent
    ended_at: dt.datetime | None
    active: bool

    @classmethod
    def of(cls, view: ShareView) -> ShareRow:
        return cls(
            id=view.id,
            professional_id=view.professional_id,
            professional=view.professional,
            professional_email=view.professional_email,
            organisation=view.organisation,
            since=view.since,
            shared_by=view.shared_by,
            consent=ShareConsent(view.consent_id, view.consent_purpose, view.consent_given_at, view.consent_method),
            ended_at=view.ended_at,
            active=view.active,
        )


class NoteRow(msgspec.Struct):
    id: int
    author: str
    organisation: str
    text: str
    at: dt.datetime

    @classmethod
    def of(cls, view: NoteView) -> NoteRow:
        return cls(view.id, view.author, view.organisation, view.text, view.at)


class CaseShareApi(Controller):
    path = "/api/candidates/{candidate_id:int}"
    tags = ["candidates"]
    guards = [requires(Role.ORGANISER, Role.COACH)]
    dependencies = WEB

    @get("/shares", name="api:case_shares")
    async def list_shares(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> list[ShareRow]:
        """Who the case is shared with, ended shares included (those who reach the candidate)."""
        return [ShareRow.of(v) for v in await case_shares.share_list(web.db, web.user, candidate_id)]

    @post("/shares", name="api:case_share_create", status_code=HTTP_201_CREATED)
    async def share(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[ShareInput]
    ) -> ShareRow:
        """Share the case with a professional of another organisation (by e-mail), recording the candidate's
        consent for it (the candidate's coaches)."""
        share = await case_shares.share_case(web.db, web.user, candidate_id, data)
        views = await case_shares.share_list(web.db, web.user, candidate_id)
        return ShareRow.of(next(v for v in views if v.id == share.id))

    @delete("/shares/{share_id:int}", name="api:case_share_end", status_code=HTTP_200_OK)
    async def end(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], share_id: FromPath[int]
    ) -> dict[str, bool]:
        """End a share (the candidate's coaches, an organiser of the owning organisation, or the professional)."""
        await case_shares.end_share(web.db, web.user, candidate_id, share_id)
        return {"ended": True}

    @get("/notes", name="api:case_notes")
    async def notes(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> list[NoteRow]:
        """The notes on the case, newest first (those who read its confidential fields; the read is audited)."""
        return [NoteRow.of(v) for v in await case_shares.case_notes(web.db, web.user, candidate_id)]

    @post("/notes", name="api:case_note_create", status_code=HTTP_201_CREATED)
    async def add_note(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[NoteInput]
    ) -> NoteRow:
        """Add a note to the case."""
        note = await case_shares.add_note(web.db, web.user, candidate_id, data)
        return NoteRow(note.id, web.user.name, "", note.text, note.created_at)
