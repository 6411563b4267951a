"""``Table('name', metadata, Column(...), ...)`` objects (association tables)."""

from __future__ import annotations

import ast
from dataclasses import replace

from unify.inventory.columns import read_column
from unify.inventory.exprs import last, string
from unify.models import ColumnSpec, ForeignKeySpec, SourceFile, TableDef
from unify.vocabulary import COLUMN_CALLS


def read_table(source: SourceFile, name: str, call: ast.Call, line: int) -> TableDef:
    """``name = Table(...)`` as a record: its columns and its string foreign keys."""
    table = string(call.args[0]) or name
    columns: list[ColumnSpec] = []
    fks: list[ForeignKeySpec] = []
    for arg in call.args[1:]:
        if not (isinstance(arg, ast.Call) and last(arg.func) in COLUMN_CALLS):
            continue
        column, fk = read_column("", arg, None, getattr(arg, "lineno", line))
        columns.append(replace(column, attr=column.name))
        if fk is not None and fk.form == "string" and "." in fk.targets[0]:
            target_table, _, target_column = fk.targets[0].rpartition(".")
            fks.append(
                ForeignKeySpec(
                    model=f"{source.module}.{name}",
                    table=table,
                    columns=fk.columns,
                    target_table=target_table.rsplit(".", 1)[-1],
                    target_columns=(target_column,),
                    spec=fk.spec,
                    form=fk.form,
                    path=source.rel,
                    line=fk.line,
                )
            )
    return TableDef(
        name=name,
        table=table,
        module=source.module,
        path=source.rel,
        line=line,
        columns=tuple(columns),
        foreign_keys=tuple(fks),
    )
