"""Small readers and editors of libcst nodes and code text that the build's parts share."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

import libcst as cst


def walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """``node`` and every node below it."""
    yield node
    for child in node.children:
        yield from walk(child)


def callee(call: cst.Call) -> str:
    """The called name's last part (``db.relationship(...)`` -> ``relationship``)."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def string_of(node: cst.SimpleString) -> str:
    value = node.evaluated_value
    return value if isinstance(value, str) else ""


def with_string(node: cst.SimpleString, text: str) -> cst.SimpleString:
    """``node`` holding ``text``, in its own prefix and quotes."""
    if string_of(node) == text:
        return node
    quote = node.quote
    return node.with_changes(value=f"{node.prefix}{quote}{text}{quote}")


def fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """A comma after every argument but the last that has none."""
    fixed = []
    for index, arg in enumerate(args):
        last = index == len(args) - 1
        if not last and arg.comma is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        fixed.append(arg)
    return fixed


def drop_keyword(call: cst.Call, keyword: str) -> cst.Call:
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == keyword)]
    if len(args) == len(call.args):
        return call
    if args:
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=args)


def statement_names(stmt: cst.CSTNode) -> list[str]:
    """The names a statement defines (a function, a class, a plain assignment)."""
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
        return [stmt.name.value]
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign):
            return [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return [small.target.value]
    return []


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def same_code(a: str, b: str) -> bool:
    """Two pieces of code mean the same (their syntax trees are equal)."""
    try:
        return ast.dump(ast.parse(a.strip())) == ast.dump(ast.parse(b.strip()))
    except SyntaxError:
        return a.strip() == b.strip()


def chunk(code: str) -> str:
    """``code`` without its leading blank lines and trailing whitespace."""
    return re.sub(r"^(?:[ \t]*\n)+", "", code).rstrip()
