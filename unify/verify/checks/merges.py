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
MERGE_FOLD = Rule(
    name="merge-fold",
    code="V309",
    severity=Severity.WARNING,
    summary="merged rows that fold into an existing row (the plan's match)",
)
CASE_DUPLICATE = Rule(
    name="case-duplicate",
    code="V310",
    severity=Severity.WARNING,
    summary="merged values that differ from a survivor's only in letter case",
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
            match = _match(cols, absorbed.name)
            if match and set(columns) <= set(match):
                checks.append(_folds(target, absorbed, match, samples))
                continue
            checks += _collision(shape.name, target, absorbed, columns, cols, samples, match)
            checks.append(_case_only(target, absorbed, columns, samples))
    return checks


def _match(cols: Columns, absorbed: str) -> tuple[str, ...]:
    sources = cols.mapping.sources if cols.mapping else ()
    return next((s.match for s in sources if s.legacy == absorbed), ())


def _same(columns: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(
        f"lower(CAST({left}.{QUOTE(c)} AS text)) = lower(CAST({right}.{QUOTE(c)} AS text))"
        for c in columns
    )


def _folds(target: sa.Table, absorbed: sa.Table, match: Sequence[str], samples: int) -> Check:
    """The rows the migration folds into a survivor row (equal on ``match``, any case)."""
    name = ",".join(match)
    text = (
        f"{absorbed.name}.{name}: rows equal to a {target.name} row on {name} (any case) fold "
        f"into it; their other values are not carried (they stay in unify_legacy): {{count}} row(s)"
    )
    return _alike(MERGE_FOLD, target, absorbed, match, "", text, samples)


def _case_only(
    target: sa.Table, absorbed: sa.Table, columns: Sequence[str], samples: int
) -> Check:
    """Values equal to a survivor's but for letter case: unique to the database, the same
    name to a person (``Ann`` and ``ann``)."""
    differ = " OR ".join(
        f"CAST(a.{QUOTE(c)} AS text) <> CAST(s.{QUOTE(c)} AS text)" for c in columns
    )
    name = ",".join(columns)
    text = (
        f"{absorbed.name}.{name}: values that differ from a {target.name}.{name} only in letter "
        f"case; both rows are kept: {{count}} row(s)"
    )
    return _alike(CASE_DUPLICATE, target, absorbed, columns, f" AND ({differ})", text, samples)


def _alike(
    rule: Rule,
    target: sa.Table,
    absorbed: sa.Table,
    columns: Sequence[str],
    also: str,
    text: str,
    samples: int,
) -> Check:
    """Absorbed rows equal to a survivor row on ``columns`` ignoring case (and ``also``)."""
    rows = (
        f"SELECT 1 FROM {from_(absorbed, 'a')} WHERE EXISTS (SELECT 1 FROM {from_(target, 's')} "
        f"WHERE {_same(columns, 's', 'a')}{also})"
    )
    sample = "concat_ws(', ', " + ", ".join(f"CAST(a.{QUOTE(c)} AS text)" for c in columns) + ")"
    sql = counted(rows, sample, samples)
    return Check(rule=rule, table=absorbed.name, column=",".join(columns), sql=sql, message=text)


def _collision(
    survivor: str,
    target: sa.Table,
    absorbed: sa.Table,
    columns: Sequence[str],
    cols: Columns,
    samples: int,
    match: Sequence[str] = (),
) -> list[Check]:
    """Absorbed rows that keep a unique value the survivor has (rows that fold are not
    carried, so they cannot clash)."""
    mine = converted(absorbed, survivor, columns, "a", cols)
    theirs = converted(target, survivor, columns, "s", cols)
    if mine is None or theirs is None:
        return []
    nonnull = " AND ".join(f"{v} IS NOT NULL" for v in mine)
    on = " AND ".join(f"{t} = {m}" for m, t in zip(mine, theirs, strict=True))
    folded = (
        f" AND NOT EXISTS (SELECT 1 FROM {from_(target, 'f')} WHERE {_same(match, 'f', 'a')})"
        if match
        else ""
    )
    rows = f"SELECT 1 FROM {from_(absorbed, 'a')} WHERE {nonnull} AND EXISTS (SELECT 1 FROM {from_(target, 's')} WHERE {on}){folded}"
    sample = "concat_ws(', ', " + ", ".join(f"CAST(a.{QUOTE(c)} AS text)" for c in columns) + ")"
    name = ",".join(columns)
    text = (
        f"{absorbed.name}.{name}: values that already exist in {target.name}.{name}, which the merge "
        f"keeps UNIQUE; rename or merge these accounts first: {{count}} row(s)"
    )
    sql = counted(rows, sample, samples)
    return [Check(rule=MERGE_COLLISION, table=absorbed.name, column=name, sql=sql, message=text)]


FAMILY = CheckFamily(rules=(MERGE_COLLISION, MERGE_FOLD, CASE_DUPLICATE), make=merge_checks)
