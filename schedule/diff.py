"""What changes between two schedule versions, talk by talk, and exactly who is affected; and the sentences
that tell the organiser so before and after publishing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from events.platform.i18n import gettext as _t
from events.platform.i18n import ngettext
from schedule.models import Meeting as MeetingRow
from schedule.versions import Names


@dataclass(frozen=True, slots=True)
class Change:
    kind: Literal["added", "removed", "moved"]
    candidate_id: int
    candidate: str
    employer_id: int
    employer: str
    before: tuple[int, int] | None  # (round, table)
    after: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Diff:
    base: int | None  # the version compared against (None: nothing published before)
    changes: tuple[Change, ...]
    candidates: tuple[tuple[int, str], ...]  # affected (participation id, name)
    employers: tuple[tuple[int, str], ...]


def diff(base: int | None, old: Sequence[MeetingRow], new: Sequence[MeetingRow], names: Names) -> Diff:
    """What changed between two versions, talk by talk (a pair meets at most once, so pairs are the key),
    and exactly who is affected: both people of every added, removed or moved talk."""
    before = {(m.candidate_participation_id, m.employer_participation_id): (m.round, m.table) for m in old}
    after = {(m.candidate_participation_id, m.employer_participation_id): (m.round, m.table) for m in new}
    changes: list[Change] = []
    for key in before.keys() | after.keys():
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        kind: Literal["added", "removed", "moved"] = "added" if was is None else "removed" if now is None else "moved"
        cid, eid = key
        changes.append(Change(kind, cid, names.candidate(cid), eid, names.employer(eid), was, now))
    changes.sort(key=lambda c: (c.candidate.casefold(), c.candidate_id, (c.after or c.before or (0, 0))))
    candidates = sorted({(c.candidate_id, c.candidate) for c in changes}, key=lambda x: (x[1].casefold(), x[0]))
    employers = sorted({(c.employer_id, c.employer) for c in changes}, key=lambda x: (x[1].casefold(), x[0]))
    return Diff(base, tuple(changes), tuple(candidates), tuple(employers))


def _affected(diff: Diff) -> str:
    return _t(
        "%(candidates)s and %(employers)s get a new card or calendar.",
        candidates=ngettext("%(num)d candidate", "%(num)d candidates", len(diff.candidates)),
        employers=ngettext("%(num)d employer", "%(num)d employers", len(diff.employers)),
    )


def publish_question(diff: Diff) -> str:
    """What publishing would change for attendees, in a sentence: the confirmation step's question."""
    talks = len(diff.changes)
    if diff.base is None:
        return ngettext(
            "Nothing is published yet: its %(num)d talk is new for everyone.",
            "Nothing is published yet: all %(num)d talks are new for everyone.",
            talks,
        )
    if not talks:
        return _t(
            "No talk changes compared with version %(number)s: publishing it changes nothing for attendees.",
            number=diff.base,
        )
    changed = ngettext("%(num)d talk changes", "%(num)d talks change", talks)  # not in an f-string: extracted
    return changed + ": " + _affected(diff)


def publish_summary(diff: Diff) -> str:
    """What publishing changed, in a sentence: the message after publishing, on the page and in the API."""
    talks = len(diff.changes)
    if diff.base is None:
        return ngettext(
            "Published. Nothing was published before: its %(num)d talk is new.",
            "Published. Nothing was published before: all %(num)d talks are new.",
            talks,
        )
    if not talks:
        return _t("Published. No talk changed: nobody needs a new card or calendar.")
    return _t(
        "Published. %(talks)s: %(people)s",
        talks=ngettext("%(num)d talk changed", "%(num)d talks changed", talks),
        people=_affected(diff),
    )
