"""The scanner page for phones at the door and at the tables, and its service worker (which keeps the page,
its script and the QR decoder available offline, so a reload without a connection still scans)."""

from __future__ import annotations

import functools
import hashlib
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day.door import may_check_in
from events.platform import dates
from events.platform.auth import CurrentUser, requires
from events.platform.i18n import gettext as _t
from events.platform.models import EventStatus, Role
from events.platform.services import EventService
from templates import static_path

scanners = requires(Role.DOOR, Role.ORGANISER, Role.EMPLOYER)
ZXING = "/static/vendor/zxing-wasm-3.1.4/"
# What the service worker keeps for offline use; its cache is named after a hash of these files, so a new
# version of any of them replaces the old cache.
OFFLINE_FILES = (
    "/static/css/app.css",
    "/static/scanner/scanner.css",
    "/static/scanner/scanner.js",
    ZXING + "zxing-reader.js",
    ZXING + "zxing_reader.wasm",
)


def _texts() -> dict[str, str]:
    """The scanner script's own texts, in the page's language."""
    return {
        "checked_in_offline": _t("Checked in (offline): %(name)s. It is sent when the connection is back."),
        "already_offline": _t("%(name)s is already checked in (offline list), since %(time)s."),
        "revoked": _t("This badge was replaced by a new one and no longer works. Send the person to the desk."),
        "unknown": _t("Unknown badge. Check the code or send the person to the desk."),
        "queued_meeting": _t("Talk saved on this phone; it is sent when the connection is back."),
        "queued": _t("%(count)s scans wait for the connection"),
        "synced": _t("All scans are sent."),
        "offline": _t("Offline: badges are checked against the list on this phone."),
        "online": _t("Online"),
        "camera_denied": _t("The camera is not available. Type the badge number below."),
        "camera_starting": _t("Starting the camera…"),
        "point": _t("Hold the badge's QR code in front of the camera."),
        "throttled": _t("Too many unknown badges: wait a moment."),
        "error": _t("Something went wrong. Try again or type the code."),
        "saved": _t("Saved."),
        "instruction": _t("Note from the organiser: see the desk list."),
    }


class ScannerPages(Controller):
    path = "/scan"
    guards = [scanners]
    include_in_schema = False

    @get("/", name="scanner")
    async def page(
        self,
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
        # `?event=` names the event; the parameter has another name, as `event` is the routes' event dependency.
        choice: Annotated[str | None, QueryParameter(name="event")] = None,
        kind: FromQuery[str | None] = None,
    ) -> Template:
        events = [
            e
            for e in await EventService(db_session, current_user).list()
            if e.status is not EventStatus.CLOSED and e.archived_at is None
        ]
        if current_user.role is not Role.EMPLOYER:
            events = [e for e in events if may_check_in(current_user, e)]
        chosen = next((e for e in events if choice in (e.slug, str(e.id))), events[0] if len(events) == 1 else None)
        kinds = ["meeting"] if current_user.role is Role.EMPLOYER else ["checkin"]
        if current_user.role is Role.ORGANISER:
            kinds = ["checkin", "meeting"]
        return Template(
            "badges/scanner.html",
            context={
                "events": events,
                "chosen": chosen,
                # Before or after the event's day the scanner still opens, and says why scans are refused.
                "closed_today": chosen is not None and not chosen.door_open(dates.today()),
                "kinds": kinds,
                "kind": kind if kind in kinds else kinds[0],
                "texts": _texts(),
                "zxing": ZXING,
            },
            headers={"Cache-Control": "no-cache"},
        )

    @get("/sw.js", name="scanner-worker")
    async def worker(self) -> Response[bytes]:
        script = (static_path() / "scanner" / "sw.js").read_bytes()
        version = _version()
        body = script.replace(b"__FILES__", repr(list(OFFLINE_FILES)).replace("'", '"').encode())
        body = body.replace(b"__VERSION__", version.encode())
        return Response(
            body,
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/scan/"},
        )


@functools.cache
def _version() -> str:
    digest = hashlib.sha256()
    for name in OFFLINE_FILES:
        digest.update((static_path() / name.removeprefix("/static/")).read_bytes())
    return digest.hexdigest()[:12]
