"""Which address the app's QR codes, calendar links and e-mails carry, and whether phones can open it.

MEETMATCH_BASE_URL decides when it is set. Without it, `meetmatch serve` uses the address it listens on (on
every interface: this machine's network address), so that what it prints opens where it serves; commands that
run without a server fall back to the default and say that attendees' phones cannot open it. Standard library
only: the CLI imports this before anything heavy.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

# Addresses that mean "listen on every interface": no one can open them.
EVERY_INTERFACE = ("0.0.0.0", "::", "")  # noqa: S104 - names of the wildcard, not a choice to bind it


class _HasBaseUrl(Protocol):
    base_url: str
    base_url_set: bool


@dataclass(frozen=True)
class ServedAddress:
    base_url: str  # no trailing slash
    notes: tuple[str, ...] = ()  # printed after the first line, the address to open


def network_address() -> str | None:
    """This machine's address on its network (the one its default route leaves by), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            # A UDP "connect" sends nothing: it only picks the route, and with it the local address.
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never a real host
            found = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if _is_local(found) else found


def _is_local(host: str) -> bool:
    """Whether only this computer (or no one) can open ``host``."""
    if host.lower() in ("localhost", "localhost.localdomain") or host in EVERY_INTERFACE:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def is_local_url(url: str) -> bool:
    """Whether only this computer can open ``url`` (a loopback or wildcard host): no use in a QR code."""
    return _is_local(urlsplit(url).hostname or "")


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def served_address(
    host: str, port: int, configured: str | None, find_address: Callable[[], str | None] = network_address
) -> ServedAddress:
    """The base URL of an app served on ``host``:``port`` (``configured`` is MEETMATCH_BASE_URL, if set), and
    what to tell the person who starts it."""
    if configured:
        base = configured.rstrip("/")
        return ServedAddress(base, (_phones_note(base),) if is_local_url(base) else ())
    if host in EVERY_INTERFACE:
        found = find_address()
        if found is None:
            base = _url("127.0.0.1", port)
            return ServedAddress(
                base,
                (
                    "meetmatch listens on every network address of this machine, but could not find one that "
                    f"phones reach. Set MEETMATCH_BASE_URL to the address they open (for example "
                    f"MEETMATCH_BASE_URL=http://192.168.1.20:{port}) and start again; until then badges and "
                    f"links carry {base}.",
                ),
            )
        base = _url(found, port)
        return ServedAddress(
            base,
            (
                f"meetmatch listens on every network address of this machine. Phones on the same network open "
                f"{base}/ (this machine's network address); badges, calendar links and e-mails carry it.",
                "If phones reach this machine by another address or name, stop and start again with "
                f"MEETMATCH_BASE_URL set, for example: MEETMATCH_BASE_URL={base} meetmatch serve --host {host} "
                f"--port {port}",
            ),
        )
    base = _url(host, port)
    return ServedAddress(base, (_phones_note(base),) if _is_local(host) else ())


def _phones_note(base: str) -> str:
    return (
        f"Only this computer opens {base}: QR codes on badges and links in e-mails made now will not open on "
        "attendees' phones. For phones, serve with --host 0.0.0.0 on a network you trust, or set "
        "MEETMATCH_BASE_URL to the address they reach."
    )


def unreachable_warning(settings: _HasBaseUrl) -> str | None:
    """For commands that run without a server: why the QR codes and links they make will not open on attendees'
    phones (an unset or loopback base URL), or None."""
    if not settings.base_url_set:
        reason = f"MEETMATCH_BASE_URL is not set, so QR codes and links use the default {settings.base_url}"
    elif is_local_url(settings.base_url):
        reason = f"MEETMATCH_BASE_URL is {settings.base_url}, an address of this computer only"
    else:
        return None
    return (
        f"warning: {reason}: attendees' phones cannot open them. Set MEETMATCH_BASE_URL to the address the "
        "server is reached at (the one `meetmatch serve` prints), for example https://meetmatch.example.nl."
    )
