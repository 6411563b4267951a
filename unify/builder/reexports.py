"""Names a package re-exports, traced to the module that defines them.

A legacy module may import a name through an ancestor package (``from shop import Model``,
where ``shop/__init__.py`` does ``from shop.db import Model``).  Importing the unified module
first runs that package's ``__init__``; when the package imports, on the way, a module that
imports a legacy module (served by the unified module after the rewrite), the unified module
runs while the package is half-initialised, and ``from shop import Model`` fails (an import
cycle).  Taking the name from where it is defined (``from shop.db import Model``) does not go
through the package.  Only the package's own top-level ``from ... import`` statements count;
a name it assigns itself is defined there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from unify.vocabulary import absolute_module, package_of

MAX_HOPS = 8


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a re-exported name is defined: ``from module import name``."""

    module: str
    name: str


def ancestor_packages(modules: Iterable[str]) -> frozenset[str]:
    """Every proper ancestor package of ``modules`` (``a.b.c`` -> ``a``, ``a.b``)."""
    out: set[str] = set()
    for module in modules:
        parts = module.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Reexports:
    """The re-exported names of ``packages`` (ancestor packages of the legacy modules),
    found in their files under ``paths`` (the import roots)."""

    paths: tuple[Path, ...]
    packages: frozenset[str]
    legacy: frozenset[str] = frozenset()  # a name defined in one stays as it is imported

    def origin(self, module: str, name: str) -> Origin | None:
        """Where ``from module import name`` really comes from, when ``module`` is one of
        the packages and re-exports ``name``; else None."""
        if module not in self.packages:
            return None
        found, seen = None, {module}
        here = Origin(module, name)
        for _ in range(MAX_HOPS):
            step = self._imported(here)
            if step is None or step.module in seen:
                break
            found, here = step, step
            seen.add(step.module)
        if found is not None and found.module in self.legacy:
            return None
        return found

    def _imported(self, where: Origin) -> Origin | None:
        """``where.module``'s own top-level ``from M import X [as name]``, as ``M.X``."""
        tree, is_package = _parse(self.paths, where.module)
        if tree is None:
            return None
        found = None
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == where.name and alias.name != "*":
                        package = package_of(where.module, is_package)
                        source = absolute_module(package, stmt.module, stmt.level)
                        found = Origin(source, alias.name) if source else None
            elif _binds(stmt, where.name):
                found = None  # bound again by the module itself: defined here
        if found is not None and found.module == where.module:
            return None  # ``from . import sub``: a submodule, not a re-export
        return found


def _parse(paths: Sequence[Path], module: str) -> tuple[ast.Module | None, bool]:
    rel = Path(*module.split("."))
    for base in paths:
        for path, is_package in ((base / rel / "__init__.py", True), (base / f"{rel}.py", False)):
            if path.is_file():
                try:
                    return ast.parse(path.read_text(encoding="utf-8")), is_package
                except (SyntaxError, UnicodeDecodeError, ValueError):
                    return None, is_package
    return None, False


def _binds(stmt: ast.stmt, name: str) -> bool:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt.name == name
    if isinstance(stmt, ast.Import):
        return any((a.asname or a.name.split(".")[0]) == name for a in stmt.names)
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        targets = [stmt.target]
    return any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t))
