"""The organiser's team page: invitations by e-mail through the outbox (a link that works once and expires), the
invitee's password and two-factor setup, changes to a colleague's role, state and second factor (audited), and
refusals of every other organisation's accounts exactly like missing ones."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from events.demo.seed import DemoResult
from events.platform import twofactor
from events.platform.db import open_session
from events.platform.models import AuditEntry, Invitation, OutboxMessage, Partnership, Programme, Role, User
from events.platform.models.events import Event
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, ORGANISER, login, run

BAKBOORD_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
BAKBOORD_DOOR = "ingang.bakboord@demo.meetmatch.nl"
MARKER = "Zzmarkerteam Qwx"


def post(client: TestClient[Litestar], path: str, **data: Any) -> Any:
    return client.post(path, data={**data, "_csrf_token": client.cookies.get("csrftoken")}, follow_redirects=False)


async def _rows(settings: Settings, query: Any) -> list[Any]:
    async with open_session(settings) as session:
        return list((await session.scalars(query)).all())


def rows(settings: Settings, query: Any) -> list[Any]:
    return run(_rows(settings, query))


def account(settings: Settings, email: str) -> User:
    found = rows(settings, select(User).where(User.email == email))
    assert len(found) == 1
    return found[0]


def invitation_link(settings: Settings, email: str) -> str:
    """The link of the last invitation mailed to ``email`` (through the outbox)."""
    mails = rows(settings, select(OutboxMessage).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id))
    assert mails, f"no invitation to {email} in the outbox"
    found = re.search(r"http://127\.0\.0\.1:8000(/join/[A-Za-z0-9_-]+)", mails[-1].text_body)
    assert found, mails[-1].text_body
    return found.group(1)


def audits(settings: Settings, action: str, object_id: int) -> list[AuditEntry]:
    return rows(
        settings,
        select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_type == "user", AuditEntry.object_id == object_id
        ),
    )


def samen_werkt(settings: Settings) -> int:
    return int(rows(settings, select(Event.id).where(Event.slug == "samen-werkt"))[0])


def invite_partner_coach(client: TestClient[Litestar], settings: Settings, email: str, **changes: str) -> Any:
    data = {
        "name": "Bo Buurman",
        "email": email,
        "organisation": "Buurtteam Delft-Zuid",
        "activity": f"event:{samen_werkt(settings)}",
        **changes,
    }
    return post(client, "/team/invite-partner", **data)


def accept(client: TestClient[Litestar], link: str, password: str = "een-lang-wachtwoord") -> Any:
    client.cookies.clear()
    client.get(link)
    return post(client, link, password=password, password_again=password)


def test_team_partner_coach_invitation_mailed_accepted_once_with_two_factor(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    sent = invite_partner_coach(client, database, "bo@buurtteam.example")
    link = invitation_link(database, "bo@buurtteam.example")
    mail = rows(database, select(OutboxMessage).where(OutboxMessage.to_address == "bo@buurtteam.example"))[0]

    form = client.get(link)
    accepted = accept(client, link)
    setup = client.get("/login/setup")
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', setup.text)
    assert secret
    step = twofactor.current_step()
    done = post(client, "/login/setup", code=twofactor.code_at(secret.group(1).replace(" ", ""), step))
    event = client.get("/events/samen-werkt")
    client.cookies.clear()
    again = client.get(link)

    coach = account(database, "bo@buurtteam.example")
    partnerships = rows(database, select(Partnership).where(Partnership.event_id == samen_werkt(database)))
    assert sent.status_code == 303
    assert "Buurtteam Delft-Zuid" in mail.subject
    assert "7" in mail.text_body
    assert form.status_code == 200
    assert "bo@buurtteam.example" in form.text
    assert accepted.headers["location"] == "/login/setup"
    assert done.status_code == 200
    assert event.status_code == 200
    assert again.status_code == 404
    assert coach.role is Role.COACH
    assert coach.password_hash is not None
    assert coach.totp_secret is not None
    assert coach.organisation_id in {p.organisation_id for p in partnerships}
    assert audits(database, "invite", coach.id)


def test_team_invitation_link_expires(client: TestClient[Litestar], demo: DemoResult, database: Settings) -> None:
    login(client, ORGANISER)
    post(client, "/team/invite", name="Dirk Deur", email="dirk@werkse.example", role="door")
    link = invitation_link(database, "dirk@werkse.example")

    async def expire() -> None:
        async with open_session(database) as session:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            await session.execute(update(Invitation).values(expires_at=past))
            await session.commit()

    run(expire())
    client.cookies.clear()

    assert client.get(link).status_code == 404
    assert accept(client, link).status_code == 404
    assert account(database, "dirk@werkse.example").password_hash is None


def test_team_door_invitation_logs_in_without_two_factor(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    post(client, "/team/invite", name="Dirk Deur", email="dirk@werkse.example", role="door")

    accepted = accept(client, invitation_link(database, "dirk@werkse.example"))
    me = client.get("/api/auth/me")

    assert accepted.headers["location"] == "/"
    assert me.json()["email"] == "dirk@werkse.example"


def test_team_inviting_again_voids_the_old_link(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    post(client, "/team/invite", name="Cor Coach", email="cor@werkse.example", role="coach")
    first = invitation_link(database, "cor@werkse.example")
    again = post(client, "/team/invite", name="Cor Coach", email="cor@werkse.example", role="coach")
    second = invitation_link(database, "cor@werkse.example")
    client.cookies.clear()

    assert again.status_code == 303
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert len(rows(database, select(User).where(User.email == "cor@werkse.example"))) == 1


def test_team_invitation_form_errors_beside_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)

    bad_email = post(client, "/team/invite", name="Cor Coach", email="geen-adres", role="coach")
    taken = post(client, "/team/invite", name="Iemand", email=BAKBOORD_ORGANISER, role="coach")
    bad_role = post(client, "/team/invite", name="Cor", email="cor@werkse.example", role="admin")
    no_activity = invite_partner_coach(client, database, "bo@buurtteam.example", activity="event:999999")
    employer = invite_partner_coach(client, database, "bo@buurtteam.example", organisation="Werkse! Groen")

    assert bad_email.status_code == 422
    assert 'id="colleague-email-error"' in bad_email.text
    assert taken.status_code == 422
    assert 'id="colleague-email-error"' in taken.text
    assert "BAKboord" not in taken.text
    assert 'id="colleague-role-error"' in bad_role.text
    assert 'id="partner-activity-error"' in no_activity.text
    assert employer.status_code == 422
    assert 'id="partner-organisation-error"' in employer.text
    assert rows(database, select(User).where(User.email.in_(["cor@werkse.example", "bo@buurtteam.example"]))) == []


def test_team_role_change_deactivation_and_two_factor_reset_are_audited(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    coach = account(database, COACH)

    role = post(client, f"/team/{coach.id}/role", role="organiser")
    off = post(client, f"/team/{coach.id}/active", active="0")
    reset = post(client, f"/team/{coach.id}/two-factor-reset")
    page = client.get("/team/")

    changed = account(database, COACH)
    assert (role.status_code, off.status_code, reset.status_code) == (303, 303, 303)
    assert changed.role is Role.ORGANISER
    assert changed.is_active is False
    assert changed.totp_secret is None
    assert [a.detail for a in audits(database, "change_role", coach.id)] == [{"from": "coach", "to": "organiser"}]
    assert len(audits(database, "deactivate", coach.id)) == 1
    assert len(audits(database, "two_factor_reset", coach.id)) == 1
    assert client.post("/api/auth/login", json={"email": COACH, "password": "samenwerkt"}).status_code == 401
    assert "Anouk Jansen" in page.text
    assert "gedeactiveerd" in page.text


def test_team_organiser_cannot_deactivate_themselves_or_demote_the_last_organiser(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    me = account(database, ORGANISER)

    self_off = post(client, f"/team/{me.id}/active", active="0")
    demote = post(client, f"/team/{me.id}/role", role="coach")

    assert self_off.status_code == 422
    assert demote.status_code == 422
    assert "laatste actieve organisator" in demote.text
    assert account(database, ORGANISER).role is Role.ORGANISER
    assert account(database, ORGANISER).is_active is True


def test_team_other_organisations_accounts_answer_404_and_stay_unseen(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, BAKBOORD_ORGANISER)
    post(client, "/team/invite", name=MARKER, email="marker@bakboord.example", role="coach")
    login(client, ORGANISER)
    theirs = [account(database, e).id for e in (BAKBOORD_ORGANISER, BAKBOORD_DOOR, "marker@bakboord.example")]
    missing = max(theirs) + 1000

    answers = []
    for account_id in [*theirs, missing]:
        answers += [
            post(client, f"/team/{account_id}/role", role="door").status_code,
            post(client, f"/team/{account_id}/active", active="0").status_code,
            post(client, f"/team/{account_id}/two-factor-reset").status_code,
            post(client, f"/team/{account_id}/invite-again").status_code,
        ]
    page = client.get("/team/")
    login(client, COACH)
    coach_page = client.get("/team/")

    assert set(answers) == {404}
    assert MARKER not in page.text
    assert "Samira Bouali" not in page.text
    assert account(database, BAKBOORD_DOOR).is_active is True
    assert account(database, BAKBOORD_DOOR).role is Role.DOOR
    assert coach_page.status_code == 403
    assert MARKER not in coach_page.text


def test_team_page_lists_own_accounts_and_partner_coaches_apart(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)

    page = client.get("/team/").text
    own, partners = page.split("partner-coaches", 1)

    assert 'data-account="ingang@demo.meetmatch.nl"' in own
    assert f'data-account="{DOOR}"' in own
    assert 'data-account="reclassering@demo.meetmatch.nl"' in partners
    assert "Reclassering Haaglanden" in partners
    assert 'data-account="reclassering.denhaag@demo.meetmatch.nl"' not in page


async def _programme(settings: Settings, organisation_id: int) -> int:
    async with open_session(settings) as session:
        programme = Programme(organisation_id=organisation_id, slug="werkfit-delft", name="Werkfit Delft")
        session.add(programme)
        await session.commit()
        return programme.id


def test_team_partner_coach_with_an_account_is_invited_into_a_programme_without_a_link(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    programme = run(_programme(database, account(database, ORGANISER).organisation_id or 0))

    sent = invite_partner_coach(
        client,
        database,
        "reclassering@demo.meetmatch.nl",
        organisation="Reclassering Haaglanden",
        activity=f"programme:{programme}",
    )

    petra = account(database, "reclassering@demo.meetmatch.nl")
    assert sent.headers["location"] == "/team?msg=partner_invited"
    assert rows(database, select(OutboxMessage).where(OutboxMessage.to_address == petra.email)) == []
    assert rows(
        database,
        select(Partnership.id).where(
            Partnership.organisation_id == petra.organisation_id, Partnership.programme_id == programme
        ),
    )
    assert petra.password_hash is not None


def test_team_new_accounts_only_in_partners_that_work_with_the_organisation(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    # BAKboord's organiser and Werkse!'s partner, Reclassering Haaglanden, which works only with Werkse!.
    login(client, BAKBOORD_ORGANISER)
    bakboord_event = int(rows(database, select(Event.id).where(Event.slug == "bakboord-meet-match"))[0])
    page = client.get("/team/")
    stranger = invite_partner_coach(
        client,
        database,
        "nieuw@reclassering.example",
        organisation="Reclassering Haaglanden",
        activity=f"event:{bakboord_event}",
    )
    made_for_stranger = rows(database, select(User.id).where(User.email == "nieuw@reclassering.example"))
    known = invite_partner_coach(
        client,
        database,
        "reclassering@demo.meetmatch.nl",
        organisation="Reclassering Haaglanden",
        activity=f"event:{bakboord_event}",
    )
    colleague = invite_partner_coach(
        client,
        database,
        "nieuw@reclassering.example",
        organisation="Reclassering Haaglanden",
        activity=f"event:{bakboord_event}",
    )

    # The suggestions name only the partners BAKboord works with.
    assert "Reclassering Den Haag" in page.text
    assert "Reclassering Haaglanden" not in page.text
    assert stranger.status_code == 422
    assert "werkt hier met een andere organisatie" in stranger.text
    assert made_for_stranger == []
    # Naming a coach of it who has an account invites the organisation; then a new colleague may be invited.
    assert known.status_code in (200, 303), known.text
    assert colleague.status_code in (200, 303), colleague.text
    assert account(database, "nieuw@reclassering.example").role.value == "coach"


def test_team_a_reset_second_factor_or_a_promotion_to_organiser_ends_the_open_sessions(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    coach, door = account(database, COACH), account(database, DOOR)
    login(client, COACH)
    coach_phone = httpx.Cookies(client.cookies)
    login(client, DOOR)
    door_desk = httpx.Cookies(client.cookies)
    login(client, ORGANISER)

    reset = post(client, f"/team/{coach.id}/two-factor-reset")
    promoted = post(client, f"/team/{door.id}/role", role="organiser")
    own = post(client, f"/team/{account(database, ORGANISER).id}/two-factor-reset")
    still = client.get("/api/auth/me").status_code
    client.cookies = coach_phone
    coach_after = client.get("/api/auth/me").status_code
    client.cookies = door_desk
    door_after = client.get("/api/auth/me").status_code

    assert reset.status_code == promoted.status_code == 303
    assert own.status_code == 422
    assert still == 200
    assert coach_after == door_after == 401


def test_team_an_organiser_allows_another_to_read_justice_data_never_themselves(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    me = account(database, ORGANISER)
    coach = account(database, COACH)
    colleague = post(client, f"/team/{coach.id}/role", role="organiser")
    assert colleague.status_code == 303
    without = post(client, f"/team/{coach.id}/justice", active="1")
    assert without.status_code == 422
    assert "Alleen een organisator die justitiegegevens leest" in without.text
    run(_set_reads_justice(database, ORGANISER))  # as `meetmatch users allow-justice` does

    own = post(client, f"/team/{me.id}/justice", active="1")
    allowed = post(client, f"/team/{coach.id}/justice", active="1")
    page = client.get("/team/")

    assert own.status_code == 422
    assert "Een andere organisator beslist dit" in own.text
    assert account(database, ORGANISER).reads_justice is True  # unchanged by their own request
    assert allowed.status_code == 303
    assert account(database, COACH).reads_justice is True
    assert "leest justitiegegevens" in page.text
    assert len(audits(database, "allow_justice", coach.id)) == 1
    assert post(client, f"/team/{coach.id}/justice", active="0").status_code == 303
    assert account(database, COACH).reads_justice is False
    assert len(audits(database, "deny_justice", coach.id)) == 1
    # The permission goes with the role: back to coach and organiser again, it is gone.
    post(client, f"/team/{coach.id}/justice", active="1")
    post(client, f"/team/{coach.id}/role", role="coach")
    post(client, f"/team/{coach.id}/role", role="organiser")
    assert account(database, COACH).reads_justice is False


async def _set_reads_justice(settings: Settings, email: str) -> None:
    async with open_session(settings) as session:
        await session.execute(update(User).where(User.email == email).values(reads_justice=True))
        await session.commit()
