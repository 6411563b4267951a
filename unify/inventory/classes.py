"""Reading one class body: its columns, foreign keys, relationships, table options and other
members, as a ``RawClass`` (tables of ``Model.id`` foreign keys are resolved later)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from unify.inventory.annotations import mapped_python_type
from unify.inventory.columns import (
    RawFK,
    read_column,
    read_fk_constraint,
    read_relationship,
)
from unify.inventory.exprs import dotted, last, string, target_names
from unify.inventory.exprs import type_text as read_type
from unify.models import ColumnSpec, RelationshipSpec
from unify.vocabulary import COLUMN_CALLS, RELATIONSHIP_CALLS


@dataclass(frozen=True, slots=True, kw_only=True)
class RawClass:
    columns: tuple[ColumnSpec, ...] = ()
    fks: tuple[RawFK, ...] = ()
    relationships: tuple[RelationshipSpec, ...] = ()
    members: tuple[str, ...] = ()
    table: str | None = None
    table_args: tuple[str, ...] = ()
    extend_existing: bool = False
    abstract: bool = False


@dataclass(slots=True)
class _Body:
    """The class body being read (local to ``read_class``)."""

    columns: list[ColumnSpec] = field(default_factory=list)
    fks: list[RawFK] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    table: str | None = None
    table_args: list[str] = field(default_factory=list)
    extend_existing: bool = False
    abstract: bool = False


def read_class(node: ast.ClassDef) -> RawClass:
    body = _Body()
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], ast.Name):
                _read_member(body, stmt.targets[0].id, stmt.value, None, stmt.lineno)
            else:
                body.members.extend(target_names(stmt.targets[0]))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            _read_member(body, stmt.target.id, stmt.value, stmt.annotation, stmt.lineno)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _read_function(body, stmt)
        elif isinstance(stmt, ast.ClassDef):
            body.members.append(stmt.name)
    return RawClass(
        columns=tuple(body.columns),
        fks=tuple(body.fks),
        relationships=tuple(body.relationships),
        members=tuple(body.members),
        table=body.table,
        table_args=tuple(body.table_args),
        extend_existing=body.extend_existing,
        abstract=body.abstract,
    )


def _read_member(
    body: _Body, name: str, value: ast.expr | None, annotation: ast.expr | None, line: int
) -> None:
    if name == "__tablename__":
        body.table = string(value)
    elif name == "__table_args__" and value is not None:
        _read_table_args(body, value, line)
    elif name == "__abstract__":
        body.abstract = isinstance(value, ast.Constant) and bool(value.value)
    elif isinstance(value, ast.Call) and last(value.func) in COLUMN_CALLS:
        _add_column(body, read_column(name, value, annotation, line))
    elif isinstance(value, ast.Call) and last(value.func) in RELATIONSHIP_CALLS:
        body.relationships.append(read_relationship(name, value, annotation, line))
    elif value is None and annotation is not None and mapped_python_type(annotation):
        _add_column(body, read_column(name, None, annotation, line))
    else:
        body.members.append(name)


def _read_function(body: _Body, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    declared = any(
        last(d) == "declared_attr" or dotted(d) == "declared_attr.directive"
        for d in node.decorator_list
    )
    returned = next((s.value for s in node.body if isinstance(s, ast.Return)), None)
    if declared and isinstance(returned, ast.Call) and last(returned.func) in COLUMN_CALLS:
        _add_column(body, read_column(node.name, returned, None, node.lineno))
    elif declared and isinstance(returned, ast.Call) and last(returned.func) in RELATIONSHIP_CALLS:
        body.relationships.append(read_relationship(node.name, returned, None, node.lineno))
    else:
        body.members.append(node.name)


def _add_column(body: _Body, read: tuple[ColumnSpec, RawFK | None]) -> None:
    column, fk = read
    body.columns.append(column)
    if fk is not None:
        body.fks.append(fk)


def _read_table_args(body: _Body, value: ast.expr, line: int) -> None:
    items = list(value.elts) if isinstance(value, (ast.Tuple, ast.List)) else [value]
    for item in items:
        if isinstance(item, ast.Dict):
            for key, val in zip(item.keys, item.values, strict=False):
                if string(key) == "extend_existing" and isinstance(val, ast.Constant):
                    body.extend_existing = bool(val.value)
        elif isinstance(item, ast.Call):
            body.table_args.append(read_type(item)[0])
            if last(item.func) == "ForeignKeyConstraint":
                fk = read_fk_constraint(item, getattr(item, "lineno", line))
                if fk is not None:
                    body.fks.append(fk)
