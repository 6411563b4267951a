"""The unified module's imports: the legacy modules' imports deduplicated and grouped
(future, standard library, third party, local), and the names two modules bind differently."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from unify.builder.legacy import Legacy
from unify.builder.nodes import code_of
from unify.builder.reexports import Reexports
from unify.models import ModelModule, Rule, Severity
from unify.vocabulary import absolute_module, package_of

IMPORT_NAME_CLASH = Rule(
    name="import-name-clash",
    code="B008",
    severity=Severity.ERROR,
    summary="two legacy modules import different things under one name, and one cannot be aliased",
)


@dataclass(slots=True)
class _ImportSet:
    plain: set[tuple[str, str | None]] = field(default_factory=set)  # import x [as y]
    names: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)  # from x import

    def add(
        self, node: cst.Import | cst.ImportFrom, owner: ModelModule, renames: Mapping[str, str]
    ) -> None:
        """``renames``: the names this module's imports bind under an alias instead."""
        if isinstance(node, cst.Import):
            for alias in node.names:
                written = code_of(alias.name)
                bound = _asname(alias) or written
                self.plain.add((written, renames.get(bound, _asname(alias))))
            return
        module = _from_module(node, owner)
        bucket = self.names.setdefault(module, set())
        if isinstance(node.names, cst.ImportStar):
            bucket.add(("*", None))
        else:
            for alias in node.names:
                written = code_of(alias.name)
                bound = _asname(alias) or written
                bucket.add((written, renames.get(bound, _asname(alias))))


def render_imports(
    local: frozenset[str],
    legacies: Mapping[str, Legacy],
    renames: Mapping[str, Mapping[str, str]] | None = None,
    reexports: Reexports | None = None,
) -> str:
    """The legacy modules' imports, merged and grouped: standard library, third party, then
    the repository's own modules (``local``: its top-level module names); ``renames``: per
    legacy module, the bound names imported under an alias (``json`` -> ``json__simplejson``);
    ``reexports``: a name an ancestor package re-exports is imported from where it is
    defined."""
    imports = _ImportSet()
    for legacy in legacies.values():
        for stmt in legacy.imports:
            for small in stmt.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    imports.add(small, legacy.module, (renames or {}).get(legacy.module.name, {}))
    if reexports is not None:
        imports.names = _from_origins(imports.names, reexports)
    groups: dict[int, list[tuple[int, str, str]]] = {}
    for module, asname in imports.plain:
        line = f"import {module}" + (f" as {asname}" if asname else "")
        groups.setdefault(_group(module, local), []).append((0, module, line))
    for module, names in imports.names.items():
        listed = sorted(f"{n} as {a}" if a else n for n, a in names)
        line = f"from {module} import " + ", ".join(listed)
        if len(line) > 99:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in listed) + ")"
        groups.setdefault(_group(module, local), []).append((1, module, line))
    blocks = ["\n".join(line for _, _, line in sorted(groups[g])) for g in sorted(groups)]
    return "\n\n".join(blocks)


def _from_origins(
    names: dict[str, set[tuple[str, str | None]]], reexports: Reexports
) -> dict[str, set[tuple[str, str | None]]]:
    """``from package import X`` as ``from origin import X`` where the package re-exports
    ``X`` (``from origin import Y as X`` when it renamed it)."""
    out: dict[str, set[tuple[str, str | None]]] = {}
    for module, listed in names.items():
        for name, asname in listed:
            origin = reexports.origin(module, name) if name != "*" else None
            if origin is None:
                out.setdefault(module, set()).add((name, asname))
                continue
            bound = asname or name
            out.setdefault(origin.module, set()).add(
                (origin.name, bound if bound != origin.name else None)
            )
    return out


def _from_module(node: cst.ImportFrom, owner: ModelModule) -> str:
    """The absolute module a ``from`` import of ``owner`` names: the unified module lives
    elsewhere, so ``from .. import db`` must become ``from pkg import db``."""
    name = code_of(node.module) if node.module else ""
    level = len(node.relative)
    if not level:
        return name
    package = package_of(owner.name, owner.path.endswith("__init__.py"))
    found = absolute_module(package, name, level)
    return "." * level + name if found is None else found  # (above the root: as written)


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    return code_of(alias.asname.name)


def _group(module: str, local: frozenset[str]) -> int:
    top = module.split(".")[0]
    if module == "__future__":
        return 0
    if module.startswith(".") or top in local:
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


def bindings(node: cst.BaseSmallStatement, owner: ModelModule) -> list[tuple[str, str, bool]]:
    """``(name, what it means, bound by a dotted plain import)`` for each name ``node``
    binds: ``import a.b`` binds ``a`` (meaning ``a``); ``from m import x as y`` binds
    ``y`` (meaning ``m.x``)."""
    if isinstance(node, cst.Import):
        out = []
        for a in node.names:
            written, asname = code_of(a.name), _asname(a)
            top = written.split(".")[0]
            out.append((asname or top, written if asname else top, not asname and top != written))
        return out
    if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        module = _from_module(node, owner)
        return [
            (_asname(a) or code_of(a.name), f"{module}.{code_of(a.name)}", False)
            for a in node.names
        ]
    return []
