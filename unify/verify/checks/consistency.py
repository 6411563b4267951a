"""fk-inconsistent: rows whose parent (through a foreign key) carries a different value of a
column both share, such as ``organization_id``: the rows belong to someone else."""

from __future__ import annotations

import sqlalchemy as sa

from unify.mapping.conversion import convert
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

FK_INCONSISTENT = Rule(
    name="fk-inconsistent",
    code="V307",
    # a migration carries these rows as they are (nothing fails): worth a look, not a block
    severity=Severity.WARNING,
    summary="a row disagrees with its parent on a shared column",
)


def consistency_checks(schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Per foreign key (and again from each table merged into its table) and shared column:
    the rows that disagree with their parent."""
    checks: list[Check] = []
    for fk, child in fk_sources(schema, cols):
        join = fk_join(fk, cols, child)
        if join is not None:
            checks += [
                check
                for name in correlated_columns(fk, join.child, join.parent, cols)
                if (check := _disagreeing(fk, join, name, cols, samples)) is not None
            ]
    return checks


def _disagreeing(
    fk: ForeignKeyShape, join: FkJoin, name: str, cols: Columns, samples: int
) -> Check | None:
    child, parent = join.child, join.parent
    target = cols.unified[fk.table].get(name, child.c[name].type)
    mine = convert(f"c.{QUOTE(name)}", child.c[name].type, target)
    theirs = convert(f"p.{QUOTE(name)}", parent.c[name].type, target)
    if mine is None or theirs is None:
        return None
    rows = (
        f"SELECT 1 FROM {from_(child, 'c')} JOIN {from_(parent, 'p')} ON {join.on} "
        f"WHERE {mine.value} IS NOT NULL AND {theirs.value} IS NOT NULL AND {mine.value} <> {theirs.value}"
    )
    sample = f"{key_text(child, 'c')} || ': ' || CAST(c.{QUOTE(name)} AS text) || ' <> ' || CAST(p.{QUOTE(name)} AS text)"
    text = (
        f"{child.name}.{name} disagrees with {parent.name}.{name} of the row its "
        f"{','.join(fk.columns)} points to (FK {fk.line}); the rows belong to someone else: {{count}} row(s)"
    )
    return Check(
        rule=FK_INCONSISTENT,
        table=child.name,
        column=name,
        sql=counted(rows, sample, samples),
        message=text,
    )


def correlated_columns(
    fk: ForeignKeyShape, child: sa.Table, parent: sa.Table, cols: Columns
) -> list[str]:
    """Columns child and parent both carry that should agree: same name, an id or an FK."""
    fk_columns = {c for t in (fk.table, fk.target_table) for c in _fk_columns(t, cols)}
    keys = {c.name for c in child.primary_key.columns} | {
        c.name for c in parent.primary_key.columns
    }
    shared = [c.name for c in child.columns if c.name in parent.c]
    return [
        name
        for name in shared
        if name not in fk.columns
        and name not in fk.target_columns
        and name not in keys
        and (name.endswith("_id") or name in fk_columns)
    ]


def _fk_columns(unified: str, cols: Columns) -> set[str]:
    table = cols.db_table(unified)
    return (
        {e.parent.name for k in table.foreign_key_constraints for e in k.elements}
        if table is not None
        else set()
    )


FAMILY = CheckFamily(rules=(FK_INCONSISTENT,), make=consistency_checks)
