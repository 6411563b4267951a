"""What one file's imports become: a plan per import statement, made before any edit.

The planner reads a parsed module (no metadata) and turns every import of a legacy module
into groups of new imports, one group per target module.  Names whose binding would change
(``LegacyUser`` -> ``User``, ``models_v2`` -> ``models_unified``) are only requested here;
``rewrite.names`` decides whether the uses can follow safely.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import libcst as cst

from unify.models import ChangeForm, SourceFile
from unify.rewrite.map import RenameIndex, Written
from unify.rewrite.walk import iter_imports

BindKind = Literal["name", "module", "dotted"]


@dataclass(frozen=True, slots=True)
class Bound:
    """One imported name after the rewrite.

    ``name`` is what the new statement imports; ``binding`` the name bound before the rewrite
    and ``wanted`` the name it would bind without an ``as`` clause.  ``attrs`` maps renamed
    attributes of a module binding (``models.LegacyUser`` -> ``models.User``).
    """

    kind: BindKind
    module: Written
    name: str
    binding: str
    wanted: str
    asname: str | None
    target: tuple[str, str]  # (target module, name) -- for modules (module, "")
    attrs: tuple[tuple[str, str], ...] = ()
    dotted_old: str = ""  # ``import a.b.legacy``: the dotted chain uses start with
    dotted_new: str = ""
    index: int = -1  # position of the alias in the original statement


@dataclass(slots=True)
class StmtPlan:
    """A rewritten import statement: the new statements, in groups of one module each."""

    node: cst.Import | cst.ImportFrom
    form: ChangeForm
    groups: list[tuple[Written, list[Bound]]]
    keep_original: bool = False  # True when only the module part changes (star kept)
    star_names: tuple[str, ...] = ()
    note: str = ""


@dataclass(slots=True)
class FilePlan:
    statements: dict[int, StmtPlan] = field(default_factory=dict)  # id(import node) -> plan
    stars: list[tuple[cst.ImportFrom, str, Written]] = field(default_factory=list)

    def bounds(self) -> Iterator[tuple[StmtPlan, Bound]]:
        for stmt in self.statements.values():
            for _, group in stmt.groups:
                for bound in group:
                    yield stmt, bound


def find_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    return list(iter_imports(module))


def dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    """``(name, asname)`` of an import alias, as written."""
    asname = dotted(alias.asname.name) if alias.asname else None
    return (dotted(alias.name), asname)


def plan_file(module: cst.Module, importer: SourceFile, names: RenameIndex) -> FilePlan:
    """Plan every legacy import of the file (star imports are completed later)."""
    plan = FilePlan()
    for node in find_imports(module):
        stmt = (
            _plan_from(node, importer, names, plan)
            if isinstance(node, cst.ImportFrom)
            else _plan_import(node, importer, names)
        )
        if stmt is not None:
            plan.statements[id(node)] = stmt
    return plan


def _plan_from(
    node: cst.ImportFrom, importer: SourceFile, names: RenameIndex, plan: FilePlan
) -> StmtPlan | None:
    written = Written(dotted(node.module), len(node.relative))
    legacy = names.legacy_module(importer, written)
    if isinstance(node.names, cst.ImportStar):
        if legacy is not None:
            plan.stars.append((node, legacy, written))
        return None
    if legacy is not None:
        return _plan_names(node, node.names, importer, names, written, legacy)
    return _plan_submodules(node, node.names, importer, names, written)


def _plan_names(
    node: cst.ImportFrom,
    aliases: Sequence[cst.ImportAlias],
    importer: SourceFile,
    names: RenameIndex,
    written: Written,
    legacy: str,
) -> StmtPlan | None:
    groups: dict[Written, list[Bound]] = {}
    changed = False
    for index, alias in enumerate(aliases):
        name = dotted(alias.name)
        asname = _asname(alias)
        target = names.target_of(legacy, name) or (legacy, name)
        module = _written_for(names, importer, written, legacy, target[0])
        changed |= target != (legacy, name) or module != written
        bound = Bound(
            kind="name",
            module=module,
            name=target[1],
            binding=asname or name,
            wanted=asname if asname and asname != target[1] else target[1],
            asname=asname if asname != target[1] else None,
            target=target,
            index=index,
        )
        groups.setdefault(module, []).append(bound)
    if not changed:
        return None
    return StmtPlan(node=node, form="from", groups=list(groups.items()))


def _written_for(
    names: RenameIndex, importer: SourceFile, written: Written, legacy: str, target: str
) -> Written:
    if target == legacy:
        return written
    return names.written_target(importer, written, legacy, target)


def _plan_submodules(
    node: cst.ImportFrom,
    aliases: Sequence[cst.ImportAlias],
    importer: SourceFile,
    names: RenameIndex,
    written: Written,
) -> StmtPlan | None:
    """``from app import models``: a legacy module imported as a name of its package."""
    groups: dict[Written, list[Bound]] = {}
    changed = False
    for index, alias in enumerate(aliases):
        name = dotted(alias.name)
        full = Written(f"{written.dotted}.{name}" if written.dotted else name, written.level)
        legacy = names.legacy_module(importer, full)
        target = names.module_target(legacy) if legacy else None
        if legacy is None or target is None:
            bound = _unchanged(written, name, _asname(alias))
        else:
            changed = True
            bound = _module_bound(names, importer, full, legacy, target, _asname(alias))
        groups.setdefault(bound.module, []).append(replace(bound, index=index))
    if not changed:
        return None
    return StmtPlan(node=node, form="from-module", groups=list(groups.items()))


def _unchanged(written: Written, name: str, asname: str | None) -> Bound:
    binding = asname or name
    return Bound(
        kind="name",
        module=written,
        name=name,
        binding=binding,
        wanted=binding,
        asname=asname,
        target=("", ""),
    )


def _module_bound(
    names: RenameIndex,
    importer: SourceFile,
    full: Written,
    legacy: str,
    target: str,
    asname: str | None,
) -> Bound:
    new_full = names.written_target(importer, full, legacy, target)
    parent, _, last = new_full.dotted.rpartition(".")
    old_last = full.dotted.rpartition(".")[2]
    return Bound(
        kind="module",
        module=Written(parent, new_full.level),
        name=last,
        binding=asname or old_last,
        wanted=asname or last,
        asname=asname if asname != last else None,
        target=(target, ""),
        attrs=_attr_renames(names, legacy),
    )


def _attr_renames(names: RenameIndex, legacy: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (old, new) for (m, old), (_, new) in names.renames.items() if m == legacy and old != new
        )
    )


def _plan_import(node: cst.Import, importer: SourceFile, names: RenameIndex) -> StmtPlan | None:
    bounds: list[Bound] = []
    changed = False
    for index, alias in enumerate(node.names):
        name = dotted(alias.name)
        asname = _asname(alias)
        legacy = names.legacy_module(importer, Written(name))
        target = names.module_target(legacy) if legacy else None
        if legacy is None or target is None:
            bounds.append(replace(_unchanged(Written(""), name, asname), index=index))
            continue
        changed = True
        new = names.written_target(importer, Written(name), legacy, target)
        bound = _import_bound(names, name, new.dotted, asname, legacy, target)
        bounds.append(replace(bound, index=index))
    if not changed:
        return None
    form: ChangeForm = "import-as" if any(_asname(a) for a in node.names) else "import"
    return StmtPlan(node=node, form=form, groups=[(Written(""), bounds)])


def _import_bound(
    names: RenameIndex, old: str, new: str, asname: str | None, legacy: str, target: str
) -> Bound:
    if asname or "." not in old:
        return Bound(
            kind="module",
            module=Written(""),
            name=new,
            binding=asname or old,
            wanted=asname or new,
            asname=asname,
            target=(target, ""),
            attrs=_attr_renames(names, legacy),
        )
    return Bound(
        kind="dotted",
        module=Written(""),
        name=new,
        binding=old.split(".")[0],
        wanted=old.split(".")[0],
        asname=None,
        target=(target, ""),
        attrs=_attr_renames(names, legacy),
        dotted_old=old,
        dotted_new=new,
    )


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    return dotted(alias.asname.name) or None


# ---------------------------------------------------------------------------
# Star imports: explicit imports of the names the file really uses
# ---------------------------------------------------------------------------


def plan_star(
    node: cst.ImportFrom,
    legacy: str,
    written: Written,
    used: list[str],
    importer: SourceFile,
    names: RenameIndex,
) -> StmtPlan:
    """``from legacy import *`` becomes explicit imports of ``used`` (names the module provides
    that the file uses without defining); with no such name, a plain import of the target
    keeps the side effects of importing it."""
    groups: dict[Written, list[Bound]] = {}
    for name in used:
        target = names.target_of(legacy, name) or (legacy, name)
        module = _written_for(names, importer, written, legacy, target[0])
        bound = Bound(
            kind="name",
            module=module,
            name=target[1],
            binding=name,
            wanted=target[1],
            asname=None,
            target=target,
        )
        groups.setdefault(module, []).append(bound)
    for bounds in groups.values():
        bounds.sort(key=lambda b: b.name)
    if groups:
        return StmtPlan(
            node=node, form="from-star", groups=list(groups.items()), star_names=tuple(used)
        )
    module_target = names.module_target(legacy) or legacy
    new = _written_for(names, importer, written, legacy, module_target)
    return StmtPlan(
        node=node,
        form="from-star",
        groups=[(new, [])],
        note="the star import supplied no name this file uses; kept as a plain import",
    )
