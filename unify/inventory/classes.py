"""Reading one class body: its columns, foreign keys, relationships, table options and other
members, as a ``RawClass`` (tables of ``Model.id`` foreign keys are resolved later)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from unify.inventory.annotations import mapped_python_type
from unify.inventory.columns import RawFK, read_column, read_relationship
from unify.inventory.constraints import keyed_columns, read_table_items, table_arg_items
from unify.inventory.exprs import dotted, keyword, last, string, target_names
from unify.inventory.exprs import type_text as read_type
from unify.models import ColumnSpec, RelationshipSpec, TableConstraint
from unify.vocabulary import COLUMN_CALLS, RELATIONSHIP_CALLS


@dataclass(frozen=True, slots=True)
class TableRule:
    """A ``__tablename__`` a ``declared_attr`` computes from the class name, in the forms
    analyze reads: ``cls.__name__``, lower-cased or not, between constant strings
    (``return cls.__name__.lower()``, ``cls.__name__.lower() + "s"``, ``f"app_{cls.__name__}"``)."""

    lower: bool
    prefix: str = ""
    suffix: str = ""

    def table(self, class_name: str) -> str:
        name = class_name.lower() if self.lower else class_name
        return f"{self.prefix}{name}{self.suffix}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RawClass:
    columns: tuple[ColumnSpec, ...] = ()
    fks: tuple[RawFK, ...] = ()
    relationships: tuple[RelationshipSpec, ...] = ()
    members: tuple[str, ...] = ()
    table: str | None = None
    table_args: tuple[str, ...] = ()
    constraints: tuple[TableConstraint, ...] = ()
    explicit_nullable: frozenset[str] = frozenset()  # columns written with ``nullable=``
    extend_existing: bool = False
    abstract: bool = False
    table_rule: TableRule | None = None  # ``__tablename__`` computed by a ``declared_attr``


@dataclass(slots=True)
class _Body:
    """The class body being read (local to ``read_class``)."""

    columns: list[ColumnSpec] = field(default_factory=list)
    fks: list[RawFK] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    table: str | None = None
    table_args: list[str] = field(default_factory=list)
    table_args_node: tuple[ast.expr, int] | None = None
    explicit_nullable: set[str] = field(default_factory=set)
    extend_existing: bool = False
    abstract: bool = False
    table_rule: TableRule | None = None


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
    constraints = _read_table_args(body)
    return RawClass(
        columns=keyed_columns(body.columns, constraints, body.explicit_nullable),
        fks=tuple(body.fks),
        relationships=tuple(body.relationships),
        members=tuple(body.members),
        table=body.table,
        table_args=tuple(body.table_args),
        constraints=constraints,
        explicit_nullable=frozenset(body.explicit_nullable),
        extend_existing=body.extend_existing,
        abstract=body.abstract,
        table_rule=body.table_rule,
    )


def _read_member(
    body: _Body, name: str, value: ast.expr | None, annotation: ast.expr | None, line: int
) -> None:
    if name == "__tablename__":
        body.table = string(value)
    elif name == "__table_args__" and value is not None:
        body.table_args_node = (value, line)
    elif name == "__abstract__":
        body.abstract = isinstance(value, ast.Constant) and bool(value.value)
    elif isinstance(value, ast.Call) and last(value.func) in COLUMN_CALLS:
        _add_column(body, read_column(name, value, annotation, line), value)
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
    if declared:
        body.members.extend(_set_on_class(node))
    if declared and node.name == "__tablename__":
        body.table_rule = _table_rule(returned)
        body.members.append(node.name)
    elif declared and isinstance(returned, ast.Call) and last(returned.func) in COLUMN_CALLS:
        _add_column(body, read_column(node.name, returned, None, node.lineno), returned)
    elif declared and isinstance(returned, ast.Call) and last(returned.func) in RELATIONSHIP_CALLS:
        body.relationships.append(read_relationship(node.name, returned, None, node.lineno))
    else:
        body.members.append(node.name)


def _set_on_class(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The names a ``declared_attr`` assigns on its first argument (``self.Status = ...``):
    it runs as each class using it is made, so they are that class's attributes."""
    if not node.args.args:
        return []
    first = node.args.args[0].arg
    return [
        target.attr
        for stmt in ast.walk(node)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign))
        for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        if isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == first
    ]


def _table_rule(value: ast.expr | None) -> TableRule | None:
    """The rule ``value`` (what ``__tablename__`` returns) follows, or None (not read)."""
    parts: list[ast.expr] = []
    if isinstance(value, ast.JoinedStr):
        if any(
            isinstance(v, ast.FormattedValue) and (v.conversion != -1 or v.format_spec)
            for v in value.values
        ):
            return None
        parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in value.values]
    else:
        while isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            parts.insert(0, value.right)
            value = value.left
        if value is not None:
            parts.insert(0, value)
    names = [i for i, part in enumerate(parts) if _class_name(part) is not None]
    constants = [string(p) for i, p in enumerate(parts) if i not in names]
    if len(names) != 1 or any(c is None for c in constants):
        return None
    at = names[0]
    return TableRule(
        lower=bool(_class_name(parts[at])),
        prefix="".join(string(p) or "" for p in parts[:at]),
        suffix="".join(string(p) or "" for p in parts[at + 1 :]),
    )


def _class_name(node: ast.expr) -> bool | None:
    """``x.__name__`` (False) or ``x.__name__.lower()`` (True); None for anything else."""
    lower = False
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "lower"):
            return None
        node, lower = node.func.value, True
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        return lower if isinstance(node.value, ast.Name) else None
    return None


def _add_column(
    body: _Body, read: tuple[ColumnSpec, RawFK | None], call: ast.expr | None = None
) -> None:
    column, fk = read
    body.columns.append(column)
    if isinstance(call, ast.Call) and keyword(call, "nullable") is not None:
        body.explicit_nullable.add(column.name)
    if fk is not None:
        body.fks.append(fk)


def _read_table_args(body: _Body) -> tuple[TableConstraint, ...]:
    """``__table_args__`` (read once the columns are known: its items may name them):
    ``extend_existing`` from its dict, each call as written, foreign key constraints and the
    other constraints and indexes."""
    if body.table_args_node is None:
        return ()
    value, line = body.table_args_node
    items = table_arg_items(value)
    for item in items:
        if isinstance(item, ast.Dict):
            for key, val in zip(item.keys, item.values, strict=False):
                if string(key) == "extend_existing" and isinstance(val, ast.Constant):
                    body.extend_existing = bool(val.value)
    read = read_table_items(items, {c.attr: c.name for c in body.columns}, line)
    body.table_args.extend(read_type(call)[0] for call in read.calls)
    body.fks.extend(read.fks)
    return read.constraints
