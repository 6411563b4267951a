"""``unify status``: where a unification stands, one phase a line, each with the command
that moves it on.  A layer above the stages (like ``report``): it reads every phase through
the stages' front modules and writes nothing.

In order:

1. ``decisions``: the decisions file loads and validates;
2. ``build``: the unified module was written by ``unify build`` and has the plan's classes
   and tables (a static comparison: the legacy classes it was built from may be gone);
3. ``imports``: what ``unify rewrite --check`` (final phase) would still change, per folder,
   and the static imports of each legacy module left; dynamic references are listed;
4. ``compat``: the compat module's importers, then the module itself (removed at the end);
5. ``archive``: the legacy modules (other than the unified one) moved away;
6. ``database``: ``unify verify`` against the restored database, only when a URL is given.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from unify import analyze, archive, decisions, diagram, rewrite_imports, verify_fks
from unify.db import target_server
from unify.errors import InputError, PlanError
from unify.models import (
    Failed,
    Inventory,
    PhaseStatus,
    Plan,
    Rewritten,
    Severity,
    StatusReport,
)
from unify.resolve import resolve_plan

__all__ = ["PHASES", "gather_status"]

PHASES = ("decisions", "build", "imports", "compat", "archive", "database")


def gather_status(root: Path, plan_file: Path, *, database_url: str | None = None) -> StatusReport:
    """Every phase's state; nothing is written.  An invalid decisions file leaves the other
    phases not checked."""
    args = f"{root} --plan {plan_file}"
    try:
        plan = decisions.load_plan(plan_file)
    except PlanError as exc:
        first = PhaseStatus(
            phase="decisions",
            state="todo",
            detail=f"{len(exc.problems) or 1} problem(s): {exc.message}",
            next=f"edit {plan_file} (or write one: unify plan {root} -o {plan_file})",
        )
        rest = [PhaseStatus(phase=p, state="not-checked", detail="-") for p in PHASES[1:]]
        return StatusReport(root=str(root), plan=str(plan_file), phases=(first, *rest))
    files = archive.module_files(root, plan)
    inventory = analyze.analyze_repo(root, models=tuple(files.values()))
    present = tuple(p for p in plan.legacy_paths if (root / p).is_file())
    try:  # what `unify rewrite` and `unify verify` resolve the plan against
        planned = analyze.analyze_repo(root, models=present)
    except InputError:
        planned = inventory
    phases = (
        PhaseStatus(
            phase="decisions",
            state="done",
            detail=f"{plan_file} valid: {len(plan.classes)} classes, "
            f"{len(plan.legacy_modules)} legacy module(s)",
        ),
        built := _build(plan, files, inventory, args),
        _imports(root, plan, files, inventory, planned, args),
        _compat(plan, files, inventory, args, built=built.state == "done"),
        _archive(plan, files, args),
        _database(root, plan, planned, database_url, args),
    )
    return StatusReport(root=str(root), plan=str(plan_file), phases=phases)


def _build(plan: Plan, files: dict[str, str], inventory: Inventory, args: str) -> PhaseStatus:
    rel = files.get(plan.target_module)
    root = Path(inventory.root)
    if rel is None or not diagram.is_built(root / rel):
        where = rel or plan.target_module
        return PhaseStatus(
            phase="build",
            state="todo",
            detail=f"{where}: not built yet",
            next=f"unify build {args}",
        )
    module = next((m for m in inventory.modules if m.name == plan.target_module), None)
    have = {c.name: c.table or "" for c in module.classes if not c.guarded} if module else {}
    differ = [
        d.name for d in plan.classes if d.name not in have or (d.table and have[d.name] != d.table)
    ]
    if differ:
        shown = ", ".join(differ[:5]) + (", ..." if len(differ) > 5 else "")
        return PhaseStatus(
            phase="build",
            state="todo",
            detail=f"{rel}: stale, {len(differ)} planned class(es) missing or on another "
            f"table ({shown})",
            next=f"unify build {args}",
        )
    return PhaseStatus(
        phase="build", state="done", detail=f"{rel}: built, {len(plan.classes)} classes as planned"
    )


def _imports(
    root: Path,
    plan: Plan,
    files: dict[str, str],
    inventory: Inventory,
    planned: Inventory,
    args: str,
) -> PhaseStatus:
    renames = decisions.rename_map(resolve_plan(plan, planned), "final")
    result = rewrite_imports.rewrite_repo(
        root, renames, legacy_paths=plan.legacy_paths, compat_module=plan.compat_module, jobs=1
    )
    left = [o.path for o in result.outcomes if isinstance(o, (Rewritten, Failed))]
    legacy = {files[m]: m for m in plan.legacy_modules if m != plan.target_module and m in files}
    per_module = Counter(
        legacy[r.target_path]
        for r in inventory.imports
        if r.target_path in legacy and r.path not in legacy
    )
    retired = {m for m in plan.legacy_modules if m != plan.target_module}
    dynamic = [
        f"{d.path}:{d.line}"
        for d in inventory.dynamic_imports
        if d.module in retired and d.path not in legacy
    ]
    note = f"; {len(dynamic)} dynamic reference(s) to edit by hand ({', '.join(dynamic)})"
    note = note if dynamic else ""
    if not left:
        return PhaseStatus(phase="imports", state="done", detail=f"no legacy import left{note}")
    groups = Counter(p.rpartition("/")[0] + "/" if "/" in p else "./" for p in left)
    by_folder = ", ".join(f"{g} {n}" for g, n in sorted(groups.items()))
    by_module = ", ".join(f"{m} {n}" for m, n in sorted(per_module.items()))
    modules = f"; imports of {by_module}" if by_module else ""
    return PhaseStatus(
        phase="imports",
        state="todo",
        detail=f"{len(left)} file(s) to rewrite ({by_folder}){modules}{note}",
        next=f"unify rewrite {args} (--only PATH for one group at a time)",
    )


def _compat(
    plan: Plan, files: dict[str, str], inventory: Inventory, args: str, *, built: bool
) -> PhaseStatus:
    rel = files.get(plan.compat_module)
    if rel is None and not built:
        return PhaseStatus(
            phase="compat",
            state="todo",
            detail=f"{plan.compat_module}: not built yet",
            next=f"unify build {args}",
        )
    if rel is None:
        return PhaseStatus(phase="compat", state="done", detail=f"{plan.compat_module}: removed")
    users = sorted({r.path for r in inventory.imports if r.target_path == rel and r.path != rel})
    if users:
        shown = ", ".join(users[:5]) + (", ..." if len(users) > 5 else "")
        return PhaseStatus(
            phase="compat",
            state="todo",
            detail=f"{rel}: imported by {len(users)} file(s) ({shown})",
            next=f"unify rewrite {args} --phase final",
        )
    return PhaseStatus(
        phase="compat",
        state="todo",
        detail=f"{rel}: no importer left; still present",
        next=f"unify archive {args} --remove-compat",
    )


def _archive(plan: Plan, files: dict[str, str], args: str) -> PhaseStatus:
    leaving = (*plan.legacy_modules, *plan.retired_modules)
    retired = [m for m in leaving if m != plan.target_module]
    left = [files[m] for m in retired if m in files]
    if left:
        return PhaseStatus(
            phase="archive",
            state="todo",
            detail=f"{len(left)} legacy file(s) still in place ({', '.join(left)})",
            next=f"unify archive {args}",
        )
    kept = (
        f"; {plan.target_module} is the unified module"
        if plan.target_module in (plan.legacy_modules)
        else ""
    )
    return PhaseStatus(
        phase="archive",
        state="done",
        detail=f"{len(retired)} legacy module(s) gone ({', '.join(retired) or '-'}){kept}",
    )


def _database(
    root: Path, plan: Plan, inventory: Inventory, url: str | None, args: str
) -> PhaseStatus:
    if not url:
        return PhaseStatus(
            phase="database",
            state="not-checked",
            detail="not checked (give --database-url of the restored database)",
        )
    with target_server(url) as target:
        result = verify_fks.verify(root, resolve_plan(plan, inventory), target)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if errors:
        return PhaseStatus(
            phase="database",
            state="todo",
            detail=f"{result.database}: {len(errors)} error finding(s)",
            next=f"unify verify {args} --database-url URL",
        )
    return PhaseStatus(
        phase="database", state="done", detail=f"{result.database}: verified, no error finding"
    )
