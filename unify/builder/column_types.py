"""Setting a moved column's type to the plan's (keys and the foreign keys aligned with them)."""

from __future__ import annotations

import re

import libcst as cst

from unify.builder.nodes import callee, code_of, fix_commas, string_of
from unify.vocabulary import NOT_TYPES


def retyped(call: cst.Call, wanted: str, analyzed: str, *, in_table: bool) -> cst.Call:
    """``Column(...)`` / ``mapped_column(...)`` with its type ``wanted``; ``analyzed`` is the
    type the inventory read (for a column whose type comes from elsewhere, such as an
    annotation), ``in_table`` whether the call sits in a ``Table(...)``."""
    index = _type_arg_index(call)
    current = code_of(call.args[index].value) if index is not None else analyzed
    if not in_table and _norm_type(current) == _norm_type(wanted):
        return call
    if index is not None and _norm_type(current) == _norm_type(wanted):
        return call
    new_type = cst.parse_expression(_type_prefix(call, index) + wanted)
    args = list(call.args)
    if index is None:
        position = (
            1
            if args and isinstance(args[0].value, cst.SimpleString) and args[0].keyword is None
            else 0
        )
        args.insert(position, cst.Arg(value=new_type, comma=cst.MaybeSentinel.DEFAULT))
    else:
        args[index] = args[index].with_changes(value=new_type)
    return call.with_changes(args=fix_commas(args))


def column_name(call: cst.Call) -> str:
    """The column name a ``Column('name', ...)`` call spells out, or ``""``."""
    if (
        call.args
        and call.args[0].keyword is None
        and isinstance(call.args[0].value, cst.SimpleString)
    ):
        return string_of(call.args[0].value)
    return ""


def _norm_type(code: str) -> str:
    text = re.sub(r"\s+", "", code)
    return re.sub(r"^(db|sa|sqlalchemy|types|sqltypes)\.", "", text)


def _type_arg_index(call: cst.Call) -> int | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star:
            return None
        value = arg.value
        if isinstance(value, cst.SimpleString):
            continue
        if isinstance(value, cst.Call) and callee(value) in NOT_TYPES:
            return None
        head = value.func if isinstance(value, cst.Call) else value
        name = (
            head.attr.value
            if isinstance(head, cst.Attribute)
            else head.value
            if isinstance(head, cst.Name)
            else ""
        )
        return index if name[:1].isupper() else None
    return None


def _type_prefix(call: cst.Call, index: int | None) -> str:
    node: cst.BaseExpression | None = call.args[index].value if index is not None else None
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return code_of(node.value) + "."
    if isinstance(node, cst.Name):
        return ""
    for arg in call.args:  # mapped_column(db.ForeignKey(...)): take the FK's prefix
        if isinstance(arg.value, cst.Call) and isinstance(arg.value.func, cst.Attribute):
            return code_of(arg.value.func.value) + "."
    return code_of(call.func.value) + "." if isinstance(call.func, cst.Attribute) else ""
