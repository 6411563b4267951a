"""Table-level items: the constraints and indexes of ``__table_args__`` and of
``Table(...)`` (``PrimaryKeyConstraint``, ``UniqueConstraint``, ``CheckConstraint``,
``Index``; ``ForeignKeyConstraint`` as a foreign key), and what a primary key constraint does
to its columns."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from unify.inventory.columns import RawFK, read_fk_constraint
from unify.inventory.exprs import flag, keyword, last, string
from unify.models import ColumnSpec, ConstraintKind, TableConstraint

CONSTRAINT_KINDS: Mapping[str, ConstraintKind] = {
    "PrimaryKeyConstraint": "primary_key",
    "UniqueConstraint": "unique",
    "CheckConstraint": "check",
    "Index": "index",
}


@dataclass(frozen=True, slots=True)
class TableItems:
    """What the table-level items of a class or ``Table()`` declare."""

    constraints: tuple[TableConstraint, ...] = ()
    fks: tuple[RawFK, ...] = ()
    calls: tuple[ast.Call, ...] = ()  # every call among the items, constraints or not


def table_arg_items(value: ast.expr) -> list[ast.expr]:
    """The items of ``__table_args__``: a tuple or list (its trailing dict included), or a
    single dict or call."""
    return list(value.elts) if isinstance(value, (ast.Tuple, ast.List)) else [value]


def read_table_items(items: Iterable[ast.expr], names: Mapping[str, str], line: int) -> TableItems:
    """The constraints, indexes and foreign key constraints among ``items``; ``names`` maps
    a class attribute to its column name (``Index('ix', email)`` names the attribute)."""
    constraints: list[TableConstraint] = []
    fks: list[RawFK] = []
    calls: list[ast.Call] = []
    for item in items:
        if not isinstance(item, ast.Call):
            continue
        calls.append(item)
        called = last(item.func)
        where = getattr(item, "lineno", line)
        if called == "ForeignKeyConstraint":
            fk = read_fk_constraint(item, where, _local_columns(item, names))
            if fk is not None:
                fks.append(fk)
        elif called in CONSTRAINT_KINDS:
            constraints.append(_constraint(CONSTRAINT_KINDS[called], item, names, where))
    return TableItems(tuple(constraints), tuple(fks), tuple(calls))


def _constraint(
    kind: ConstraintKind, call: ast.Call, names: Mapping[str, str], line: int
) -> TableConstraint:
    args = list(call.args)
    name = string(keyword(call, "name"))
    if kind == "index" and args:
        name = string(args.pop(0)) or name
    if kind == "check":
        sql = keyword(call, "sqltext") or (args[0] if args else None)
        text = None if sql is None else string(sql) or ast.unparse(sql)
        return TableConstraint(kind=kind, line=line, name=name, text=text)
    columns = tuple(c for c in (_column_name(a, names) for a in args) if c)
    unique = kind == "index" and bool(flag(call, "unique"))
    return TableConstraint(kind=kind, line=line, name=name, columns=columns, unique=unique)


def _local_columns(call: ast.Call, names: Mapping[str, str]) -> tuple[str, ...] | None:
    """A ``ForeignKeyConstraint``'s own columns, strings or class attributes (``[dag_id,
    run_id]``), as column names; None unless each one is read."""
    first = call.args[0] if call.args else None
    if not isinstance(first, (ast.List, ast.Tuple)):
        return None
    columns = [_column_name(e, names) for e in first.elts]
    return tuple(c for c in columns if c) if all(columns) else None


def _column_name(node: ast.expr, names: Mapping[str, str]) -> str | None:
    """``'run_uuid'`` -> run_uuid; ``email`` (a class attribute) -> its column's name;
    ``Model.__table__.c.x`` / ``table.c.x`` -> x; an expression (``func.lower(x)``) -> None."""
    text = string(node)
    if text is not None:
        return text
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return names.get(node.attr, node.attr)
    return None


def keyed_columns(
    columns: Sequence[ColumnSpec],
    constraints: Iterable[TableConstraint],
    explicit_nullable: Collection[str] = (),
) -> tuple[ColumnSpec, ...]:
    """The columns a ``PrimaryKeyConstraint`` names become primary key columns, and non
    nullable unless ``nullable=`` was written (SQLAlchemy does the same)."""
    keys = {c for k in constraints if k.kind == "primary_key" for c in k.columns}
    if not keys:
        return tuple(columns)
    return tuple(
        replace(
            col,
            primary_key=True,
            nullable=col.nullable if col.name in explicit_nullable else False,
        )
        if col.name in keys
        else col
        for col in columns
    )
