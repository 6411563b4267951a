"""orphaned-rows: rows a new foreign key would reject (no parent row, compared as the
migration would cast the key)."""

from __future__ import annotations

from unify.models import ForeignKeyShape, Rule, SchemaShape, Severity
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


def orphan_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per foreign key (and again from each table merged into its table): the orphans."""
    return [
        _orphans(fk, join, samples)
        for fk, child in fk_sources(schema, cols)
        if (join := fk_join(fk, cols, child)) is not None
    ]


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


FAMILY = CheckFamily(rules=(ORPHANED_ROWS,), make=orphan_checks)
