"""merge-collision: rows of absorbed tables whose unique values already exist in the survivor
table the merge moves them into (the merge keeps those columns UNIQUE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class _Merge:
    """One absorbed table (alias ``a`` in the checks) and the tables its rows go in with: the
    survivor's, and the tables the same merge absorbs before it (the migration gives their
    rows new ids first, and folds a later row equal on the match into one of them)."""

    target: sa.Table
    absorbed: sa.Table
    earlier: tuple[sa.Table, ...]
    match: tuple[str, ...]
    matches: dict[str, tuple[str, ...]]  # each earlier table's own match

    def into(self, table: sa.Table) -> tuple[sa.Table, ...]:
        """The tables a row of ``table`` (this one or an earlier one) folds into."""
        names = [e.name for e in self.earlier]
        earlier = self.earlier[: names.index(table.name)] if table.name in names else self.earlier
        match = self.matches.get(table.name, self.match)
        return (self.target, *(e for e in earlier if set(match) <= set(self.matches[e.name])))

    def folded(self, table: sa.Table, alias: str) -> str:
        """SQL: the row ``alias`` of ``table`` folds (equal on the match to a row it goes
        in with), so it is not carried; ``FALSE`` without a match."""
        match = self.matches.get(table.name, self.match)
        if not match:
            return "FALSE"
        return " OR ".join(
            f"EXISTS (SELECT 1 FROM {from_(other, f'{alias}f{i}')} "
            f"WHERE {_same(match, f'{alias}f{i}', alias)})"
            for i, other in enumerate(self.into(table))
        )


def merge_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per absorbed table and unique column set of its survivor (not the primary key: the
    migration renumbers those rows): the values the survivor, or a table the same merge
    absorbs before it, already has."""
    checks: list[Check] = []
    seen: dict[str, list[sa.Table]] = {}
    for shape, absorbed in absorbed_tables(schema, cols):
        target = cols.db_table(shape.name)
        earlier = seen.setdefault(shape.name, [])
        if target is None:
            continue
        merge = _Merge(
            target=target,
            absorbed=absorbed,
            earlier=tuple(earlier),
            match=_match(cols, absorbed.name),
            matches={e.name: _match(cols, e.name) for e in earlier},
        )
        earlier.append(absorbed)
        keys = {c.name for c in shape.columns if c.primary_key}
        for columns in shape.unique:
            if (
                set(columns) <= keys
                or not cols.has(absorbed, *columns)
                or not cols.has(target, *columns)
            ):
                continue
            if merge.match and set(columns) <= set(merge.match):
                checks.append(_folds(merge, samples))
                continue
            checks += _collision(shape.name, merge, columns, cols, samples)
            checks.append(_case_only(merge, columns, cols, samples))
    return checks


def _match(cols: Columns, absorbed: str) -> tuple[str, ...]:
    sources = cols.mapping.sources if cols.mapping else ()
    return next((s.match for s in sources if s.legacy == absorbed), ())


def _same(columns: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(
        f"lower(CAST({left}.{QUOTE(c)} AS text)) = lower(CAST({right}.{QUOTE(c)} AS text))"
        for c in columns
    )


def _folds(merge: _Merge, samples: int) -> Check:
    """The rows the migration folds into a survivor row, or into a row of a table the merge
    absorbs before this one (equal on ``match``, any case)."""
    name = ",".join(merge.match)
    into = " or ".join(t.name for t in merge.into(merge.absorbed))
    text = (
        f"{merge.absorbed.name}.{name}: rows equal to a {into} row on {name} (any case) fold "
        f"into it; their other values are not carried (they stay in unify_legacy): {{count}} row(s)"
    )
    rows = f"SELECT 1 FROM {from_(merge.absorbed, 'a')} WHERE {merge.folded(merge.absorbed, 'a')}"
    return _check(MERGE_FOLD, merge.absorbed, merge.match, rows, text, samples)


def _carried(merge: _Merge, columns: Sequence[str], cols: Columns) -> list[sa.Table]:
    """The tables whose carried rows an absorbed row's unique values meet: the survivor's and
    the earlier absorbed tables that have the columns."""
    return [t for t in (merge.target, *merge.earlier) if cols.has(t, *columns)]


def _kept(merge: _Merge, table: sa.Table, alias: str) -> str:
    """SQL: the row ``alias`` of ``table`` is carried (the survivor's always are)."""
    return "" if table is merge.target else f" AND NOT ({merge.folded(table, alias)})"


def _case_only(merge: _Merge, columns: Sequence[str], cols: Columns, samples: int) -> Check:
    """Values equal to a carried row's but for letter case: unique to the database, the same
    name to a person (``Ann`` and ``ann``)."""
    differ = " OR ".join(
        f"CAST(a.{QUOTE(c)} AS text) <> CAST(s.{QUOTE(c)} AS text)" for c in columns
    )
    name = ",".join(columns)
    tables = _carried(merge, columns, cols)
    text = (
        f"{merge.absorbed.name}.{name}: values that differ from a "
        f"{' or '.join(f'{t.name}.{name}' for t in tables)} only in letter case; both rows "
        f"are kept: {{count}} row(s)"
    )
    alike = " OR ".join(
        f"EXISTS (SELECT 1 FROM {from_(t, 's')} WHERE {_same(columns, 's', 'a')} "
        f"AND ({differ}){_kept(merge, t, 's')})"
        for t in tables
    )
    rows = (
        f"SELECT 1 FROM {from_(merge.absorbed, 'a')} WHERE ({alike}) "
        f"AND NOT ({merge.folded(merge.absorbed, 'a')})"
    )
    return _check(CASE_DUPLICATE, merge.absorbed, columns, rows, text, samples)


def _check(
    rule: Rule, absorbed: sa.Table, columns: Sequence[str], rows: str, text: str, samples: int
) -> Check:
    sample = "concat_ws(', ', " + ", ".join(f"CAST(a.{QUOTE(c)} AS text)" for c in columns) + ")"
    sql = counted(rows, sample, samples)
    return Check(rule=rule, table=absorbed.name, column=",".join(columns), sql=sql, message=text)


def _collision(
    survivor: str, merge: _Merge, columns: Sequence[str], cols: Columns, samples: int
) -> list[Check]:
    """Absorbed rows that keep a unique value a carried row has (rows that fold are not
    carried, so they cannot clash)."""
    mine = converted(merge.absorbed, survivor, columns, "a", cols)
    if mine is None:
        return []
    clashes: list[str] = []
    names: list[str] = []
    for table in _carried(merge, columns, cols):
        theirs = converted(table, survivor, columns, "s", cols)
        if theirs is None:
            if table is merge.target:
                return []
            continue
        on = " AND ".join(f"{t} = {m}" for m, t in zip(mine, theirs, strict=True))
        clashes.append(
            f"EXISTS (SELECT 1 FROM {from_(table, 's')} WHERE {on}{_kept(merge, table, 's')})"
        )
        names.append(table.name)
    nonnull = " AND ".join(f"{v} IS NOT NULL" for v in mine)
    rows = (
        f"SELECT 1 FROM {from_(merge.absorbed, 'a')} WHERE {nonnull} AND ({' OR '.join(clashes)}) "
        f"AND NOT ({merge.folded(merge.absorbed, 'a')})"
    )
    name = ",".join(columns)
    text = (
        f"{merge.absorbed.name}.{name}: values that already exist in "
        f"{' or '.join(f'{n}.{name}' for n in names)}, which the merge keeps UNIQUE; rename or "
        f"merge these accounts first: {{count}} row(s)"
    )
    return [_check(MERGE_COLLISION, merge.absorbed, columns, rows, text, samples)]


FAMILY = CheckFamily(rules=(MERGE_COLLISION, MERGE_FOLD, CASE_DUPLICATE), make=merge_checks)
