"""Rules about class members: ``unresolved-relationship`` (a target defined nowhere) and
``attribute-drift`` (a use of an attribute the class does not define)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from unify.inventory.rules.near import did_you_mean
from unify.models import AttributeUse, Finding, ModelClass, Rule, Severity

UNRESOLVED_RELATIONSHIP = Rule(
    name="unresolved-relationship",
    code="U007",
    severity=Severity.ERROR,
    summary="relationship to a class defined nowhere",
)
ATTRIBUTE_DRIFT = Rule(
    name="attribute-drift",
    code="U009",
    severity=Severity.WARNING,
    summary="an attribute the class does not define",
)


def check_relationships(classes: Sequence[ModelClass], defined: Iterable[str]) -> list[Finding]:
    """Relationship targets that name no class anywhere in the repository."""
    names = set(defined)
    out = []
    for cls in classes:
        for rel in cls.relationships:
            if rel.target and rel.target not in names:
                guess = did_you_mean(rel.target, names)
                hint = f" (did you mean '{guess}'?)" if guess else ""
                out.append(
                    UNRESOLVED_RELATIONSHIP.finding(
                        f"{cls.qualname}.{rel.attr} targets class '{rel.target}' which is defined "
                        f"nowhere{hint}; name an existing model class",
                        path=cls.path,
                        line=rel.line,
                        objects=(cls.qualname, rel.target),
                    )
                )
    return out


def check_attribute_drift(
    uses: Sequence[AttributeUse], members: Mapping[str, frozenset[str] | None]
) -> list[Finding]:
    """Uses of ``Class.attr`` / ``filter_by(attr=...)`` the class does not define.  Classes
    whose members cannot be known (unknown bases) map to ``None`` and are skipped.  The
    message names the other classes that do define the attribute, if any."""
    out = []
    seen: set[tuple[str, int, str, str]] = set()
    for use in uses:
        known = members.get(use.model)
        dunder = use.attr.startswith("__") and use.attr.endswith("__")
        if known is None or use.attr in known or dunder:
            continue
        if (use.path, use.line, use.model, use.attr) in seen:
            continue
        seen.add((use.path, use.line, use.model, use.attr))
        alias = "" if use.via == use.model.rsplit(".", 1)[-1] else f" (via {use.via})"
        form = f"filter_by({use.attr}=...)" if use.kind == "filter_by" else f".{use.attr}"
        owners = sorted(q for q, m in members.items() if m and use.attr in m and q != use.model)
        where = (
            f"; {', '.join(owners[:3])} define{'s' if len(owners) == 1 else ''} it"
            if owners
            else ""
        )
        out.append(
            ATTRIBUTE_DRIFT.finding(
                f"{form} on {use.model}{alias}, which defines no '{use.attr}'{where}: add it to "
                f"the (unified) class or fix the use",
                path=use.path,
                line=use.line,
                objects=(use.model, use.attr),
            )
        )
    return out
