"""The statements kept beside the classes: the ``db`` initialisation, helpers (those used as
model bases apart), ``Table`` assignments and other statements, each once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from unify.builder.classes import ClassBuild
from unify.builder.legacy import Legacy
from unify.builder.moving import moved
from unify.builder.nodes import chunk, same_code
from unify.models import Finding, ResolvedPlan, Rule, Severity

HELPER_NAME_CLASH = Rule(
    name="helper-name-clash",
    code="B005",
    severity=Severity.ERROR,
    summary="two legacy modules define one helper name differently (or a helper shadows a class); rename one",
)


def db_init(legacies: Mapping[str, Legacy]) -> list[str]:
    """Each ``db = SQLAlchemy()`` (or base factory) once, the target module's first."""
    seen: set[str] = set()
    out: list[str] = []
    for legacy in legacies.values():
        for stmt in legacy.db_init:
            code = chunk(legacy.code(stmt))
            target = code.split("=", 1)[0].strip()
            if target not in seen:
                seen.add(target)
                out.append(code)
    return out or ["# The models' base (`db`, `Model`, `Base`, ...) is imported above."]


def kept_helpers(
    legacies: Mapping[str, Legacy],
    naming: ResolvedPlan,
    built: Sequence[ClassBuild],
    renames: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[str], list[str], list[str], list[Finding]]:
    """Non-model classes, functions and assignments; those used as model bases apart; and
    those a decorator of which names a model (``@event.listens_for(Order, ...)``: they go
    after the models).  ``renames``: per legacy module, the helpers carried under a new
    name."""
    base_names = {n for b in built for n in re.findall(r"^class \w+\(([^)]*)\)", b.code, re.M)}
    base_words = {w.strip().rpartition(".")[2] for group in base_names for w in group.split(",")}
    seen: dict[str, tuple[str, str]] = {}
    models = {b.name for b in built}
    helpers: list[str] = []
    bases: list[str] = []
    after: list[str] = []
    findings: list[Finding] = []
    for legacy in legacies.values():
        carried = (renames or {}).get(legacy.module.name, {})
        for written, node in legacy.helpers:
            name = carried.get(written, written)
            code = moved(legacy, node, naming)
            if name in seen:
                if not same_code(seen[name][1], code):
                    findings.append(_clash_finding(name, seen[name][0], legacy))
                continue
            if name in naming.table_of or name == "db":
                findings.append(_clash_finding(name, "the unified classes", legacy))
                continue
            seen[name] = (legacy.module.name, code)
            if name in base_words:
                bases.append(code)
            else:
                (after if _decorator_names(code, models) else helpers).append(code)
    return helpers, bases, after, findings


def _decorator_names(code: str, names: set[str]) -> bool:
    """Whether a decorator line of the (moved) helper names one of ``names``."""
    for line in code.splitlines():
        if line.startswith("@") and names & set(re.findall(r"\b[A-Za-z_]\w*\b", line)):
            return True
        if line.startswith(("def ", "async def ", "class ")):
            return False
    return False


def _clash_finding(name: str, first: str, legacy: Legacy) -> Finding:
    return HELPER_NAME_CLASH.finding(
        f"{name!r} is defined by {first} and differently by {legacy.module.name}; rename one of them before building",
        path=legacy.module.path,
        objects=(name,),
    )


def kept_tables(legacies: Mapping[str, Legacy], naming: ResolvedPlan) -> dict[str, str]:
    """``variable -> code`` of each ``Table`` assignment, one per unified table."""
    out: dict[str, str] = {}
    tables_seen: set[str] = set()
    for legacy in legacies.values():
        by_var = {t.name: t.table for t in legacy.module.tables}
        for var, stmt in legacy.tables:
            table = naming.tables.get(by_var.get(var, var), by_var.get(var, var))
            if var in out or table in tables_seen:
                continue
            tables_seen.add(table)
            out[var] = moved(legacy, stmt, naming)
    return out


def kept_others(legacies: Mapping[str, Legacy], naming: ResolvedPlan) -> list[str]:
    return [moved(legacy, node, naming) for legacy in legacies.values() for node in legacy.other]
