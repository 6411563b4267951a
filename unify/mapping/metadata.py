"""Metadata: a new ``MetaData`` rebuilt from shapes (types from their repr, without ``eval``),
never from user code and never one the caller owns."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine, UserDefinedType

from unify.models import ColumnShape, ForeignKeyShape, SchemaShape


class LiteralType(UserDefinedType[Any]):
    """A column type known only by its DDL text (a type unify cannot rebuild)."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **kw: Any) -> str:
        return self.spec


def rebuild_type(column: ColumnShape) -> TypeEngine[Any]:
    """The SQLAlchemy type of a column shape, rebuilt from its repr without ``eval``."""
    module = column.type_class.rpartition(".")[0]
    if not module.startswith("sqlalchemy"):
        return LiteralType(column.sql_type)
    try:
        node = ast.parse(column.type, mode="eval").body
        return _build_type(node, importlib.import_module(module))
    except (SyntaxError, ValueError, TypeError, AttributeError, ImportError):
        return LiteralType(column.sql_type)


def _build_type(node: ast.expr, home: Any) -> TypeEngine[Any]:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError("not a type call")
    name = node.func.id
    cls = getattr(home, name, None) or getattr(sa.types, name, None) or getattr(postgresql, name)
    if not (isinstance(cls, type) and issubclass(cls, TypeEngine)):
        raise ValueError(f"{name} is not a type")
    args = [_type_arg(a) for a in node.args]
    kwargs = {k.arg: _type_arg(k.value) for k in node.keywords if k.arg}
    built: TypeEngine[Any] = cls(*args, **kwargs)
    return built


def _type_arg(node: ast.expr) -> Any:
    if isinstance(node, ast.Call):
        return _build_type(node, sa.types)
    return ast.literal_eval(node)


def build_metadata(
    schema: SchemaShape,
    *,
    names: dict[str, str] | None = None,
    skip: Iterable[ForeignKeyShape] = (),
    with_constraints: bool = True,
) -> sa.MetaData:
    """A new MetaData for the shapes; ``names`` renames tables; ``skip`` leaves FKs out;
    ``with_constraints``: foreign keys, unique constraints, checks and indexes too."""
    names = names or {}
    skipped = set(skip)
    metadata = sa.MetaData()
    for table in schema.tables:
        items: list[Any] = [
            sa.Column(c.name, rebuild_type(c), nullable=c.nullable, primary_key=c.primary_key)
            for c in table.columns
        ]
        if with_constraints:
            items += [_fk_constraint(fk) for fk in table.foreign_keys if fk not in skipped]
            items += [sa.UniqueConstraint(*cols) for cols in table.unique]
            items += [sa.CheckConstraint(sa.text(sql)) for sql in table.checks]
            items += [sa.Index(name, *cols) for name, cols in table.indexes]
        sa.Table(names.get(table.name, table.name), metadata, *items)
    return metadata


def _fk_constraint(fk: ForeignKeyShape) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        list(fk.columns),
        [f"{fk.target_table}.{c}" for c in fk.target_columns],
        ondelete=fk.ondelete,
        onupdate=fk.onupdate,
        deferrable=fk.deferrable,
    )
