"""``Table('name', metadata, Column(...), ...)`` objects (association tables)."""

from __future__ import annotations

import ast
from dataclasses import replace

from unify.inventory.columns import RawFK, read_column
from unify.inventory.constraints import keyed_columns, read_table_items
from unify.inventory.exprs import keyword, last, string
from unify.models import ColumnSpec, ForeignKeySpec, SourceFile, TableDef
from unify.vocabulary import COLUMN_CALLS


def read_table(source: SourceFile, name: str, call: ast.Call, line: int) -> TableDef:
    """``name = Table(...)`` as a record: its columns, its constraints and indexes, and its
    string foreign keys (on a column or a ``ForeignKeyConstraint``)."""
    table = string(call.args[0]) or name
    columns: list[ColumnSpec] = []
    raw_fks: list[RawFK] = []
    explicit: set[str] = set()
    for arg in call.args[1:]:
        if not (isinstance(arg, ast.Call) and last(arg.func) in COLUMN_CALLS):
            continue
        column, fk = read_column("", arg, None, getattr(arg, "lineno", line))
        columns.append(replace(column, attr=column.name))
        if keyword(arg, "nullable") is not None:
            explicit.add(column.name)
        if fk is not None:
            raw_fks.append(fk)
    items = read_table_items(call.args[1:], {c.name: c.name for c in columns}, line)
    raw_fks += items.fks
    model = f"{source.module}.{name}"
    return TableDef(
        name=name,
        table=table,
        module=source.module,
        path=source.rel,
        line=line,
        columns=keyed_columns(columns, items.constraints, explicit),
        foreign_keys=tuple(_table_fk(fk, model, table, source) for fk in raw_fks if _named(fk)),
        constraints=items.constraints,
    )


def _named(fk: RawFK) -> bool:
    """A foreign key written as ``'table.column'`` strings (a ``Model.id`` is not resolved
    for a ``Table()``)."""
    return fk.form != "attribute" and all("." in t for t in fk.targets)


def _table_fk(fk: RawFK, model: str, table: str, source: SourceFile) -> ForeignKeySpec:
    pairs = [t.rpartition(".") for t in fk.targets]
    return ForeignKeySpec(
        model=model,
        table=table,
        columns=fk.columns,
        target_table=pairs[0][0].rsplit(".", 1)[-1],
        target_columns=tuple(p[2] for p in pairs),
        spec=fk.spec,
        form=fk.form,
        path=source.rel,
        line=fk.line,
    )
