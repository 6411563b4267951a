"""Star imports: the names a legacy module supplies, and which of them a file uses.

``from legacy import *`` becomes explicit imports of the names the file uses without binding
them (``plan.plan_star``); the names a module supplies are its literal ``__all__``, else its
public top-level names, following its own star imports.  They are the names the legacy
module supplied: for a module that ``unify build`` rewrote in place, those of its last
version before the build (``rewrite.history``).  When the module no longer supplies a name
the file takes from the star (and the plan moves it nowhere), the star is left as written
and reported: no written-out import could keep the file working.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from unify.models import Rule, Severity, SourceFile
from unify.rewrite.log import EditLog
from unify.rewrite.map import RenameIndex
from unify.rewrite.names import ScopeCache
from unify.rewrite.plan import FilePlan, plan_star


@dataclass(frozen=True, slots=True)
class Exports:
    """What ``from module import *`` supplied.  ``now``: what the module supplies today, when
    ``unify build`` rewrote it in place (None otherwise); ``known``: False when its legacy
    version was not found and ``names`` are today's names."""

    names: frozenset[str]
    now: frozenset[str] | None = None
    known: bool = True


ExportLookup = Callable[[str], "Exports | None"]

UNKNOWN_STAR_EXPORTS = Rule(
    name="unknown-star-exports",
    code="R008",
    severity=Severity.WARNING,
    summary="a star import whose names cannot be listed",
)
STAR_NAME_GONE = Rule(
    name="star-name-gone",
    code="R014",
    severity=Severity.WARNING,
    summary="a name a star import supplied that its module no longer provides",
)
STAR_EXPORTS_GUESSED = Rule(
    name="star-exports-guessed",
    code="R015",
    severity=Severity.WARNING,
    summary="a star import of a rebuilt module whose legacy version is not in git",
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
    supplied = {legacy: _supplied(legacy, found, names) for _, legacy, _, found in stars}
    every = frozenset().union(*(p for p in supplied.values() if p is not None))
    unresolved = cache.unresolved_among(every)
    claimed: set[str] = set()
    for node, legacy, written, found in reversed(stars):
        provided = supplied[legacy]
        if found is None or provided is None:
            message = f"cannot list the names {legacy} provides"
            log.findings.append(UNKNOWN_STAR_EXPORTS.finding(message, path=log.path))
            continue
        used = sorted((unresolved & provided) - claimed)
        claimed |= set(used)
        gone = [n for n in used if _gone(legacy, n, found, names)]
        if gone:
            message = (
                f"`from {written.text()} import *` supplied {', '.join(gone)}, which "
                f"{legacy} no longer provides: the star is left as written; import "
                f"{', '.join(used)} by hand, each from where it lives now"
            )
            log.findings.append(STAR_NAME_GONE.finding(message, path=log.path, objects=tuple(gone)))
            continue
        if not found.known and used:
            message = (
                f"{legacy} was rewritten by unify build and its legacy version is not in git: "
                f"`from {written.text()} import *` is taken to supply {', '.join(used)} "
                "(check that it did)"
            )
            log.findings.append(STAR_EXPORTS_GUESSED.finding(message, path=log.path))
        plan.statements[id(node)] = plan_star(node, legacy, written, used, importer, names)


def _supplied(legacy: str, found: Exports | None, names: RenameIndex) -> frozenset[str] | None:
    """The names the star supplied; when they are today's names (legacy version unknown),
    with the legacy names the plan renames in that module (it supplied them)."""
    if found is None:
        return None
    if found.known:
        return found.names
    return found.names | {n for (m, n) in names.renames if m == legacy}


def _gone(legacy: str, name: str, found: Exports, names: RenameIndex) -> bool:
    """A name the star supplied that stays in the module, which no longer provides it."""
    if found.now is None or name in found.now:
        return False
    target = names.target_of(legacy, name)
    return target is None or target == (legacy, name)


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
