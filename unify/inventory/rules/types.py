"""``runtime-column-type``: a column whose type a function computes when the app starts
(``encrypted_field_factory.create(String(1024))``, a type chosen from the app's
configuration): the source does not say which type it is, so the inventory records the call
as written and the type checks between foreign keys cannot judge it."""

from __future__ import annotations

from collections.abc import Iterable

from unify.models import Finding, ModelClass, Rule, Severity

RUNTIME_COLUMN_TYPE = Rule(
    name="runtime-column-type",
    code="U027",
    severity=Severity.INFO,
    summary="a column's type is computed by a function when the app starts",
)


def check_runtime_types(classes: Iterable[ModelClass]) -> list[Finding]:
    """One finding per column whose type is a function's result: a lower-case callable (types
    are classes: ``String``, ``MediumText``, ``mysql.INTEGER``)."""
    out = []
    for cls in classes:
        for column in cls.columns:
            if not column.type_name[:1].islower():
                continue
            where = f"{cls.table or cls.qualname}.{column.name}"
            out.append(
                RUNTIME_COLUMN_TYPE.finding(
                    f"{where} ({cls.qualname}) takes its type from {column.type}, a function "
                    f"that chooses it when the app starts: the inventory keeps the call as "
                    f"written and cannot check it against the keys it meets; verify compares "
                    f"the imported models with the database",
                    path=cls.path,
                    line=column.line,
                    objects=(where, column.type),
                )
            )
    return out
