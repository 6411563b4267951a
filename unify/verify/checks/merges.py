"""merge-collision: rows of absorbed tables whose unique values already exist in the survivor
table the merge moves them into (the merge keeps those columns UNIQUE)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from unify.models import Rule, SchemaShape, Severity
from unify.verify.checks.query import (
    QUOTE,
    Check,
    CheckFamily,
    Columns,
    absorbed_tables,
    converted,
    counted,
    from_,
)

MERGE_COLLISION = Rule(
    name="merge-collision",
    code="V306",
    severity=Severity.ERROR,
    summary="merged rows clash with the survivor's unique values",
)


def merge_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per absorbed table and unique column set of its survivor (not the primary key: the
    migration renumbers those rows): the values the survivor already has."""
    checks: list[Check] = []
    for shape, absorbed in absorbed_tables(schema, cols):
        target = cols.db_table(shape.name)
        if target is None:
            continue
        keys = {c.name for c in shape.columns if c.primary_key}
        for columns in shape.unique:
            if (
                set(columns) <= keys
                or not cols.has(absorbed, *columns)
                or not cols.has(target, *columns)
            ):
                continue
            checks += _collision(shape.name, target, absorbed, columns, cols, samples)
    return checks


def _collision(
    survivor: str,
    target: sa.Table,
    absorbed: sa.Table,
    columns: Sequence[str],
    cols: Columns,
    samples: int,
) -> list[Check]:
    mine = converted(absorbed, survivor, columns, "a", cols)
    theirs = converted(target, survivor, columns, "s", cols)
    if mine is None or theirs is None:
        return []
    nonnull = " AND ".join(f"{v} IS NOT NULL" for v in mine)
    on = " AND ".join(f"{t} = {m}" for m, t in zip(mine, theirs, strict=True))
    rows = f"SELECT 1 FROM {from_(absorbed, 'a')} WHERE {nonnull} AND EXISTS (SELECT 1 FROM {from_(target, 's')} WHERE {on})"
    sample = "concat_ws(', ', " + ", ".join(f"CAST(a.{QUOTE(c)} AS text)" for c in columns) + ")"
    name = ",".join(columns)
    text = (
        f"{absorbed.name}.{name}: values that already exist in {target.name}.{name}, which the merge "
        f"keeps UNIQUE; rename or merge these accounts first: {{count}} row(s)"
    )
    sql = counted(rows, sample, samples)
    return [Check(rule=MERGE_COLLISION, table=absorbed.name, column=name, sql=sql, message=text)]


FAMILY = CheckFamily(rules=(MERGE_COLLISION,), make=merge_checks)
