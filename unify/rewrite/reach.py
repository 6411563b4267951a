"""Names of legacy modules reached through a module binding, after the import rewrite:
``import models; models.Old``, ``import models as m; m.Old``, ``import pkg; pkg.legacy.X``,
``import a; a.b.c()``, ``from a.b.c import d; d.e.f``.

Read on the rewritten text: a chain that still reaches a legacy module through a binding is
one the import rewrite did not follow.  When the name stays in its module under a new name
and the binding is certainly that module (bound by imports of it alone), the attribute is
renamed in place; otherwise the use is reported, so that ``--check`` fails until a person
has rewritten it.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from unify.models import Finding, Rule, Severity, SourceFile
from unify.rewrite.map import RenameIndex, Written
from unify.rewrite.uses import Edit, _line_starts, _offset, _splice

LEGACY_NAME_THROUGH_MODULE = Rule(
    name="legacy-name-through-module",
    code="R022",
    severity=Severity.WARNING,
    summary="a moved or renamed name reached through a module binding, left as it was",
)


@dataclass(frozen=True, slots=True)
class Reach:
    """One ``binding.a.b.name`` whose module ``legacy`` is legacy and whose ``name`` moves or
    is renamed to ``target``; ``certain`` when the binding is only ever that module."""

    node: ast.Attribute
    chain: str
    legacy: str
    target: tuple[str, str]
    certain: bool


def reaches(tree: ast.Module, importer: SourceFile, names: RenameIndex) -> list[Reach]:
    """Every use of a legacy module's moved or renamed name through a module binding."""
    modules, uncertain = _module_bindings(tree, importer, names)
    if not modules:
        return []
    legacy_of: dict[Written, str | None] = {}
    out: list[Reach] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        parts = _chain(node)
        if parts is None or parts[0] not in modules:
            continue
        base = modules[parts[0]]
        dotted = ".".join(p for p in (base.dotted, *parts[1:-1]) if p)
        written = Written(dotted, base.level)
        if written not in legacy_of:
            legacy_of[written] = names.legacy_module(importer, written)
        legacy = legacy_of[written]
        if legacy is None:
            continue
        target = names.target_of(legacy, node.attr)
        if target is None or target == (legacy, node.attr):
            continue
        certain = parts[0] not in uncertain
        out.append(Reach(node, ".".join(parts), legacy, target, certain))
    return out


def rewrite_reaches(
    text: str, tree: ast.Module, found: list[Reach], path: str
) -> tuple[str, Counter[tuple[str, str]], list[Finding]]:
    """Rename what can be renamed in place; report the rest."""
    counts: Counter[tuple[str, str]] = Counter()
    findings: list[Finding] = []
    edits: list[Edit] = []
    starts = _line_starts(text)
    for reach in found:
        node = reach.node
        module, name = reach.target
        if reach.certain and module == reach.legacy:
            end = _offset(text, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
            edits.append((end - len(node.attr), end, name))
            counts[(node.attr, name)] += 1
            continue
        why = (
            f"it now lives in {module}"
            if module != reach.legacy
            else "the name is bound to something else too"
        )
        findings.append(
            LEGACY_NAME_THROUGH_MODULE.finding(
                f"{reach.chain} reaches {reach.legacy}.{node.attr} through a module binding "
                f"and was left as it was ({why}): import {name} from {module} and use it",
                path=path,
                line=node.lineno,
                objects=(f"{reach.legacy}.{node.attr}", f"{module}.{name}"),
            )
        )
    return _splice(text, edits), counts, findings


def _chain(node: ast.Attribute) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None when it does not start at a name."""
    parts: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return None
    parts.append(current.id)
    return parts[::-1]


def _module_bindings(
    tree: ast.Module, importer: SourceFile, names: RenameIndex
) -> tuple[dict[str, Written], set[str]]:
    """Names bound to a module by an import (the first such module), and those of them that
    are also bound otherwise (to another module, or by anything but an import)."""
    modules: dict[str, Written] = {}
    uncertain: set[str] = set()
    others: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, written in _imported(node, importer, names):
                if written is None:
                    others.add(name)
                elif modules.setdefault(name, written) != written:
                    uncertain.add(name)
        else:
            others.update(_bound_names(node))
    uncertain |= others & set(modules)
    return modules, uncertain


def _imported(
    node: ast.Import | ast.ImportFrom, importer: SourceFile, names: RenameIndex
) -> Iterator[tuple[str, Written | None]]:
    """(bound name, the module it is bound to, or None for a name that is no module)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, Written(alias.name)
            else:
                top = alias.name.split(".")[0]
                yield top, Written(top)
        return
    for alias in node.names:
        if alias.name == "*":
            continue
        full = Written(f"{node.module}.{alias.name}" if node.module else alias.name, node.level)
        is_module = (
            names.index.resolve(importer, full.dotted, full.level) is not None
            or names.legacy_module(importer, full) is not None
        )
        yield alias.asname or alias.name, full if is_module else None


def _bound_names(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.id
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        yield from node.names
    elif isinstance(node, ast.MatchAs) and node.name:
        yield node.name
