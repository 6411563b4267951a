"""The plan against the repository, as build checks it: every class the plan names must be
defined (or, in a stub, provided) by its legacy module, when that module's file is there."""

from __future__ import annotations

from unify.models import Finding, Inventory, Plan, Rule, Severity

PLAN_UNKNOWN_CLASS = Rule(
    name="plan-unknown-class",
    code="R010",
    severity=Severity.ERROR,
    summary="the plan names a class its legacy module does not define; nothing is written",
)


def check_plan_classes(plan: Plan, inventory: Inventory) -> tuple[Finding, ...]:
    """A finding for each ``[[class]]`` source or merged class its module lacks; modules
    without a file (already deleted) are not checked."""
    modules = {m.name: m for m in inventory.modules}
    planned = {d.source for d in plan.classes} | {a for m in plan.merges for a in m.absorbed}
    out: list[Finding] = []
    for qualname in sorted(planned):
        module_name, _, name = qualname.rpartition(".")
        module = modules.get(module_name)
        if module is None or name in module.exports or any(c.name == name for c in module.classes):
            continue
        out.append(
            PLAN_UNKNOWN_CLASS.finding(
                f"the plan names {qualname}, which {module.path} does not define; "
                "fix or drop the entry (then run unify build again)",
                path=plan.path,
                objects=(qualname,),
            )
        )
    return tuple(out)
