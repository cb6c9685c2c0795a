"""Each test's kind as a marker, given at collection (tests/conftest.py), so that a run can pick a layer:

- ``browser``: under tests/browser/ (a served app and Chromium);
- ``process``: starts another process: a served app, the installed script, a Python of its own, or a tool such
  as pdftotext or zbarimg (found in the test's code, its fixtures' and the test helpers they call);
- ``database``: uses a database of its own (the ``settings`` fixture or one built on it);
- ``unit``: none of these.

A test has one kind, the first of that list that fits. ``slow`` is given by hand, to the tests that took more
than about five seconds on the 2-core reference machine.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

KINDS = ("browser", "process", "database", "unit")

# Names whose use in a test's code means it starts a process: the subprocess module, the real console script,
# a served app (tests/served.py).
PROCESS_NAMES = frozenset({"subprocess", "Popen", "MEETMATCH", "cli_process", "serving"})

BROWSER_FOLDER = Path(__file__).parent / "browser"


def _ours(value: Any) -> bool:
    return str(getattr(value, "__module__", "") or "").startswith("tests")


def _code_starts_processes(code: types.CodeType, namespace: dict[str, Any], seen: set[types.CodeType]) -> bool:
    if code in seen:
        return False
    seen.add(code)
    for name in code.co_names:
        if name in PROCESS_NAMES:
            return True
        value = namespace.get(name)
        if _ours(value) and _starts_processes(value, seen):
            return True
    return any(
        isinstance(const, types.CodeType) and _code_starts_processes(const, namespace, seen) for const in code.co_consts
    )


def _starts_processes(value: Any, seen: set[types.CodeType]) -> bool:
    """Whether a test helper (function, class, fixture) starts a process, following the helpers it names."""
    value = inspect.unwrap(value) if callable(value) else value
    if inspect.isclass(value):
        return any(_starts_processes(member, seen) for member in vars(value).values() if inspect.isfunction(member))
    code = getattr(value, "__code__", None)
    if not isinstance(code, types.CodeType):
        return False
    return _code_starts_processes(code, getattr(value, "__globals__", {}), seen)


def _fixture_functions(item: pytest.Item) -> Iterable[Callable[..., Any]]:
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        for definition in definitions:
            if _ours(definition.func):
                yield definition.func


def kind_of(item: pytest.Item) -> str:
    if BROWSER_FOLDER in Path(str(item.path)).parents:
        return "browser"
    seen: set[types.CodeType] = set()
    test = getattr(item, "function", None)
    if _starts_processes(test, seen) or any(_starts_processes(f, seen) for f in _fixture_functions(item)):
        return "process"
    if "settings" in getattr(item, "fixturenames", ()):
        return "database"
    return "unit"


def mark_kinds(items: list[pytest.Item]) -> None:
    for item in items:
        kind = kind_of(item)
        if item.get_closest_marker(kind) is None:
            item.add_marker(getattr(pytest.mark, kind))
