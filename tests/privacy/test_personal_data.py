"""Every slice's part of a person's data is registered (events.platform.personal_data): a table that refers to a
candidate, directly or through another such table, is answered for by some part, so the export, the erasure and
retention cannot forget it."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData

from events.app import PERSONAL_DATA, register_personal_data
from events.platform import personal_data
from events.platform.db import import_models
from events.privacy.export import SECTIONS

# The tables a person is: a row that points at one of them (or at a row that does) is about a person.
PEOPLE = {"candidate", "candidate_participation"}


def tables_about_a_person(metadata: MetaData) -> set[str]:
    """The tables with a foreign key into PEOPLE, followed through other tables about a person, and those that
    name a candidate by id without a foreign key."""
    found = set(PEOPLE)
    grew = True
    while grew:
        grew = False
        for table in metadata.sorted_tables:
            refers = {fk.column.table.name for fk in table.foreign_keys} & found
            by_id = "candidate_id" in table.columns or "candidate_participation_id" in table.columns
            if table.name not in found and (refers or by_id):
                found.add(table.name)
                grew = True
    return found


def test_every_table_about_a_person_belongs_to_a_registered_part() -> None:
    metadata = import_models()
    register_personal_data()
    covered = [name for part in personal_data.parts() for name in part.tables]
    assert sorted(tables_about_a_person(metadata) - set(covered)) == []
    assert len(covered) == len(set(covered)), "a table answered for by two parts"
    assert set(covered) <= set(metadata.tables)


# Tables that hold how to reach a person but are not about a candidate, each with where its people's data is kept
# in check. A new table with such columns must be answered for: by a personal-data part or here, with a reason.
OTHER_PEOPLE = {
    # Accounts: made and deactivated by organisers and administrators (events.accounts.team, admin); never a
    # candidate's data.
    "user_account": "accounts",
    # An employer's people at its tables: business contacts of the organisation, kept with its participation.
    "employer_contact": "employers",
    # Guests of a plenary gathering (partners, officials, press): the "guests" job blanks their names and e-mail
    # once the event's retention date has passed (events.registration.guests.guest_retention_job).
    "event_guest": "guests",
}
CONTACT_COLUMNS = {"email", "phone", "first_name", "last_name", "date_of_birth"}


def test_every_table_with_a_person_s_contact_data_is_answered_for() -> None:
    metadata = import_models()
    register_personal_data()
    covered = {name for part in personal_data.parts() for name in part.tables}
    holding = {t.name for t in metadata.sorted_tables if CONTACT_COLUMNS & set(t.columns.keys())}
    assert sorted(holding - covered - set(OTHER_PEOPLE)) == []
    assert set(OTHER_PEOPLE) <= holding, "an entry here that no longer holds contact data"


def test_the_parts_are_the_composition_roots_and_name_themselves_once() -> None:
    register_personal_data()
    names = [part.name for part in personal_data.parts()]
    assert len(names) == len(set(names))
    assert {part.name for part in PERSONAL_DATA} <= set(names)
    assert personal_data.months_after_event() == 6  # the follow-up's last check


def test_the_export_format_names_its_sections_once() -> None:
    assert len(SECTIONS) == len(set(SECTIONS))


def test_a_sweep_with_no_part_registered_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(personal_data, "_parts", {})
    monkeypatch.setattr(personal_data, "_pending", [])
    with pytest.raises(RuntimeError, match="registered"):
        personal_data.parts()
