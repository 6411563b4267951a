"""Star imports: the names a legacy module supplies, and which of them a file uses.

``from legacy import *`` becomes explicit imports of the names the file uses without binding
them (``plan.plan_star``); the names a module supplies are its literal ``__all__``, else its
public top-level names, following its own star imports.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from unify.models import Rule, Severity, SourceFile
from unify.rewrite.log import EditLog
from unify.rewrite.map import RenameIndex
from unify.rewrite.names import ScopeCache
from unify.rewrite.plan import FilePlan, plan_star

ExportLookup = Callable[[str], "frozenset[str] | None"]

UNKNOWN_STAR_EXPORTS = Rule(
    name="unknown-star-exports",
    code="R008",
    severity=Severity.WARNING,
    summary="a star import whose names cannot be listed",
)


def plan_stars(
    plan: FilePlan,
    cache: ScopeCache,
    importer: SourceFile,
    names: RenameIndex,
    exports: ExportLookup,
    log: EditLog,
) -> None:
    """Complete ``plan`` with the file's star imports of legacy modules (the last star import
    of a name supplies it)."""
    if not plan.stars:
        return
    stars = [(node, legacy, written, exports(legacy)) for node, legacy, written in plan.stars]
    every = frozenset().union(*(p for *_, p in stars if p is not None))
    unresolved = cache.unresolved_among(every)
    claimed: set[str] = set()
    for node, legacy, written, provided in reversed(stars):
        if provided is None:
            message = f"cannot list the names {legacy} provides"
            log.findings.append(UNKNOWN_STAR_EXPORTS.finding(message, path=log.path))
            continue
        used = sorted((unresolved & provided) - claimed)
        claimed |= set(used)
        plan.statements[id(node)] = plan_star(node, legacy, written, used, importer, names)


def module_exports(
    source: str, resolve_star: Callable[[str, int], frozenset[str]]
) -> frozenset[str]:
    """The names ``from module import *`` supplies: ``__all__`` when it is a literal list,
    else every public top-level name (star imports of the module followed)."""
    tree = ast.parse(source)
    names: set[str] = set()
    for stmt in tree.body:
        explicit = _literal_all(stmt)
        if explicit is not None:
            return frozenset(explicit)
        names |= _top_level_names(stmt, resolve_star)
    return frozenset(n for n in names if not n.startswith("_"))


def _literal_all(stmt: ast.stmt) -> list[str] | None:
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if not (isinstance(target, ast.Name) and target.id == "__all__"):
        return None
    if isinstance(stmt.value, (ast.List, ast.Tuple)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in stmt.value.elts
    ):
        return [e.value for e in stmt.value.elts]  # type: ignore[attr-defined]
    return None


def _top_level_names(
    stmt: ast.stmt, resolve_star: Callable[[str, int], frozenset[str]]
) -> set[str]:
    if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return {stmt.name}
    if isinstance(stmt, ast.ImportFrom):
        if any(a.name == "*" for a in stmt.names):
            return set(resolve_star(stmt.module or "", stmt.level))
        return {a.asname or a.name for a in stmt.names}
    if isinstance(stmt, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in stmt.names}
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(stmt, (ast.If, ast.Try)):
        out: set[str] = set()
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.stmt):
                out |= _top_level_names(child, resolve_star)
            elif isinstance(child, ast.ExceptHandler):
                for inner in child.body:
                    out |= _top_level_names(inner, resolve_star)
        return out
    return set()
