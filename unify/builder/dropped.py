"""Members a merge drops: a method or attribute both sides define differently loses on one
side; its callers (the inventory's ``Class.member`` uses) would get the other behaviour."""

from __future__ import annotations

from collections.abc import Iterable

from unify.builder.classes import ClassBuild, DroppedMember
from unify.models import Finding, Inventory, ModelClass, ResolvedPlan, Rule, Severity

DROPPED_MEMBER = Rule(
    name="dropped-member",
    code="B012",
    severity=Severity.WARNING,
    summary="a merge keeps one side's method or attribute and drops the other's; its callers get the winner's",
)

_SHOWN = 5  # callers named in a message


def dropped_member_findings(
    built: Iterable[ClassBuild], inventory: Inventory, naming: ResolvedPlan
) -> list[Finding]:
    """One finding per member a merge dropped or kept under a new name (columns and
    relationships aside: the plan's choice of their definition is the decision itself)."""
    out: list[Finding] = []
    for build in built:
        for dropped in build.dropped:
            loser = naming.classes.get(dropped.loser)
            if loser is None or _is_mapped(loser, dropped.member):
                continue
            callers = sorted(
                {
                    (u.path, u.line)
                    for u in inventory.attribute_uses
                    if u.model == dropped.loser and u.attr == dropped.member
                }
            )
            out.append(_finding(build.name, loser, dropped, callers))
    return out


def _is_mapped(cls: ModelClass, member: str) -> bool:
    return any(c.attr == member for c in cls.columns) or any(
        r.attr == member for r in cls.relationships
    )


def _finding(
    final: str, loser: ModelClass, dropped: DroppedMember, callers: list[tuple[str, int]]
) -> Finding:
    member, name = dropped.member, f"{loser.name}.{dropped.member}"
    where = ", ".join(f"{p}:{line}" for p, line in callers[:_SHOWN])
    more = f" and {len(callers) - _SHOWN} more" if len(callers) > _SHOWN else ""
    calls = (
        f"called as {name} from {where}{more}"
        if callers
        else f"no caller through {loser.name} found (calls on instances are not traced)"
    )
    if dropped.kept_as:
        message = (
            f"{final}.{member} is {dropped.winner}'s; {dropped.loser}'s is kept as "
            f"{final}.{dropped.kept_as}: {calls}; point them at {dropped.kept_as}"
        )
        severity = Severity.INFO
    else:
        message = (
            f"{final}.{member} is {dropped.winner}'s; {dropped.loser}'s is dropped: {calls}; "
            f'to keep it too: {member} = "{dropped.winner} keep-both:legacy_{member.strip("_")}" '
            f"under [merge.choices]"
        )
        severity = Severity.WARNING
    return DROPPED_MEMBER.finding(
        message,
        path=loser.path,
        line=loser.line,
        severity=severity,
        objects=(final, member, dropped.loser),
    )
