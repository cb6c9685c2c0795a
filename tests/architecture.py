"""import-linter contract types for meetmatch's layering (see docs/architecture.md); `lint-imports` loads them
from `[tool.importlinter]` in pyproject.toml.

- ``slices``: each module or package directly under a root package (``events.registration``, ``events.cli``,
  ``schedule.versions``, ``badges.day`` ...) is a slice. No import cycle may run between slices, across the
  three roots too (import-linter's own ``acyclic_siblings`` looks within one parent only), and no slice may
  import another slice's private names (``from events.cli import _prepare``).
- ``allowed_imports``: the source package may import only the listed project modules, and, when
  ``allowed_external`` is given, only those installed packages besides the standard library (the solver:
  numpy and scipy).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


def slice_of(module: str) -> str:
    """``events.registration.imports`` -> ``events.registration``; a root itself is its own slice."""
    return ".".join(module.split(".")[:2])


@cache
def _private_names(module: str) -> tuple[tuple[str, str, int], ...]:
    """(imported module, private name, line) of each ``from X import _name`` in ``module``'s file."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return ()
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    package = module if spec.origin.endswith("__init__.py") else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.extend(
                (base, alias.name, node.lineno)
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            )
    return tuple(found)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(iter(children), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


class SlicesContract(Contract):
    """No cycles between slices and no private names imported across them."""

    type_name = "slices"

    roots = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = set(self.roots)  # type: ignore[call-overload]
        edges: dict[str, set[str]] = {}
        examples: dict[tuple[str, str], str] = {}
        private: list[str] = []
        for importer in sorted(graph.modules):
            if importer.split(".")[0] not in roots:
                continue
            for imported in graph.find_modules_directly_imported_by(importer):
                if imported.split(".")[0] not in roots or slice_of(imported) == slice_of(importer):
                    continue
                edges.setdefault(slice_of(importer), set()).add(slice_of(imported))
                examples.setdefault((slice_of(importer), slice_of(imported)), f"{importer} -> {imported}")
            for base, name, line in _private_names(importer):
                if base.split(".")[0] in roots and slice_of(base) != slice_of(importer):
                    private.append(f"{importer}:{line} imports {name} from {base}")
        cycles = [
            [f"{a} -> {b} ({examples[(a, b)]})" for a in cycle for b in cycle if b in edges.get(a, ())]
            for cycle in _cycles(edges)
        ]
        return ContractCheck(kept=not cycles and not private, metadata={"cycles": cycles, "private": private})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("These slices import each other in a circle:")
            for edge in cycle:
                output.indent_cursor()
                output.print_error(edge, bold=False)
            output.new_line()
        for line in check.metadata["private"]:
            output.print_error(f"A private name across slices: {line}", bold=False)


class AllowedImportsContract(Contract):
    """The source package imports only the allowed project modules (and externals, if listed)."""

    type_name = "allowed_imports"

    source = fields.StringField()
    allowed_modules = fields.ListField(subfield=fields.StringField())
    allowed_external = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        source: str = self.source  # type: ignore[assignment]
        allowed = tuple(self.allowed_modules)  # type: ignore[call-overload]
        external: Any = self.allowed_external
        roots = {name.split(".")[0] for name in graph.modules if not graph.is_module_squashed(name)}
        broken = []
        for importer in sorted(graph.modules):
            if importer != source and not importer.startswith(source + "."):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                top = imported.split(".")[0]
                if top in roots and not graph.is_module_squashed(imported):
                    ok = any(imported == name or imported.startswith(name + ".") for name in allowed)
                else:
                    ok = external is None or top in external or top in sys.stdlib_module_names
                if not ok:
                    broken.append(f"{importer} -> {imported}")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(f"Not allowed: {line}", bold=False)
