"""Attacks a badge or a session has to withstand: mutated badge tokens, and forged or replayed CSRF tokens.

A badge token is compared exactly (badges.tokens): no mutation of a real one, however close it looks, may open a
badge's page or check anyone in. A CSRF token is bound to the session it was minted for
(events.platform.security): a write
with no token, a token of another session, a tampered one, or one replayed after its session ended is refused.
"""

from __future__ import annotations

import random
import time
import urllib.parse
import uuid
from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from badges.day import scans
from badges.day.scan_api import badge_code
from badges.models import CheckIn, HolderKind, TokenPurpose
from badges.people import holders, live_tokens, open_token, reissue, resolve
from badges.tokens import TOKEN_LENGTH
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import Event, User
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, ORGANISER, csrf_headers, form_login, login, run

MUTATIONS = 10_000
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Characters that look like (or normalise to) one of the alphabet's: Cyrillic and Greek capitals and small letters,
# fullwidth forms, the standard base64 alphabet's own two, digits and letters people confuse.
LOOK_ALIKES = {
    "A": "АΑＡ4",
    "B": "ВΒＢ8",
    "C": "СϹＣ",
    "E": "ЕΕＥ",
    "H": "НΗＨ",
    "I": "Іl1|Ι",
    "K": "КΚ",
    "M": "МΜ",
    "O": "ОΟ0Ｏ",
    "P": "РΡ",
    "S": "Ѕ5",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "ҮΥ",
    "Z": "Ζ2",
    "a": "аα",
    "c": "сϲ",
    "e": "е",
    "i": "іı",
    "j": "ј",
    "l": "I1|ӏ",
    "o": "оο0",
    "p": "рρ",
    "s": "ѕ",
    "x": "хχ",
    "y": "уγ",
    "0": "OoО٠０",
    "1": "lIı１",
    "2": "Z２",
    "5": "S５",
    "8": "B８",
    "-": "+‐‑–−",
    "_": "/＿",
}
WHITESPACE = [" ", "\t", "\n", "\r", "\u00a0", "\u200b", "\u2009", "\u3000", "\ufeff"]
COMBINING = ["\u0301", "\u0308", "\u0327"]


# Token lookups by hash and CSRF checks behave alike on both databases: these run once, on SQLite.
pytestmark = pytest.mark.single_database


def _flip(token: str, rng: random.Random) -> str:
    i = rng.randrange(len(token))
    return token[:i] + rng.choice(ALPHABET.replace(token[i], "")) + token[i + 1 :]


def _look_alike(token: str, rng: random.Random) -> str:
    places = [i for i, ch in enumerate(token) if ch in LOOK_ALIKES or ch.upper() in LOOK_ALIKES]
    if not places:
        return _flip(token, rng)
    i = rng.choice(places)
    options = LOOK_ALIKES.get(token[i]) or LOOK_ALIKES[token[i].upper()]
    return token[:i] + rng.choice(options) + token[i + 1 :]


def _case(token: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(token) if ch.isalpha()] or [0]
    match rng.randrange(3):
        case 0:
            i = rng.choice(letters)
            return token[:i] + token[i].swapcase() + token[i + 1 :]
        case 1:
            return token.upper() if token != token.upper() else token.lower()
        case _:
            return token.swapcase()


def _insert(token: str, rng: random.Random) -> str:
    i = rng.randrange(len(token) + 1)
    return token[:i] + rng.choice(ALPHABET + "=+/.~%") + token[i:]


def _delete(token: str, rng: random.Random) -> str:
    i = rng.randrange(len(token))
    return token[:i] + token[i + 1 :]


def _truncate(token: str, rng: random.Random) -> str:
    keep = rng.randrange(len(token))
    return token[:keep] if rng.random() < 0.5 else token[len(token) - keep :]


def _pad(token: str, rng: random.Random) -> str:
    padding = rng.choice(["=", "==", "A", "AA", "0", ".", "/", "?", "#", "%00", "\x00", token])
    return token + padding if rng.random() < 0.7 else padding + token


def _url_encode(token: str, rng: random.Random) -> str:
    # Percent-escapes as text (a scanner that hands over an escaped code), of one character or of all.
    if rng.random() < 0.5:
        i = rng.randrange(len(token))
        return token[:i] + f"%{ord(token[i]):02X}" + token[i + 1 :]
    return "".join(f"%{ord(ch):02x}" for ch in token)


def _whitespace(token: str, rng: random.Random) -> str:
    space = rng.choice(WHITESPACE)
    match rng.randrange(4):
        case 0:
            return space + token
        case 1:
            return token + space
        case 2:
            i = rng.randrange(1, len(token))
            return token[:i] + space + token[i:]
        case _:
            return f"{space}{token}{space}"


def _transpose(token: str, rng: random.Random) -> str:
    i = rng.randrange(len(token) - 1)
    return token[:i] + token[i + 1] + token[i] + token[i + 2 :]


def _combining(token: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(token) + 1)
    return token[:i] + rng.choice(COMBINING) + token[i:]


def _base64_variant(token: str, rng: random.Random) -> str:
    # The standard alphabet and padding: the same 20 bytes, written another way.
    return token.replace("-", "+").replace("_", "/") + rng.choice(["", "="])


MUTATORS: list[Callable[[str, random.Random], str]] = [
    _flip,
    _look_alike,
    _case,
    _insert,
    _delete,
    _truncate,
    _pad,
    _url_encode,
    _whitespace,
    _transpose,
    _combining,
    _base64_variant,
]


def mutations(tokens: list[str], count: int, seed: int = 9) -> list[str]:
    """`count` distinct near-misses of the given tokens: one to three mutations each, none a real token."""
    rng = random.Random(seed)
    real = set(tokens)
    found: dict[str, None] = {}
    while len(found) < count:
        mutated = rng.choice(tokens)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            # A mutation of a mutation may be left too short to mutate again: it grows by a character instead.
            mutated = rng.choice(MUTATORS)(mutated, rng) if len(mutated) >= 2 else mutated + rng.choice(ALPHABET)
        if mutated and mutated not in real and badge_code(mutated) not in real:
            found[mutated] = None
    return list(found)


async def _badge_tokens(settings: Settings) -> tuple[list[str], list[str]]:
    """The demo's live badge tokens, and the old token of one badge re-issued (revoked)."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        candidate = next(h for h in people if h.kind is HolderKind.CANDIDATE)
        revoked = tokens[candidate.key][0]
        await reissue(session, settings, event, TokenPurpose.BADGE, candidate)
        live = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return [token for token, _ in live.values()], [revoked]


def test_mutations_are_distinct_near_misses_of_every_kind() -> None:
    token = "AbCdEfGhIjKlMnOpQrStUv0_-xZ"
    assert len(token) == TOKEN_LENGTH

    found = mutations([token], 2_000)

    assert len(set(found)) == 2_000
    assert token not in found
    # Every kind of mutation is among them: same length, other lengths, non-ASCII, whitespace, escapes.
    assert any(len(m) == TOKEN_LENGTH and m.isascii() for m in found)
    assert any(len(m) < TOKEN_LENGTH for m in found)
    assert any(len(m) > TOKEN_LENGTH for m in found)
    assert any(not m.isascii() for m in found)
    assert any(m != m.strip() for m in found)
    assert any("%" in m for m in found)
    assert token.swapcase() in found or token.upper() in found or token.lower() in found


@pytest.mark.slow
def test_ten_thousand_mutated_badge_tokens_are_all_unknown_to_the_lookup_and_the_scan_service(
    demo: DemoResult, database: Settings
) -> None:
    live, revoked = run(_badge_tokens(database))
    tries = mutations(live + revoked, MUTATIONS)

    async def try_all() -> tuple[dict[str, int], dict[str, int], int, int]:
        states: dict[str, int] = {}
        codes: dict[str, int] = {}
        opened = 0
        async with open_session(database) as session:
            door = to_current_user(await session.scalar(select(User).where(User.email == DOOR)))
            for i, text in enumerate(tries):
                # The scan's lookup (the code from what the scanner read, then its hash), and the badge page's
                # own, on the text exactly as it would arrive in the path.
                state = (await resolve(session, TokenPurpose.BADGE, badge_code(text))).state
                states[state] = states.get(state, 0) + 1
                if await open_token(session, TokenPurpose.BADGE, text) is not None:
                    opened += 1
                # Every tenth through the whole scan service as well (its nonce bookkeeping, a few ms a scan,
                # does not depend on the token); the throttle in front of it is per device and not tested here.
                if i % 10 == 0:
                    request = scans.ScanRequest(
                        token=badge_code(text), nonce=f"m{i}", kind=scans.ScanKind.CHECKIN, device=f"attack-{i}"
                    )
                    code = (await scans.scan(session, door, request)).answer["code"]
                    codes[code] = codes.get(code, 0) + 1
            checked_in = int(await session.scalar(select(func.count()).select_from(CheckIn)) or 0)
            await session.rollback()
            return states, codes, opened, checked_in

    started = time.perf_counter()
    states, codes, opened, checked_in = run(try_all())
    elapsed = time.perf_counter() - started

    assert states == {"unknown": MUTATIONS}
    assert codes == {"unknown": MUTATIONS // 10}
    assert opened == 0
    assert checked_in == 0
    assert elapsed < 60, f"{MUTATIONS} lookups took {elapsed:.1f} s"


@pytest.mark.slow
def test_mutated_badge_tokens_get_the_one_invalid_page_and_the_api_refuses_them(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    live, revoked = run(_badge_tokens(database))
    tries = mutations(live + revoked, 600, seed=10)
    invalid = client.get("/b/" + "A" * TOKEN_LENGTH)
    assert invalid.status_code == 404

    pages: dict[int, int] = {}
    different = []
    for text in tries:
        # Quoted, so that the address is the mutated text itself, byte for byte (the page reads the raw path).
        response = client.get("/b/" + urllib.parse.quote(text, safe=""))
        pages[response.status_code] = pages.get(response.status_code, 0) + 1
        if response.content != invalid.content:
            different.append(text)

    login(client, DOOR)
    answers: dict[tuple[int, str], int] = {}
    for i, text in enumerate(tries[:120]):
        # A device of its own for each scan: the throttle would (rightly) stop one device guessing this much.
        body = {"token": text, "nonce": uuid.uuid4().hex, "kind": "checkin", "device": f"attack-{i}"}
        response = client.post("/api/scans", json=body, headers=csrf_headers(client))
        key = (response.status_code, response.json().get("code", "") if response.status_code == 200 else "")
        answers[key] = answers.get(key, 0) + 1
    for i, token in enumerate(live[:3]):
        body = {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin", "device": f"honest-{i}"}
        assert client.post("/api/scans", json=body, headers=csrf_headers(client)).json()["code"] == "checked_in"
    assert client.get(f"/b/{live[0]}").status_code == 200

    assert pages == {404: len(tries)}
    assert different == []
    # The schema caps the token's length: a mutation longer than that is a 422, anything else "unknown".
    assert set(answers) <= {(200, "unknown"), (422, "")}
    assert answers.get((200, "unknown"), 0) > 100


# -- CSRF ------------------------------------------------------------------------------------------------------

API_WRITE = ("/api/events", "json")
FORM_WRITE = ("/language", "form")


def _write(client: TestClient[Litestar], channel: str, token: str | None) -> int:
    """An organiser's write over the API (create an event) or an HTML form (switch language), with `token` sent
    as the header or the form field (None: nothing sent)."""
    if channel == "api":
        headers = {"x-csrftoken": token} if token is not None else {}
        body = {"name": f"CSRF {uuid.uuid4().hex[:8]}", "date": "2027-03-01"}
        return client.post("/api/events", json=body, headers=headers).status_code
    data = {"language": "en", "next": "/"}
    if token is not None:
        data["_csrf_token"] = token
    return client.post("/language", data=data, follow_redirects=False).status_code


def _write_alone_and_doubled(client: TestClient[Litestar], channel: str, token: str, own: str) -> tuple[int, int]:
    """`_write` with ``token`` as the header or field alone, then as the cookie as well (a double submit that
    matches); the cookie is ``own`` again afterwards."""
    alone = _write(client, channel, token)
    client.cookies.set("csrftoken", token)
    doubled = _write(client, channel, token)
    client.cookies.set("csrftoken", own)
    return alone, doubled


def _logged_in_and_out(client: TestClient[Litestar], email: str) -> tuple[str, str]:
    """Log in as ``email`` and out again: the session cookie and the CSRF token the session had."""
    login(client, email)
    session, token = client.cookies.get("meetmatch_session") or "", client.cookies.get("csrftoken") or ""
    assert client.post("/api/auth/logout", headers=csrf_headers(client)).status_code == 200
    return session, token


def _nothing_changed(client: TestClient[Litestar], database: Settings, events_before: int) -> None:
    """No event was created, and the language was not switched."""
    assert _events(database) == events_before
    assert _locale(client) == "nl"


def _events(settings: Settings) -> int:
    async def count() -> int:
        async with open_session(settings) as session:
            return int(await session.scalar(select(func.count()).select_from(Event)) or 0)

    return run(count())


def _locale(client: TestClient[Litestar]) -> str:
    return str(client.get("/api/auth/me").json()["locale"])


def _tamper(token: str) -> list[str]:
    nonce, mac = token.split(".")
    other = "A" if mac[0] != "A" else "B"
    return [
        f"{nonce}.{other}{mac[1:]}",  # one character of the MAC
        f"{nonce[:-1]}{'A' if nonce[-1] != 'A' else 'B'}.{mac}",  # one character of the nonce
        f"{nonce}.{mac[:-1]}",  # the MAC cut short
        f"{nonce}.{mac}=",  # padding added
        f"{nonce}.{mac.swapcase()}",  # case changed
        f"{nonce}.",  # no MAC
        mac,  # no nonce
        f"{token}.{mac}",  # a third part
        f" {token}",  # whitespace
    ]


# The two ways a write is sent: the JSON API (token in a header) and an HTML form (token in a field).
CHANNELS = pytest.mark.parametrize("channel", ["api", "form"])


@CHANNELS
def test_csrf_write_without_a_token_is_403(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, channel: str
) -> None:
    login(client, ORGANISER)
    before = _events(database)

    refused = _write(client, channel, None)
    accepted = _write(client, channel, client.cookies.get("csrftoken"))

    assert refused == 403
    assert accepted == (201 if channel == "api" else 303)
    assert _events(database) == before + (1 if channel == "api" else 0)


@CHANNELS
def test_csrf_token_of_another_live_session_is_403(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, channel: str
) -> None:
    login(client, COACH)
    coach_session, coach_token = client.cookies.get("meetmatch_session"), client.cookies.get("csrftoken") or ""
    login(client, ORGANISER)  # clears the jar first: the coach's session stays alive
    own = client.cookies.get("csrftoken") or ""
    before = _events(database)

    # The other session's token as header only, and as cookie and header both (a double submit that matches).
    header_only, both = _write_alone_and_doubled(client, channel, coach_token, own)

    assert coach_session is not None
    assert (header_only, both) == (403, 403)
    _nothing_changed(client, database, before)


@CHANNELS
def test_csrf_tampered_or_forged_token_is_403(
    organiser: TestClient[Litestar], database: Settings, channel: str
) -> None:
    own = organiser.cookies.get("csrftoken") or ""
    before = _events(database)

    statuses = []
    for tampered in [*_tamper(own), "abcdefghijklmnopqrstuvwx.abcdefghijklmnopqrstuvwxyzabcdef", "", "x" * 300]:
        statuses.extend(_write_alone_and_doubled(organiser, channel, tampered, own))

    assert set(statuses) == {403}
    _nothing_changed(organiser, database, before)


@CHANNELS
def test_csrf_token_replayed_after_logout_is_refused(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, channel: str
) -> None:
    old_session, old_token = _logged_in_and_out(client, ORGANISER)
    before = _events(database)

    # With the new anonymous token's cookie, and with the old cookie replayed.
    with_new_cookie = _write(client, channel, old_token)
    client.cookies.set("csrftoken", old_token)
    with_old_cookie = _write(client, channel, old_token)
    # And with the ended session's cookie replayed as well: that session is gone, the caller is anonymous.
    client.cookies.set("meetmatch_session", old_session)
    with_old_session = _write(client, channel, old_token)

    # An HTML form says 403 (the token is not the anonymous visitor's); the API answers an anonymous caller 401
    # before any CSRF question (the design's contract), and nothing is written either way.
    refused = 403 if channel == "form" else 401
    assert (with_new_cookie, with_old_cookie, with_old_session) == (refused, refused, refused)
    assert _events(database) == before


@CHANNELS
def test_csrf_token_replayed_after_login_as_someone_else_is_403(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, channel: str
) -> None:
    _, coach_token = _logged_in_and_out(client, COACH)
    # The organiser logs in on the same browser (the HTML form, which keeps the jar's cookies).
    client.get("/login")
    anonymous_token = client.cookies.get("csrftoken") or ""
    response = form_login(client, ORGANISER)
    assert response.status_code == 303
    own = client.cookies.get("csrftoken") or ""
    before = _events(database)

    statuses = []
    for replayed in (coach_token, anonymous_token):
        statuses.extend(_write_alone_and_doubled(client, channel, replayed, own))

    assert own not in (coach_token, anonymous_token)
    assert set(statuses) == {403}
    _nothing_changed(client, database, before)
    assert _write(client, channel, own) == (201 if channel == "api" else 303)


def test_badge_page_takes_the_token_exactly_as_the_address_gives_it(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    live, _ = run(_badge_tokens(database))
    token = live[0]
    invalid = client.get("/b/" + "A" * TOKEN_LENGTH).content

    # The router forgives a trailing slash and a doubled one; the page did too, and so opened a badge for a code
    # that is not its token. A query string is not part of the path, and changes nothing.
    trailing = client.get(f"/b/{token}/")
    doubled = client.get(f"/b//{token}")
    with_query = client.get(f"/b/{token}?utm=x")

    assert (trailing.status_code, trailing.content) == (404, invalid)
    assert (doubled.status_code, doubled.content) == (404, invalid)
    assert with_query.status_code == 200
    assert client.get(f"/b/{token}").status_code == 200
