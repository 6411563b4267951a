"""value-too-long: values longer than the unified column's new, shorter length."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from unify.models import Rule, SchemaShape, Severity
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

VALUE_TOO_LONG = Rule(
    name="value-too-long",
    code="V303",
    severity=Severity.ERROR,
    summary="values longer than the new length",
)


def length_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per string column whose length shrinks (or appears): the rows too long for it."""
    checks: list[Check] = []
    for db_table, column, target in retyped_columns(schema, cols):
        checks += _too_long(db_table, column, target, samples)
    return checks


def _too_long(
    db_table: sa.Table, column: str, target: TypeEngine[Any], samples: int
) -> list[Check]:
    source = db_table.c[column].type
    limit = getattr(target, "length", None) if isinstance(target, sa.String) else None
    old = getattr(source, "length", None) if isinstance(source, sa.String) else None
    if limit is None or (old is not None and old <= limit):
        return []
    expr = f"char_length(CAST(t.{QUOTE(column)} AS text))"
    rows = f"SELECT 1 FROM {from_(db_table, 't')} WHERE {expr} > {limit}"
    sample = f"{key_text(db_table, 't')} || ': ' || {expr} || ' chars'"
    text = f"{db_table.name}.{column}: values longer than {limit} characters will not fit {target}; shorten them or widen the column: {{count}} row(s)"
    sql = counted(rows, sample, samples)
    return [Check(rule=VALUE_TOO_LONG, table=db_table.name, column=column, sql=sql, message=text)]


FAMILY = CheckFamily(rules=(VALUE_TOO_LONG,), make=length_checks)
