"""The page a badge's QR opens: that person's own schedule for the day, and nothing else.

No login: whoever holds the badge (or scans it with a phone camera) sees the holder's first name,
rounds, times, tables and employers (an employer: its tables' rounds with candidates' first names).
Unknown, malformed and revoked tokens all get one fixed page, byte for byte, with the same status,
so a guesser learns nothing about which it was.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_404_NOT_FOUND

from badges.models import HolderKind, TokenPurpose
from badges.people import live_tokens, open_token
from badges.schedules import schedules
from events.platform.web import PublicPageController, Visit

# The token is in the address: keep it out of caches, referrers and search engines.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def invalid_badge() -> Template:
    """The one answer for every token that does not open a schedule."""
    return Template("badges/invalid.html", context={}, status_code=HTTP_404_NOT_FOUND, headers=PRIVATE_HEADERS)


class BadgePages(PublicPageController):
    path = "/b"

    # `path`, not `str`: a token with a slash in it is malformed, and gets the same page as any other.
    @get("/{token:path}", name="badge_page")
    async def badge_page(self, web: NamedDependency[Visit], token: FromPath[str]) -> Template:
        # The token exactly as the address gave it: the router forgives a trailing slash and a doubled one after
        # /b/ (also in the scope's `path`), but a token is compared exactly; `token` is only the router's match.
        del token
        # (Some clients leave the query string on the raw path; an escaped "?" would be %3F.)
        raw_path = web.request.scope.get("raw_path")
        path = unquote(raw_path.split(b"?", 1)[0].decode("latin-1")) if raw_path else web.request.scope["path"]
        opened = await open_token(web.db, TokenPurpose.BADGE, path.partition("/b/")[2])
        if opened is None:
            return invalid_badge()
        event, holder = opened
        shown = await schedules(web.db, event, [holder])
        person = shown.of(holder)
        calendar = None
        if shown.version is not None and holder.kind is not HolderKind.STAFF:
            tokens = await live_tokens(web.db, web.settings, event, TokenPurpose.CALENDAR, [holder])
            calendar = f"{web.settings.base_url}/c/{tokens[holder.key][0]}.ics"
        context: dict[str, Any] = {
            "event": event,
            "holder": holder,
            "published": shown.version is not None,
            "talks": person.by_round(),
            "rounds": [(n, event.round_start(n), event.round_end(n)) for n in range(1, event.rounds + 1)],
            "is_employer": holder.kind is HolderKind.EMPLOYER,
            "is_staff": holder.kind is HolderKind.STAFF,
            "calendar": calendar,
            "subscribe": calendar and "webcal://" + calendar.split("://", 1)[1],
        }
        return Template("badges/person.html", context=context, headers=PRIVATE_HEADERS)
