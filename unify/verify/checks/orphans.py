"""orphaned-rows: rows a new foreign key would reject (no parent row, compared as the
migration would cast the key)."""

from __future__ import annotations

from unify.mapping.data import ROW, orphan_join
from unify.models import ForeignKeyShape, KeyFill, RowSource, Rule, SchemaShape, Severity
from unify.verify.checks.query import (
    QUOTE,
    Check,
    CheckFamily,
    Columns,
    FkJoin,
    counted,
    fk_join,
    fk_sources,
    from_,
    key_text,
)

ORPHANED_ROWS = Rule(
    name="orphaned-rows",
    code="V301",
    severity=Severity.ERROR,
    summary="rows a new foreign key would reject",
)
ORPHANS_BY_POLICY = Rule(
    name="orphans-by-policy",
    code="V308",
    severity=Severity.WARNING,
    summary="orphaned rows the plan's orphan policy sets NULL, deletes or keeps",
)
POLICY_WORDS = {
    "null": "the migration sets the value NULL",
    "delete": "the migration deletes these rows",
    "keep-unconstrained": "the migration keeps them and adds no FK constraint",
}


def orphan_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per foreign-key value the migration carries (the data mapping's keys: a value refers
    to a row of its legacy parent, through the merge's id map when remapped): the orphans;
    then per foreign key the mapping does not carry (several columns), by a join."""
    checks = [_mapped(source, key, samples) for source, key in cols.carried_keys()]
    carried = {(s.legacy, k.column) for s, k in cols.carried_keys()}
    return checks + [
        _orphans(fk, join, samples)
        for fk, child in fk_sources(schema, cols)
        if (join := fk_join(fk, cols, child)) is not None
        and (join.child.name, ",".join(fk.columns)) not in carried
    ]


def _mapped(source: RowSource, key: KeyFill, samples: int) -> Check:
    value = next(v.value for v in source.values if v.column == key.column)
    join, orphan = orphan_join(key, value, "k", "public")
    if not key.remap:  # a value that does not convert is uncastable-values' (or the policy's)
        orphan += f" AND {value} IS NOT NULL"
    table = QUOTE(source.legacy)
    rows = f"SELECT 1 FROM {table} AS {ROW} {join} WHERE {orphan}"
    sample = f"CAST({ROW}.{QUOTE(source.key or key.column)} AS text) || ': ' || CAST({ROW}.{QUOTE(key.column)} AS text)"
    how = " (remapped through the merge's id map)" if key.remap else ""
    refers = f"{key.parent}.{key.parent_key}{how}"
    if key.policy == "fail":
        text = (
            f"{source.legacy}.{key.column}: rows whose value refers to no row of {refers} "
            f"(FK {source.unified}.{key.column} -> {key.target_table}.{key.target_column}); "
            f"delete or repoint them, or name an orphans policy in the plan: {{count}} row(s)"
        )
        rule = ORPHANED_ROWS
    else:
        text = (
            f"{source.legacy}.{key.column}: rows whose value refers to no row of {refers}; "
            f"{POLICY_WORDS[key.policy]} (orphans policy {key.policy}): {{count}} row(s)"
        )
        rule = ORPHANS_BY_POLICY
    sql = counted(rows, sample, samples)
    return Check(rule=rule, table=source.legacy, column=key.column, sql=sql, message=text)


def _orphans(fk: ForeignKeyShape, join: FkJoin, samples: int) -> Check:
    child, parent = join.child, join.parent
    rows = f"SELECT 1 FROM {from_(child, 'c')} WHERE {join.nonnull} AND NOT EXISTS (SELECT 1 FROM {from_(parent, 'p')} WHERE {join.on})"
    shown = " || ',' || ".join(f"CAST(c.{QUOTE(c)} AS text)" for c in fk.columns)
    sample = f"{key_text(child, 'c')} || ': ' || {shown}"
    text = (
        f"{child.name}.{','.join(fk.columns)}: rows whose value has no {parent.name}.{','.join(fk.target_columns)} "
        f"(FK {fk.line}); delete or repoint them: {{count}} row(s)"
    )
    sql = counted(rows, sample, samples)
    return Check(
        rule=ORPHANED_ROWS, table=child.name, column=",".join(fk.columns), sql=sql, message=text
    )


FAMILY = CheckFamily(rules=(ORPHANED_ROWS, ORPHANS_BY_POLICY), make=orphan_checks)
