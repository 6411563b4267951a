"""unique-violation: duplicates in columns that become UNIQUE (or a primary key) and that the
database does not already enforce."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from unify.models import Rule, SchemaShape, Severity
from unify.verify.checks.query import Check, CheckFamily, Columns, converted, from_

UNIQUE_VIOLATION = Rule(
    name="unique-violation",
    code="V305",
    severity=Severity.ERROR,
    summary="duplicates in a column that becomes UNIQUE",
)


def unique_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per unique column set of each table the database has: the duplicated values."""
    checks: list[Check] = []
    for table in schema.tables:
        db_table = cols.db_table(table.name)
        if db_table is None:
            continue
        keys = [c.name for c in table.columns if c.primary_key]
        for columns in dict.fromkeys([*table.unique, *([tuple(keys)] if keys else [])]):
            if cols.has(db_table, *columns) and not _enforced(db_table, columns):
                checks += _duplicates(db_table, table.name, columns, cols, samples)
    return checks


def _duplicates(
    db_table: sa.Table, unified: str, columns: Sequence[str], cols: Columns, samples: int
) -> list[Check]:
    values = converted(db_table, unified, columns, "t", cols)
    if values is None:
        return []
    listed = ", ".join(f"{v} AS v{i}" for i, v in enumerate(values))
    nonnull = " AND ".join(f"{v} IS NOT NULL" for v in values)
    groups = ", ".join(str(i + 1) for i in range(len(values)))
    shown = "concat_ws(', ', " + ", ".join(f"CAST(v{i} AS text)" for i in range(len(values))) + ")"
    sql = (
        f"WITH d AS (SELECT {listed}, count(*) AS n FROM {from_(db_table, 't')} WHERE {nonnull} "
        f"GROUP BY {groups} HAVING count(*) > 1) "
        f"SELECT (SELECT COALESCE(sum(n), 0) FROM d), "
        f"ARRAY(SELECT {shown} || ' (' || n || ' rows)' FROM d ORDER BY 1 LIMIT {samples})"
    )
    name = ",".join(columns)
    text = f"{db_table.name}.{name} is UNIQUE in the unified schema but has duplicates; resolve them first: {{count}} row(s)"
    return [Check(rule=UNIQUE_VIOLATION, table=db_table.name, column=name, sql=sql, message=text)]


def _enforced(db_table: sa.Table, columns: Sequence[str]) -> bool:
    """True when the database already enforces uniqueness of exactly ``columns``."""
    wanted = set(columns)
    sets = [{c.name for c in db_table.primary_key.columns}]
    sets += [
        {c.name for c in k.columns}
        for k in db_table.constraints
        if isinstance(k, sa.UniqueConstraint)
    ]
    sets += [{c.name for c in i.columns} for i in db_table.indexes if i.unique]
    return wanted in sets


FAMILY = CheckFamily(rules=(UNIQUE_VIOLATION,), make=unique_checks)
