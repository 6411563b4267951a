"""``outside-base``: a model class of a model module inheriting from a class that is not in
the repository (a mixin of an installed package, such as Authlib's ``OAuth2ClientMixin``): the
columns and relationships that class adds are not read, so the inventory, the plan and the
checks go without them."""

from __future__ import annotations

from collections.abc import Iterable

from unify.models import ClassLinks, Finding, ModelClass, Rule, Severity

OUTSIDE_BASE = Rule(
    name="outside-base",
    code="U026",
    severity=Severity.WARNING,
    summary="a model class inherits from a class outside the repository (its columns unread)",
)


def check_outside_bases(
    classes: Iterable[ModelClass], links: Iterable[ClassLinks]
) -> list[Finding]:
    """One finding per mapped class (not a mixin) with a base from outside the repository."""
    outside = {link.model: link.outside_bases for link in links if link.outside_bases}
    out = []
    for cls in classes:
        bases = outside.get(cls.qualname, ())
        if not bases or cls.mixin:
            continue
        names = ", ".join(bases)
        out.append(
            OUTSIDE_BASE.finding(
                f"{cls.qualname} inherits from {names}, not in the repository: the columns and "
                f"relationships it adds are not inventoried (nor planned or checked); review "
                f"them in the installed package",
                path=cls.path,
                line=cls.line,
                objects=(cls.qualname, *bases),
            )
        )
    return out
