"""`meetmatch ics EVENT -o DIR`, run as a person runs it (in-process): the files it leaves, what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from badges.calendars.services import calendar_filename
from badges.models import HolderKind
from badges.people import holders
from badges.schedules import schedules
from events.demo.seed import DEMO_SLUG
from events.platform.db import open_session
from events.platform.settings import Settings
from tests.badges.calendars.test_calendar import check_calendar, vevents
from tests.cli import cli
from tests.conftest import run


async def _with_talks(settings: Settings) -> dict[str, int]:
    from events.platform.services import find_event

    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE, HolderKind.EMPLOYER))
        shown = await schedules(session, event, people)
        return {calendar_filename(h): len(shown.of(h).talks) for h in people if shown.of(h).talks}


@pytest.mark.slow
def test_ics_writes_one_file_per_person_with_talks_under_the_same_names_each_run(
    settings: Settings, tmp_path: Path
) -> None:
    assert cli(settings, "demo").returncode == 0
    out = tmp_path / "agenda's"

    first = cli(settings, "ics", DEMO_SLUG, "-o", str(out))
    names = sorted(p.name for p in out.iterdir())
    contents = {p.name: p.read_bytes() for p in out.iterdir()}
    second = cli(settings, "ics", DEMO_SLUG, "-o", str(out))

    expected = run(_with_talks(settings))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert names == sorted(expected)
    assert sorted(p.name for p in out.iterdir()) == names
    assert all(p.is_file() for p in out.iterdir())  # flat, nothing else left behind
    candidates = sum(1 for n in names if n.startswith("candidate-"))
    assert first.stdout.strip() == (
        f"wrote {len(names)} calendars of {DEMO_SLUG} to {out} "
        f"({candidates} candidates, {len(names) - candidates} employer contacts)"
    )
    for name, count in expected.items():
        assert (out / name).read_bytes() == contents[name]  # the same programme gives the same bytes
        _, parsed = check_calendar(contents[name])
        assert len(vevents(parsed)) == count


def test_ics_bad_input_is_one_line_and_exit_2(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")

    unknown = cli(settings, "ics", "geen-event", "-o", str(tmp_path / "out"))
    assert cli(settings, "demo").returncode == 0
    not_a_dir = cli(settings, "ics", DEMO_SLUG, "-o", str(a_file))
    missing_output = cli(settings, "ics", DEMO_SLUG)

    assert unknown.returncode == not_a_dir.returncode == missing_output.returncode == 2
    assert unknown.stderr.strip() == "error: event 'geen-event': not found"
    assert not_a_dir.stderr.strip() == f"error: {a_file}: not a directory"
    assert "Missing option '-o'" in missing_output.stderr
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in unknown.stderr + not_a_dir.stderr + missing_output.stderr


def test_ics_before_anything_is_published_says_so(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0

    async def add_event() -> None:
        import datetime as dt

        from events.platform.models import Event, Organisation, OrganisationKind

        async with open_session(settings) as session:
            owner = Organisation(name="Werkse!", kind=OrganisationKind.ORGANISER)
            session.add(owner)
            await session.flush()
            session.add(
                Event(
                    slug="leeg",
                    name="Leeg",
                    date=dt.date(2030, 3, 1),
                    first_round_start=dt.time(14),
                    organisation_id=owner.id,
                )
            )
            await session.commit()

    run(add_event())
    result = cli(settings, "ics", "leeg", "-o", str(tmp_path / "out"))

    assert result.returncode == 2
    assert result.stderr.strip() == "error: leeg: no programme is published yet; publish one first"
