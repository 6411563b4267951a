"""Reading ``Column()``/``mapped_column()`` calls, foreign keys and ``relationship()`` calls."""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from unify.inventory.annotations import annotation_class, annotation_optional, annotation_type
from unify.inventory.exprs import dotted, flag, is_none, keyword, last, string, string_list
from unify.inventory.exprs import type_text as read_type
from unify.models import ColumnSpec, ForeignKeyForm, RelationshipSpec
from unify.vocabulary import FOREIGN_KEY_CALLS, NOT_TYPES


@dataclass(frozen=True, slots=True)
class RawFK:
    """A foreign key as written, before ``Model.id`` targets are turned into tables."""

    columns: tuple[str, ...]
    targets: tuple[str, ...]
    form: ForeignKeyForm
    spec: str
    line: int


def read_column(
    attr: str, call: ast.Call | None, annotation: ast.expr | None, line: int
) -> tuple[ColumnSpec, RawFK | None]:
    name, type_node, fk_node = attr, None, None
    args = list(call.args) if call else []
    if args and string(args[0]) is not None:
        name = string(args.pop(0)) or attr
    for arg in args:
        called = last(arg.func if isinstance(arg, ast.Call) else arg)
        if called in FOREIGN_KEY_CALLS and isinstance(arg, ast.Call) and fk_node is None:
            fk_node = arg
        elif called not in NOT_TYPES and type_node is None and not is_none(arg):
            type_node = arg  # Column(None, ForeignKey(...)): the key's type, left empty
    if call is not None:
        type_node = keyword(call, "type_") or type_node
        name = string(keyword(call, "name")) or name
    type_text, type_name = (
        read_type(type_node) if type_node is not None else annotation_type(annotation)
    )
    primary = bool(call and flag(call, "primary_key"))
    nullable = flag(call, "nullable") if call else None
    if nullable is None:
        nullable = False if primary else annotation_optional(annotation) if annotation else True
    spec = ColumnSpec(
        attr=attr,
        name=name,
        type=type_text,
        type_name=type_name,
        line=line,
        primary_key=primary,
        nullable=nullable,
        unique=bool(call and flag(call, "unique")),
        index=bool(call and flag(call, "index")),
        has_default=bool(call and any(keyword(call, k) is not None for k in _DEFAULTS)),
        style="mapped_column" if call is None or last(call.func) == "mapped_column" else "column",
    )
    fk = read_fk_arg(name, fk_node, line) if fk_node is not None else None
    return (spec if fk is None else replace(spec, foreign_key=fk.targets[0])), fk


_DEFAULTS = ("default", "server_default", "insert_default")


def read_fk_arg(column: str, call: ast.Call, line: int) -> RawFK | None:
    if not call.args:
        return None
    target = call.args[0]
    text = string(target)
    if text is not None:
        return RawFK((column,), (text,), "string", ast.unparse(call), line)
    written = dotted(target)
    if written is None:
        return None
    return RawFK((column,), (written,), "attribute", ast.unparse(call), line)


def read_fk_constraint(
    call: ast.Call, line: int, local: tuple[str, ...] | None = None
) -> RawFK | None:
    """``ForeignKeyConstraint([...], ['table.column', ...])``; ``local``: its own columns as
    the caller read them (names of class attributes too), else its strings."""
    if len(call.args) < 2:
        return None
    cols = local if local is not None else string_list(call.args[0])
    targets_node = call.args[1]
    if cols is None or not isinstance(targets_node, (ast.List, ast.Tuple)):
        return None
    texts = [string(e) or dotted(e) for e in targets_node.elts]
    if not all(texts):
        return None
    form: ForeignKeyForm = "constraint"
    return RawFK(cols, tuple(t for t in texts if t), form, ast.unparse(call), line)


def read_relationship(
    attr: str, call: ast.Call, annotation: ast.expr | None, line: int
) -> RelationshipSpec:
    target = ""
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Lambda):
            first = first.body
        target = string(first) or _class_reached(first)
    if not target and annotation is not None:
        target = annotation_class(annotation) or ""
    backref = keyword(call, "backref")
    if isinstance(backref, ast.Call):
        backref = backref.args[0] if backref.args else None
    secondary = keyword(call, "secondary")
    keys = keyword(call, "foreign_keys")
    return RelationshipSpec(
        attr=attr,
        target=target.rsplit(".", 1)[-1],
        line=line,
        backref=string(backref),
        back_populates=string(keyword(call, "back_populates")),
        secondary=(string(secondary) or ast.unparse(secondary)) if secondary is not None else None,
        foreign_keys=_foreign_key_texts(keys),
    )


def _class_reached(node: ast.expr) -> str:
    """The class a relationship's first argument names: ``User`` or ``models.User``; not an
    attribute of an object (``security_manager.user_model``), whose value analyze cannot
    read (a class is named in CapWords, a value held by an object is not)."""
    name = last(node) or ""
    if isinstance(node, ast.Attribute) and not name[:1].isupper():
        return ""
    return name


def _foreign_key_texts(node: ast.expr | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(string(e) or ast.unparse(e) for e in node.elts)
    return (string(node) or ast.unparse(node),)
