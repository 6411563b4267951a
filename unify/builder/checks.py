"""What stops a build before or after the classes move: the plan against the inventory (every
planned name exists, every class is planned), the built modules' names against existing
packages, and backrefs that collide once classes merge."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from unify.models import Entity, Finding, Inventory, Plan, ResolvedPlan, Rule, Severity
from unify.resolve import backref_collisions, module_rel

BACKREF_COLLISION = Rule(
    name="backref-collision",
    code="B002",
    severity=Severity.ERROR,
    summary="after a merge two relationships (or a relationship and a member) claim one attribute; add a [[backref]] rename",
)
UNPLANNED_CLASS = Rule(
    name="unplanned-class",
    code="B003",
    severity=Severity.ERROR,
    summary="a class of a legacy module has no decision; add a [[class]] entry or absorb it in a [[merge]]",
)
PLAN_UNKNOWN_NAME = Rule(
    name="plan-unknown-name",
    code="B004",
    severity=Severity.ERROR,
    summary="the plan names a module or class the repository does not define; fix or drop the entry",
)
MODULE_SHADOWED = Rule(
    name="module-shadowed",
    code="B010",
    severity=Severity.ERROR,
    summary="the unified or compat module is named like an existing package, which would win on import; choose another name",
)


def check_plan_against(inventory: Inventory, plan: Plan) -> list[Finding]:
    """Every planned class exists, every real class of a legacy module is planned."""
    findings: list[Finding] = []
    known = {m.name for m in inventory.modules}
    classes = {c.qualname: c for m in inventory.modules for c in m.classes if not c.guarded}
    for name in plan.legacy_modules:
        if name not in known:
            findings.append(
                PLAN_UNKNOWN_NAME.finding(
                    f"legacy module {name!r} of the plan is not a model module of the repository",
                    path=plan.path,
                )
            )
    planned = {d.source for d in plan.classes} | {a for m in plan.merges for a in m.absorbed}
    for name in sorted(planned - classes.keys()):
        findings.append(
            PLAN_UNKNOWN_NAME.finding(
                f"the plan names {name}, which the repository does not define (outside a placeholder)",
                path=plan.path,
                objects=(name,),
            )
        )
    for qualname, cls in classes.items():
        if cls.module in plan.legacy_modules and qualname not in planned:
            findings.append(
                UNPLANNED_CLASS.finding(
                    f"{qualname} has no decision: add a [[class]] entry for it or absorb it in a [[merge]]",
                    path=cls.path,
                    line=cls.line,
                    objects=(qualname,),
                )
            )
    return findings


def check_shadowed(root: Path, inventory: Inventory, plan: Plan) -> list[Finding]:
    """``pkg/models.py`` beside a package ``pkg/models/`` is never imported."""
    out = []
    for module in (plan.target_module, plan.compat_module):
        rel = module_rel(inventory, plan, module)
        package = PurePosixPath(rel).with_suffix("") / "__init__.py"
        if rel.endswith(".py") and (root / package).is_file():
            out.append(
                MODULE_SHADOWED.finding(
                    f"{module} is already the package {package}, which would win over a "
                    f"{rel} beside it; choose another target_module/compat_module",
                    path=str(package),
                    objects=(module,),
                )
            )
    return out


def check_backrefs(naming: ResolvedPlan, entities: Iterable[Entity]) -> list[Finding]:
    """A backref another relationship or a member of its target already claims."""
    merges = naming.plan.merges
    collisions = backref_collisions(entities, naming.final, merges, naming.backrefs)
    findings: list[Finding] = []
    for (target, backref), owners in sorted(collisions.items()):
        real = [o for o in owners if o[0]]
        who = ", ".join(f"{o}.{r}" for o, r in real)
        clash = "another relationship's backref" if len(real) > 1 else "a member of the class"
        owner = real[-1]
        cls = naming.classes.get(owner[0])
        findings.append(
            BACKREF_COLLISION.finding(
                f"backref {target}.{backref} (from {who}) collides with {clash} after the merge; "
                f'rename it: [[backref]] model = "{owner[0]}", relationship = "{owner[1]}", rename_to = "..."',
                path=cls.path if cls else None,
                line=cls.line if cls else None,
                objects=(target, backref),
            )
        )
    return findings
