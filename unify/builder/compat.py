"""The compat module (every name a legacy module provided, bound to its unified class) and
the legacy stubs that re-export from it."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from unify.builder.legacy import Legacy
from unify.builder.nodes import code_of, walk
from unify.models import Finding, Inventory, ModelModule, Plan, ResolvedPlan, Rule, Severity
from unify.vocabulary import absolute_module, package_of

COMPAT_NAME_MISSING = Rule(
    name="compat-name-missing",
    code="B006",
    severity=Severity.WARNING,
    summary="a legacy name has no counterpart (removed glue); imports of it will break",
)
COMPAT_NAME_CLASH = Rule(
    name="compat-name-clash",
    code="B007",
    severity=Severity.WARNING,
    summary="one legacy name means two classes in two legacy modules; the compat module keeps the first",
)


def provided_names(text: str) -> set[str]:
    """Top-level names a module's text binds."""
    names: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    return names


def compat_names(
    inventory: Inventory, naming: ResolvedPlan, unified: str, legacies: Mapping[str, Legacy]
) -> tuple[dict[str, str], list[Finding]]:
    """``legacy name -> name in the unified module`` for every legacy name that code imports
    or could import (``legacy_names``) and the unified module binds; the first legacy
    module's meaning wins."""
    provided = provided_names(unified)
    paths = {m.name: m.path for m in inventory.modules}
    wanted = legacy_names(inventory, legacies)
    elsewhere = compat_reexports(inventory, naming, unified, legacies)
    names: dict[str, str] = {}
    findings: list[Finding] = []
    for compat in naming.compat:
        if (compat.module, compat.name) not in wanted:
            continue
        export, new, path = compat.name, compat.final, paths.get(compat.module)
        if new not in provided:
            if not export.startswith("_") and export not in elsewhere:
                findings.append(_missing_finding(compat.module, export, path))
            continue
        if names.get(export, new) != new:
            findings.append(
                COMPAT_NAME_CLASH.finding(
                    f"{compat.module}.{export} means {new} but another legacy module's {export} means {names[export]}; the compat module keeps {names[export]}",
                    path=path,
                    severity=Severity.WARNING,
                    objects=(export,),
                )
            )
            if new not in naming.table_of:  # a constant carried renamed: its stub needs it
                names.setdefault(new, new)
            continue
        names.setdefault(export, new)
    return names, findings


@dataclass(frozen=True, slots=True)
class Reexport:
    """``from source import name [as export]``, which a legacy module ran (under ``if
    TYPE_CHECKING:`` when ``typing``) to provide ``export``."""

    source: str
    name: str
    typing: bool


def compat_reexports(
    inventory: Inventory, naming: ResolvedPlan, unified: str, legacies: Mapping[str, Legacy]
) -> dict[str, Reexport]:
    """``export -> Reexport`` for each legacy name that code imports or could import, which
    the unified module does not bind and the legacy module imported from a module outside
    the plan: the compat module imports it from there (the first legacy module's wins)."""
    provided = provided_names(unified)
    wanted = legacy_names(inventory, legacies)
    inside = set(naming.plan.legacy_modules) | {
        naming.plan.target_module,
        naming.plan.compat_module,
    }
    out: dict[str, Reexport] = {}
    for name, legacy in legacies.items():
        for export, found in _imported_names(legacy).items():
            if (name, export) not in wanted or export in provided or export.startswith("_"):
                continue
            if (
                found.source not in inside
                and found.source.split(".")[0] in inventory.top_level_modules
            ):
                out.setdefault(export, found)
    return out


def _imported_names(legacy: Legacy) -> dict[str, Reexport]:
    """``bound name -> Reexport`` for each ``from X import Y [as Z]`` at the module's top
    level or under an ``if`` (``if TYPE_CHECKING:`` marks it typing only)."""
    package = package_of(legacy.module.name, legacy.module.path.endswith("__init__.py"))
    out: dict[str, Reexport] = {}

    def visit(body: list[ast.stmt], typing: bool) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If):
                guard = "TYPE_CHECKING" in ast.unparse(stmt.test)
                visit(stmt.body, typing or guard)
                visit(stmt.orelse, typing)
            elif isinstance(stmt, ast.ImportFrom) and stmt.module is not None:
                source = absolute_module(package, stmt.module, stmt.level)
                if source is None:
                    continue  # (above the top-level package: Python refuses it too)
                for alias in stmt.names:
                    if alias.name != "*":
                        out.setdefault(
                            alias.asname or alias.name, Reexport(source, alias.name, typing)
                        )

    visit(ast.parse(legacy.tree.code).body, False)
    return out


def legacy_names(inventory: Inventory, legacies: Mapping[str, Legacy]) -> set[tuple[str, str]]:
    """``(legacy module, name)`` for each name code imports from a legacy module (by name, by
    a star import it uses, as ``module.name``), and each public name a legacy module defines
    or aliases; not its private names nor what it imports from outside the repository
    (``uuid``, ``SQLAlchemy``), unless code imports them from it."""
    wanted = {(i.target, n.name) for i in inventory.imports for n in i.names}
    wanted |= {(a.module, a.name) for a in inventory.module_attributes}
    for legacy in legacies.values():
        module = legacy.module
        outside = _imported_from_outside(legacy)
        wanted |= {
            (module.name, e) for e in module.exports if not e.startswith("_") and e not in outside
        }
    return wanted


def _imported_from_outside(legacy: Legacy) -> set[str]:
    """Names the module binds only by importing them from outside the repository."""
    module = legacy.module
    local = {r.name for r in module.reexports} | {a.name for a in module.aliases}
    bound: set[str] = set()
    for stmt in legacy.tree.body:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            continue
        for node in walk(stmt):
            if isinstance(node, cst.Import):
                bound |= {
                    code_of(a.asname.name) if a.asname else code_of(a.name).split(".")[0]
                    for a in node.names
                }
            elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                bound |= {
                    code_of(a.asname.name) if a.asname else code_of(a.name) for a in node.names
                }
    defined = _defined_otherwise(legacy.tree)
    return bound - local - defined


def _defined_otherwise(tree: cst.Module) -> set[str]:
    """Top-level names bound by a definition or an assignment (not an import)."""
    out: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            out.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = small.targets if isinstance(small, cst.Assign) else []
                out |= {t.target.value for t in targets if isinstance(t.target, cst.Name)}
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    out.add(small.target.value)
    return out


def _missing_finding(module: str, export: str, path: str | None) -> Finding:
    return COMPAT_NAME_MISSING.finding(
        f"{module}.{export} has no counterpart in the unified module (legacy glue removed); imports of it will break",
        path=path,
        severity=Severity.WARNING,
        objects=(export,),
    )


def render_compat(
    plan: Plan, names: dict[str, str], reexports: Mapping[str, Reexport] | None = None
) -> str:
    imported = sorted({new for new in names.values()} | {e for e, n in names.items() if e == n})
    aliases = sorted((e, n) for e, n in names.items() if e != n)
    lines = [
        '"""Compatibility module (temporary): every name the legacy model modules provided.',
        "",
        "Built by `unify build`.  Old imports keep working through it during the migration;",
        f"import from {plan.target_module} instead, and delete this module once nothing imports it.",
        '"""',
        "",
        f"from {plan.target_module} import (  # noqa: F401",
        *(f"    {n}," for n in imported),
        ")",
    ]
    if reexports:
        lines += ["", "# Names the legacy modules imported from elsewhere"]
        lines += _reexport_lines(reexports)
    if aliases:
        lines += ["", "# Legacy names of renamed or merged classes"]
        lines += [f"{old} = {new}" for old, new in aliases]
    return "\n".join(lines) + "\n"


def _reexport_lines(reexports: Mapping[str, Reexport]) -> list[str]:
    def line(export: str, found: Reexport) -> str:
        alias = f" as {export}" if export != found.name else ""
        return f"from {found.source} import {found.name}{alias}  # noqa: F401"

    now = [line(e, f) for e, f in sorted(reexports.items()) if not f.typing]
    later = [line(e, f) for e, f in sorted(reexports.items()) if f.typing]
    if later:
        now = ["from typing import TYPE_CHECKING", "", *now, "if TYPE_CHECKING:"]
        now += [f"    {text}" for text in later]
    return now


def render_stub(
    plan: Plan,
    module: ModelModule,
    names: Mapping[str, str],
    finals: Mapping[str, str] | None = None,
) -> str:
    """``finals``: what this module's names mean in the unified module; one the compat
    module binds to another meaning (a constant carried renamed) is imported under the old
    name from its own."""
    finals = finals or {}
    kept = sorted(
        f"{finals[e]} as {e}" if e in finals and names[e] != finals[e] and finals[e] in names else e
        for e in module.exports
        if e in names
    )
    return "\n".join(
        [
            f'"""Legacy module {module.name}: a stub.  Its models now live in {plan.target_module}.',
            "",
            f"Import from {plan.target_module} instead; these names come from {plan.compat_module}.",
            '"""',
            "",
            f"from {plan.compat_module} import (  # noqa: F401",
            *(f"    {n}," for n in kept),
            ")",
            "",
        ]
    )
