"""The rename map of a resolved plan: what imports of legacy modules become, per phase
(read by ``unify rewrite --plan``)."""

from __future__ import annotations

from typing import Literal

from unify.models import ModuleMove, Rename, RenameMap, ResolvedPlan


def rename_map(resolved: ResolvedPlan, phase: Literal["compat", "final"]) -> RenameMap:
    """What imports of legacy modules become.

    ``compat``: every legacy module other than the target moves to the compat module, which
    provides every legacy name unchanged; renamed names of a legacy module that has the
    target's name are taken from the compat module.  ``final``: every legacy module and the
    compat module move to the target module, and every renamed name is renamed.
    """
    plan, names = resolved.plan, resolved.renamed
    tables = tuple(sorted(plan.tables, key=lambda t: t.old))
    # raw SQL naming a table that changes is reported; edited only in the final phase
    table_moves = tuple(sorted(resolved.table_moves, key=lambda m: m.legacy))
    rewrite_sql = plan.rewrite_sql and phase == "final"
    if phase == "compat":
        moves = [
            ModuleMove(legacy=m, target=plan.compat_module)
            for m in plan.legacy_modules
            if m != plan.target_module
        ]
        renames = [
            Rename(legacy_module=m, legacy_name=n, module=plan.compat_module, name=n)
            for (m, n) in names
            if m == plan.target_module
        ]
        return RenameMap(
            moves=tuple(moves),
            renames=tuple(sorted(renames, key=_rename_key)),
            tables=tables,
            table_moves=table_moves,
            rewrite_sql=rewrite_sql,
        )
    moves = [
        ModuleMove(legacy=m, target=plan.target_module)
        for m in plan.legacy_modules
        if m != plan.target_module
    ]
    moves.append(ModuleMove(legacy=plan.compat_module, target=plan.target_module))
    renames = [
        Rename(legacy_module=m, legacy_name=n, module=plan.target_module, name=new)
        for (m, n), new in names.items()
    ]
    renames += [
        Rename(legacy_module=plan.compat_module, legacy_name=n, module=plan.target_module, name=new)
        for (_, n), new in names.items()
    ]
    unique = {(r.legacy_module, r.legacy_name): r for r in renames}
    return RenameMap(
        moves=tuple(moves),
        renames=tuple(sorted(unique.values(), key=_rename_key)),
        tables=tables,
        table_moves=table_moves,
        rewrite_sql=rewrite_sql,
    )


def _rename_key(rename: Rename) -> tuple[str, str]:
    return (rename.legacy_module, rename.legacy_name)
