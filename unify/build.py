"""Build the unified model module and the compat module from the inventory and the plan.

Classes are *moved* with libcst, never regenerated: their methods, properties, docstrings
and comments are kept.  The build applies the resolved plan (merges, table and class
renames, key types, backref renames), drops the legacy glue (circular-import hacks, lazy
``db`` tricks, try/except placeholders, ``extend_existing``) and lays the classes out in
the plan's sections.  ``build_modules`` returns texts and findings; it never writes.

In order (the parts live in ``unify.builder``):

1. ``checks``: the plan against the inventory, the target names against existing packages;
   an error stops here.
2. ``resolve_plan``: what the plan means (final names, tables, types, entities, sections).
3. ``legacy``: each legacy module read once, its statements classified.
4. ``classes``: each [[class]] entry moved, its merge's classes folded in (``moving``
   rewrites every moved statement); ``checks``: backrefs that collide after the merges.
5. ``rendering``: the unified module (``imports``, ``kept`` statements, ``ordering`` of the
   classes in the plan's sections).
6. ``compat``: the compat module (and legacy stubs); ``writing``: where each file goes.

``run_build`` then runs the ``selfcheck`` on a copy of the repository; ``write_build``
writes the files all or nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from unify.builder.bridges import LEGACY_BRIDGE_DROPPED, bridge_findings
from unify.builder.checks import (
    BACKREF_COLLISION,
    MODULE_SHADOWED,
    PLAN_UNKNOWN_NAME,
    UNPLANNED_CLASS,
    check_backrefs,
    check_plan_against,
    check_shadowed,
)
from unify.builder.clashes import HELPER_NAME_RENAMED, IMPORT_NAME_ALIASED, resolve_clashes
from unify.builder.classes import UNRESOLVED_MERGE_CONFLICT, build_class
from unify.builder.compat import (
    COMPAT_NAME_CLASH,
    COMPAT_NAME_MISSING,
    compat_names,
    compat_reexports,
    render_compat,
    render_stub,
)
from unify.builder.dropped import DROPPED_MEMBER, dropped_member_findings
from unify.builder.imports import IMPORT_NAME_CLASH
from unify.builder.kept import HELPER_NAME_CLASH
from unify.builder.legacy import read_legacy
from unify.builder.ordering import SECTION_ORDER
from unify.builder.reexports import Reexports, ancestor_packages
from unify.builder.rendering import render_unified
from unify.builder.selfcheck import RULES as SELFCHECK_RULES
from unify.builder.selfcheck import self_check
from unify.builder.writing import built_file, write_build
from unify.models import (
    BuildResult,
    BuiltFile,
    Inventory,
    MemberChoice,
    Plan,
    ResolvedPlan,
    Severity,
    rule_catalogue,
)
from unify.resolve import legacy_modules_in_order, module_rel, resolve_plan

__all__ = [
    "RULES",
    "SELFCHECK_RULES",
    "build_modules",
    "run_build",
    "self_check",
    "write_build",
]

# The build's rules (the self-check's are SELFCHECK_RULES), each next to its check.
RULES = rule_catalogue(
    UNRESOLVED_MERGE_CONFLICT,
    BACKREF_COLLISION,
    UNPLANNED_CLASS,
    PLAN_UNKNOWN_NAME,
    HELPER_NAME_CLASH,
    COMPAT_NAME_MISSING,
    COMPAT_NAME_CLASH,
    IMPORT_NAME_CLASH,
    IMPORT_NAME_ALIASED,
    HELPER_NAME_RENAMED,
    SECTION_ORDER,
    MODULE_SHADOWED,
    LEGACY_BRIDGE_DROPPED,
    DROPPED_MEMBER,
)


def build_modules(
    root: Path,
    inventory: Inventory,
    plan: Plan,
    *,
    stubs: bool = False,
    python: str = sys.executable,
) -> BuildResult:
    """The unified module, the compat module (and legacy stubs), as texts with findings.

    Error findings (unplanned classes, unresolved merge conflicts, backref collisions)
    mean the texts must not be written.  ``python`` (the app's interpreter, in a
    subprocess) tells whether two imports of one name reach one object."""
    return _build(root, inventory, plan, stubs=stubs, python=python)[0]


def run_build(
    root: Path,
    inventory: Inventory,
    plan: Plan,
    *,
    stubs: bool = False,
    python: str = sys.executable,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build, then self-check the built files (only when the build found no error);
    ``progress(done, 3)`` after the build and each part of the self-check."""
    result, names = _build(root, inventory, plan, stubs=stubs, python=python)
    if not result.files or any(f.severity is Severity.ERROR for f in result.findings):
        return result
    if progress is not None:
        progress(1, 3)
    checked = self_check(
        root, inventory, plan, result.files, names=sorted(names), python=python, progress=progress
    )
    return BuildResult(
        files=result.files,
        findings=result.findings + checked,
        classes=result.classes,
        merged=result.merged,
    )


def _build(
    root: Path, inventory: Inventory, plan: Plan, *, stubs: bool, python: str
) -> tuple[BuildResult, dict[str, str]]:
    """The build's result, and the legacy names the compat module provides."""
    findings = check_plan_against(inventory, plan) + check_shadowed(root, inventory, plan)
    if any(f.severity is Severity.ERROR for f in findings):
        return BuildResult(files=(), findings=tuple(findings)), {}
    naming = resolve_plan(plan, inventory)
    special = set(plan.legacy_modules) | {plan.target_module, plan.compat_module}
    modules = legacy_modules_in_order(inventory, plan)
    legacies = {m.name: read_legacy(root, inventory, m, special) for m in modules}
    findings += bridge_findings(
        (f"{lg.module.name}.{name}", lg.module.path, line)
        for lg in legacies.values()
        for name, line in lg.bridges
    )
    paths = [root / r if r else root for r in (*inventory.import_roots, "")]
    naming, renames = resolve_clashes(
        legacies, naming, paths=paths, python=python, records=inventory.imports
    )
    findings += renames.findings
    entities = {d.source: e for d, e in zip(plan.classes, naming.entities, strict=True)}
    built = [
        build_class(
            d.name, d.section, entities[d.source], legacies, naming, _choices(plan, d.source)
        )
        for d in plan.classes
    ]
    findings += [f for b in built for f in b.findings]
    findings += check_backrefs(naming, entities.values())
    findings += dropped_member_findings(built, inventory, naming)
    reexports = Reexports(
        paths=tuple(paths),
        packages=ancestor_packages([*legacies, plan.target_module]),
        legacy=frozenset(plan.legacy_modules),
    )
    unified, more = render_unified(
        frozenset(inventory.top_level_modules),
        naming,
        legacies,
        built,
        renames.by_module,
        reexports,
    )
    findings += more
    names, more = compat_names(inventory, naming, unified, legacies)
    findings += more
    compat = render_compat(plan, names, compat_reexports(inventory, naming, unified, legacies))
    files = _files(root, inventory, naming, unified, compat, names, stubs)
    merged = sum(len(m.absorbed) for m in plan.merges)
    result = BuildResult(files=files, findings=tuple(findings), classes=len(built), merged=merged)
    return result, names


def _choices(plan: Plan, survivor: str) -> dict[str, MemberChoice]:
    return {c.member: c for m in plan.merges if m.survivor == survivor for c in m.choices}


def _files(
    root: Path,
    inventory: Inventory,
    naming: ResolvedPlan,
    unified: str,
    compat: str,
    names: dict[str, str],
    stubs: bool,
) -> tuple[BuiltFile, ...]:
    plan = naming.plan
    files = [
        built_file(
            root,
            module_rel(inventory, plan, plan.target_module),
            plan.target_module,
            unified,
            "unified",
        ),
        built_file(
            root,
            module_rel(inventory, plan, plan.compat_module),
            plan.compat_module,
            compat,
            "compat",
        ),
    ]
    if stubs:
        for module in legacy_modules_in_order(inventory, plan):
            if module.name != plan.target_module:
                finals = {c.name: c.final for c in naming.compat if c.module == module.name}
                stub = render_stub(plan, module, names, finals)
                files.append(built_file(root, module.path, module.name, stub, "stub"))
    return tuple(files)
