"""`meetmatch badges` and the selection behind it: whom a print covers, and how bad input is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from badges import people as roster
from badges.models import HolderKind
from badges.printing.data import Selection, prepare
from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import Event, User
from events.platform.services import system_user, to_current_user
from events.platform.settings import Settings
from schedule import services
from schedule.edits import Edit, edit_version
from schedule.models import Meeting
from tests.cli import cli
from tests.conftest import COACH, OTHER_COACH, run


async def _event(session: object) -> Event:
    event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))  # type: ignore[attr-defined]
    assert event is not None
    return event  # type: ignore[no-any-return]


async def _republish_without_one_talk(settings: Settings) -> tuple[set[roster.HolderKey], int]:
    """Copy the published version, remove one talk, publish: the people that changes, and the employer."""
    async with open_session(settings) as session:
        event = await _event(session)
        user = await system_user(session)
        draft = await services.copy_version(session, user, event, 1)
        meeting = await session.scalar(
            select(Meeting).where(Meeting.version_id == draft.id).order_by(Meeting.id).limit(1)
        )
        assert meeting is not None
        await edit_version(session, user, event, draft.number, Edit("remove", meeting=meeting.id))
        await services.publish(session, user, event, draft.number)
        await session.commit()
        everyone = await roster.holders(session, event)
        affected = {
            h.key
            for h in everyone
            if (h.kind is HolderKind.CANDIDATE and h.id == meeting.candidate_participation_id)
            or (h.kind is HolderKind.EMPLOYER and h.employer_id == meeting.employer_participation_id)
        }
        return affected, meeting.employer_participation_id


async def _printed(settings: Settings, selection: Selection, user: CurrentUser | None = None) -> tuple[list, int]:  # type: ignore[type-arg]
    async with open_session(settings) as session:
        event = await _event(session)
        work = await prepare(session, settings, user or await system_user(session), event, selection)
        await session.commit()
        return work.people, work.count


def test_only_changed_prints_exactly_the_people_the_republish_affected(demo: DemoResult, database: Settings) -> None:
    affected, _ = run(_republish_without_one_talk(database))

    badges, _ = run(_printed(database, Selection(only_changed=True)))
    handouts, _ = run(_printed(database, Selection(what="handouts", only_changed=True)))
    _, tables = run(_printed(database, Selection(what="table-sheets", only_changed=True)))
    _, all_tables = run(_printed(database, Selection(what="table-sheets")))

    assert len(affected) >= 2
    assert set(badges) == set(handouts) == affected
    assert len(badges) == len(affected)
    assert 0 < tables < all_tables  # the changed employer's tables only


def test_selection_by_kind_and_by_person(demo: DemoResult, database: Settings) -> None:
    everyone, count = run(_printed(database, Selection()))
    employers, _ = run(_printed(database, Selection(kinds=(HolderKind.EMPLOYER,))))
    two = tuple(everyone[:2])
    chosen, _ = run(_printed(database, Selection(holders=two)))

    assert count == len(everyone) == 58
    assert {k for k, _ in employers} == {HolderKind.EMPLOYER}
    assert len(employers) == 8
    assert chosen == list(two)


async def _user(settings: Settings, email: str) -> CurrentUser:
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return to_current_user(user)


def test_coach_prints_handouts_of_own_candidates_and_nobody_elses(demo: DemoResult, database: Settings) -> None:
    coach, other = run(_user(database, COACH)), run(_user(database, OTHER_COACH))
    own, _ = run(_printed(database, Selection(what="handouts", kinds=(HolderKind.CANDIDATE,)), coach))
    others, _ = run(_printed(database, Selection(what="handouts", kinds=(HolderKind.CANDIDATE,)), other))

    assert own
    assert others
    assert not set(own) & set(others)
    with pytest.raises(NotFoundError):
        run(_printed(database, Selection(what="handouts", kinds=(HolderKind.CANDIDATE,), holders=(own[0],)), other))
    with pytest.raises(NotFoundError):
        run(_printed(database, Selection(what="badges", kinds=(HolderKind.CANDIDATE,)), coach))


# -- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def demo_cli(settings: Settings) -> Settings:
    result = cli(settings, "demo")
    assert result.returncode == 0, result.stderr
    return settings


def _one_error_line(result: object) -> str:
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    return str(lines[0])


@pytest.mark.slow
def test_cli_writes_one_badge_per_candidate_and_employer_contact(demo_cli: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "badges.printing.pdf"

    result = cli(demo_cli, "badges", "samen-werkt", "-o", str(target))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 58 badges on 16 pages to {target}"
    assert len(PdfReader(io.BytesIO(target.read_bytes())).pages) == 16
    assert sorted(p.name for p in folder.iterdir()) == ["badges.printing.pdf"]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-event"], "error: event 'no-such-event': not found"),
        (["samen-werkt", "--layout", "a3-4"], "error: --layout: choose one of a4-8, a4-10, a6"),
        (
            ["samen-werkt", "--what", "posters"],
            "error: --what: choose one of badges, table-cards, table-sheets, handouts, attendance",
        ),
        (["samen-werkt", "--kind", "mayor"], "error: --kind: choose one of candidate, employer, staff, guest"),
        (
            ["samen-werkt", "--holder", "candidate:x"],
            "error: holder: 'candidate:x' is not a person (write kind:id, e.g. candidate:12)",
        ),
        (["samen-werkt", "--holder", "candidate:987654"], "error: person: not found"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2_and_no_file(
    demo_cli: Settings, tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.pdf"

    result = cli(demo_cli, "badges", *args[:1], "-o", str(target), *args[1:])

    assert _one_error_line(result) == message
    assert list(folder.iterdir()) == []


def test_cli_unwritable_target_is_one_line_exit_2_and_no_file(demo_cli: Settings, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    missing = tmp_path / "missing" / "badges.printing.pdf"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    under_file = a_file / "badges.printing.pdf"
    (tmp_path / "folder.pdf").mkdir()

    results = {
        "missing folder": cli(demo_cli, "badges", "samen-werkt", "-o", str(missing)),
        "under a file": cli(demo_cli, "badges", "samen-werkt", "-o", str(under_file)),
        "not a pdf": cli(demo_cli, "badges", "samen-werkt", "-o", str(tmp_path / "badges.txt")),
        "a folder": cli(demo_cli, "badges", "samen-werkt", "-o", str(tmp_path / "folder.pdf")),
        # Even root cannot make a file here.
        "proc": cli(demo_cli, "badges", "samen-werkt", "-o", "/proc/meetmatch-badges.printing.pdf"),
    }
    messages = {name: _one_error_line(result) for name, result in results.items()}

    assert messages["missing folder"] == f"error: {missing}: cannot write: the folder {missing.parent} does not exist"
    assert messages["under a file"] == f"error: {under_file}: cannot write: the folder {a_file} does not exist"
    assert messages["not a pdf"] == "error: badges.txt: choose a file name ending in .pdf"
    assert messages["a folder"] == f"error: {tmp_path / 'folder.pdf'}: is a folder"
    assert messages["proc"].startswith("error: /proc/meetmatch-badges.printing.pdf: cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.pdf", "notes.txt"]
    assert not Path("/proc/meetmatch-badges.printing.pdf").exists()


def test_cli_badges_command_is_listed(settings: Settings) -> None:
    result = cli(settings, "badges", "--help")

    assert result.returncode == 0
    for option in ("--only", "--layout", "--what", "--kind", "--holder"):
        assert option in result.stdout
