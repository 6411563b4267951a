"""uncastable-values: values the type change loses (text that is not a number or a UUID,
integers out of the new width, numerics with a fraction)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from unify.mapping.conversion import convert
from unify.models import Rule, SchemaShape, Severity
from unify.verify.checks.orphans import ORPHANS_BY_POLICY, POLICY_WORDS
from unify.verify.checks.query import (
    QUOTE,
    Check,
    CheckFamily,
    Columns,
    counted,
    from_,
    key_text,
    retyped_columns,
)

UNCASTABLE_VALUES = Rule(
    name="uncastable-values",
    code="V302",
    severity=Severity.ERROR,
    summary="values that will not convert to the new type",
)


def uncastable_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per column whose conversion can fail: the rows whose value does not convert."""
    checks: list[Check] = []
    policy = {(s.legacy, k.column): k.policy for s, k in cols.carried_keys() if not k.remap}
    remapped = {(s.legacy, k.column) for s, k in cols.carried_keys() if k.remap}
    for db_table, column, target in retyped_columns(schema, cols):
        if (db_table.name, column) not in remapped:  # the id map, not a cast, carries those
            handled = policy.get((db_table.name, column), "fail")
            checks += _uncastable(db_table, column, target, samples, handled)
    return checks


def _uncastable(
    db_table: sa.Table, column: str, target: TypeEngine[Any], samples: int, policy: str = "fail"
) -> list[Check]:
    """The rows whose value does not convert; for a foreign key whose orphans the plan
    handles, they are orphans the policy handles (a value that converts to nothing refers to
    nothing)."""
    source = db_table.c[column].type
    expr = f"t.{QUOTE(column)}"
    conversion = convert(expr, source, target)
    if conversion is None or conversion.guard is None:
        return []
    rows = (
        f"SELECT 1 FROM {from_(db_table, 't')} "
        f"WHERE {expr} IS NOT NULL AND NOT COALESCE({conversion.guard}, false)"
    )
    sample = f"{key_text(db_table, 't')} || ': ' || CAST({expr} AS text)"
    text = (
        f"{db_table.name}.{column}: values that will not convert from {source} to {target}; "
        "fix or clear them: {count} row(s)"
    )
    rule = UNCASTABLE_VALUES
    if policy != "fail":
        rule = ORPHANS_BY_POLICY
        text = (
            f"{db_table.name}.{column}: values that will not convert from {source} to {target}; "
            f"{POLICY_WORDS[policy]} (orphans policy {policy}): {{count}} row(s)"
        )
    sql = counted(rows, sample, samples)
    return [Check(rule=rule, table=db_table.name, column=column, sql=sql, message=text)]


FAMILY = CheckFamily(rules=(UNCASTABLE_VALUES,), make=uncastable_checks)
