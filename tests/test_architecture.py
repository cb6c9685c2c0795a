"""The layering contracts of tests/architecture.py catch what they are for: a cycle between slices (across the
roots too), a private name imported across slices, and an import the platform or the solver may not make."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

from tests.architecture import AllowedImportsContract, SlicesContract


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    built = grimp.ImportGraph()
    for importer, imported in imports:
        built.add_import(importer=importer, imported=imported)
    return built


def slices(built: grimp.ImportGraph) -> tuple[bool, dict[str, list[str]]]:
    contract = SlicesContract("slices", {}, {"roots": ["events", "schedule"]})
    check = contract.check(built, verbose=False)
    return check.kept, check.metadata


def test_slices_a_cycle_across_roots_is_broken() -> None:
    kept, found = slices(
        graph(
            ("events.registration.pages", "schedule.versions"),
            ("schedule.versions", "events.followup.models"),
            ("events.followup.services", "events.registration.services"),
        )
    )
    assert kept is False
    assert found["cycles"] == [
        [
            "events.followup -> events.registration (events.followup.services -> events.registration.services)",
            "events.registration -> schedule.versions (events.registration.pages -> schedule.versions)",
            "schedule.versions -> events.followup (schedule.versions -> events.followup.models)",
        ]
    ]


def test_slices_imports_that_point_one_way_are_kept() -> None:
    kept, found = slices(
        graph(
            ("events.registration.pages", "events.platform.models"),
            ("schedule.versions", "events.registration.preferences"),
            ("events.followup.services", "schedule.versions"),
            ("events.registration.pages", "events.registration.services"),
            ("events.registration.services", "events.registration.pages"),  # within one slice: allowed
        )
    )
    assert (kept, found["cycles"]) == (True, [])


def test_slices_a_private_name_across_slices_is_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "shop"
    (package / "till").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "till" / "__init__.py").write_text("from shop.stock import _count, public\nfrom ._own import _mine\n")
    (package / "till" / "_own.py").write_text("_mine = 1\n")
    (package / "stock.py").write_text("_count = 1\npublic = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    built = graph(("shop.till", "shop.stock"), ("shop.till", "shop.till._own"))
    check = SlicesContract("slices", {}, {"roots": ["shop"]}).check(built, verbose=False)
    assert (check.kept, check.metadata["private"]) == (False, ["shop.till:1 imports _count from shop.stock"])


def test_allowed_imports_names_each_import_outside_the_list() -> None:
    built = graph(
        ("schedule.solver.generate", "schedule.weights"),
        ("schedule.solver.solve", "schedule.solver.types"),
        ("schedule.solver.solve", "numpy"),
        ("schedule.solver.solve", "sqlalchemy"),
        ("schedule.solver.types", "dataclasses"),
    )
    for name in ("numpy", "sqlalchemy", "dataclasses"):
        built.squash_module(name)
    contract = AllowedImportsContract(
        "solver",
        {},
        {"source": "schedule.solver", "allowed_modules": ["schedule.solver"], "allowed_external": ["numpy", "scipy"]},
    )
    check = contract.check(built, verbose=False)
    assert check.kept is False
    assert check.metadata["broken"] == [
        "schedule.solver.generate -> schedule.weights",
        "schedule.solver.solve -> sqlalchemy",
    ]
