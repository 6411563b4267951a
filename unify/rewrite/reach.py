"""Names of legacy modules reached through a module binding, after the import rewrite:
``import models; models.Old``, ``import models as m; m.Old``, ``import pkg; pkg.legacy.X``,
``import a; a.b.c()``, ``from a.b.c import d; d.e.f``.

Read on the rewritten text: a chain that still reaches a legacy module through a binding is
one the import rewrite did not follow.  When the name stays in its module under a new name
and the binding is certainly that module (bound by imports of it alone), the attribute is
renamed in place.  When it moves to another module, the chain becomes the name itself,
imported from its new module by a line added after the one module-level import that binds
the chain's start (``import a.b; a.b.c()`` -> ``from d import c`` and ``c()``), provided the
name is nowhere else in the file.  Otherwise the use is reported, so that ``--check`` fails
until a person has rewritten it.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from unify.models import Finding, Rule, Severity, SourceFile
from unify.rewrite.map import RenameIndex, Written
from unify.rewrite.uses import _NEWLINE, Edit, _line_starts, _offset, _splice
from unify.syntax import ast_nodes

LEGACY_NAME_THROUGH_MODULE = Rule(
    name="legacy-name-through-module",
    code="R016",
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
    anchor: ast.stmt | None  # the one module-level import binding the chain's start


def reaches(
    tree: ast.Module,
    importer: SourceFile,
    names: RenameIndex,
    nodes: list[ast.AST] | None = None,
) -> list[Reach]:
    """Every use of a legacy module's moved or renamed name through a module binding;
    ``nodes`` is the tree's node listing (``rewrite.bindings.ast_nodes``) when already made."""
    if nodes is None:
        nodes = ast_nodes(tree)
    modules, uncertain, anchors = _module_bindings(tree, nodes, importer, names)
    if not modules:
        return []
    legacy_of: dict[Written, str | None] = {}

    def legacy_at(written: Written) -> str | None:
        if written not in legacy_of:
            legacy_of[written] = names.legacy_module(importer, written)
        return legacy_of[written]

    out: list[Reach] = []
    for node in nodes:
        if type(node) is not ast.Attribute:
            continue
        parts = _chain(node)
        if parts is None or parts[0] not in modules:
            continue
        base = modules[parts[0]]
        certain = parts[0] not in uncertain
        anchor = anchors.get(parts[0])
        whole = legacy_at(Written(".".join(p for p in (base.dotted, *parts[1:]) if p), base.level))
        moved = names.module_target(whole) if whole is not None else None
        if moved is not None:  # a legacy module that moves, reached through its package
            out.append(Reach(node, ".".join(parts), whole or "", (moved, ""), False, None))
            continue
        legacy = legacy_at(
            Written(".".join(p for p in (base.dotted, *parts[1:-1]) if p), base.level)
        )
        if legacy is None:
            continue
        target = names.target_of(legacy, node.attr)
        if target is None or target == (legacy, node.attr):
            continue
        out.append(Reach(node, ".".join(parts), legacy, target, certain, anchor))
    return out


def rewrite_reaches(
    text: str, tree: ast.Module, found: list[Reach], path: str
) -> tuple[str, Counter[tuple[str, str]], list[Finding]]:
    """Rename what can be renamed in place, import what moved; report the rest."""
    counts: Counter[tuple[str, str]] = Counter()
    findings: list[Finding] = []
    edits: list[Edit] = []
    starts = _line_starts(text)
    added: dict[tuple[str, str], ast.stmt] = {}
    # where the chains name their attribute: not an occurrence of the name elsewhere
    own = {
        _offset(text, starts, r.node.end_lineno or r.node.lineno, r.node.end_col_offset or 0)
        - len(r.node.attr)
        for r in found
    }
    replaced: list[tuple[int, int]] = []
    for reach in found:  # outer chains first (``ast.walk`` order)
        node = reach.node
        module, name = reach.target
        end = _offset(text, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
        start = _offset(text, starts, node.lineno, node.col_offset)
        if any(a <= start and end <= b for a, b in replaced):
            continue  # inside a chain already rewritten whole
        if reach.certain and module == reach.legacy:
            edits.append((end - len(node.attr), end, name))
            counts[(node.attr, name)] += 1
            continue
        if reach.certain and _importable(text, starts, reach, added, own):
            assert reach.anchor is not None
            added.setdefault(reach.target, reach.anchor)
            edits.append((start, end, name))
            replaced.append((start, end))
            counts[(reach.chain, name)] += 1
            continue
        findings.append(_left(reach, path))
    newline = _NEWLINE.search(text)
    end_of_line = newline.group() if newline else "\n"
    for (module, name), anchor in added.items():
        at = _offset(text, starts, anchor.end_lineno or anchor.lineno, anchor.end_col_offset or 0)
        edits.append((at, at, f"{end_of_line}from {module} import {name}"))
    return _splice(text, edits), counts, findings


def _left(reach: Reach, path: str) -> Finding:
    module, name = reach.target
    if not name:  # the module itself, through its package
        message = (
            f"{reach.chain} reaches legacy module {reach.legacy} through its package and was "
            f"left as it was: import {module} and use it"
        )
        objects = (reach.legacy, module)
    else:
        why = (
            "the name is bound to something else too"
            if not reach.certain
            else (f"it now lives in {module}")
        )
        message = (
            f"{reach.chain} reaches {reach.legacy}.{reach.node.attr} through a module binding "
            f"and was left as it was ({why}): import {name} from {module} and use it"
        )
        objects = (f"{reach.legacy}.{reach.node.attr}", f"{module}.{name}")
    return LEGACY_NAME_THROUGH_MODULE.finding(
        message, path=path, line=reach.node.lineno, objects=objects
    )


def _importable(
    text: str,
    starts: list[int],
    reach: Reach,
    added: dict[tuple[str, str], ast.stmt],
    own: set[int],
) -> bool:
    """Whether the chain can become its name, imported after the binding's import: one
    module-level import binds the chain's start, nothing follows it on its line, and the
    name appears nowhere in the file (unless this rewrite imports it already)."""
    anchor = reach.anchor
    if anchor is None or not reach.target[0]:
        return False
    name = reach.target[1]
    if reach.target in added:
        return True
    if any(n == name for _, n in added):
        return False
    word = re.compile(rf"\b{re.escape(name)}\b")
    if any(m.start() not in own for m in word.finditer(text)):
        return False
    at = _offset(text, starts, anchor.end_lineno or anchor.lineno, anchor.end_col_offset or 0)
    rest = text[at:].split("\n", 1)[0]
    return not rest.strip() or rest.lstrip().startswith("#")


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
    tree: ast.Module, nodes: list[ast.AST], importer: SourceFile, names: RenameIndex
) -> tuple[dict[str, Written], set[str], dict[str, ast.stmt]]:
    """Names bound to a module by an import (the first such module); those of them that are
    also bound otherwise (to another module, or by anything but an import); and for each
    name bound by exactly one import, at module level, that import."""
    modules: dict[str, Written] = {}
    uncertain: set[str] = set()
    others: set[str] = set()
    binders: dict[str, list[ast.stmt]] = {}
    for node in nodes:
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                others.add(node.id)
            continue
        if type(node) not in _BINDERS:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, written in _imported(node, importer, names):
                binders.setdefault(name, []).append(node)
                if written is None:
                    others.add(name)
                elif modules.setdefault(name, written) != written:
                    uncertain.add(name)
        else:
            others.update(_bound_names(node))
    uncertain |= others & set(modules)
    top = {id(stmt) for stmt in tree.body}
    anchors = {
        name: stmts[0]
        for name, stmts in binders.items()
        if len({id(n) for n in stmts}) == 1 and id(stmts[0]) in top
    }
    return modules, uncertain, anchors


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


# the node types that bind a name (``_bound_names``), and the imports
_BINDERS = frozenset(
    {
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.arg,
        ast.ExceptHandler,
        ast.Global,
        ast.Nonlocal,
        ast.MatchAs,
    }
)
