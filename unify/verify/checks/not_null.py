"""not-null-violation: NULLs in a column that becomes NOT NULL."""

from __future__ import annotations

import sqlalchemy as sa

from unify.models import Rule, SchemaShape, Severity
from unify.verify.checks.query import (
    QUOTE,
    Check,
    CheckFamily,
    Columns,
    column_sources,
    counted,
    from_,
    key_text,
)

NOT_NULL_VIOLATION = Rule(
    name="not-null-violation",
    code="V304",
    severity=Severity.ERROR,
    summary="NULLs in a column that becomes NOT NULL",
)


def not_null_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per column NOT NULL in the unified schema but nullable in the database: its NULLs;
    then per legacy table that fills a unified table lacking a value for a NOT NULL column
    without a default: every row (the INSERT cannot fill it)."""
    checks = [
        _nulls(db_table, shape.name, samples)
        for table, db_table in column_sources(schema, cols)
        for shape in table.columns
        if shape.name in db_table.c and not shape.nullable and db_table.c[shape.name].nullable
    ]
    shapes = {t.name: t for t in schema.tables}
    for source in cols.mapping.sources if cols.mapping else ():
        given = {v.column for v in source.values}
        if source.role == "absorbed":
            given.add(source.unified_key)
        checks += [
            _unfilled(source.legacy, source.unified, column.name, samples)
            for column in shapes[source.unified].columns
            if not column.nullable and not column.default and column.name not in given
        ]
    return checks


def _unfilled(legacy: str, unified: str, column: str, samples: int) -> Check:
    rows = f"SELECT 1 FROM {QUOTE(legacy)} AS t"
    text = (
        f"{unified}.{column} is NOT NULL without a default, and {legacy}, whose rows move "
        f"into {unified}, has no {column}: give it a default or keep it nullable: {{count}} row(s)"
    )
    sql = counted(rows, "CAST(t.ctid AS text)", samples)
    return Check(rule=NOT_NULL_VIOLATION, table=legacy, column=column, sql=sql, message=text)


def _nulls(db_table: sa.Table, column: str, samples: int) -> Check:
    rows = f"SELECT 1 FROM {from_(db_table, 't')} WHERE t.{QUOTE(column)} IS NULL"
    text = (
        f"{db_table.name}.{column} is NOT NULL in the unified schema but has NULLs; "
        "fill them or keep the column nullable: {count} row(s)"
    )
    sql = counted(rows, key_text(db_table, "t"), samples)
    return Check(rule=NOT_NULL_VIOLATION, table=db_table.name, column=column, sql=sql, message=text)


FAMILY = CheckFamily(rules=(NOT_NULL_VIOLATION,), make=not_null_checks)
