"""Small readers of ``ast`` expressions shared by the passes."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain (calls and subscripts: None)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        inner = dotted(node.func)
        return f"{inner}()" + "".join("." + p for p in reversed(parts)) if inner else None
    return None


def last(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def string_list(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    items = [string(e) for e in node.elts]
    return tuple(i for i in items if i is not None) if all(items) else None


def flag(call: ast.Call, name: str) -> bool | None:
    for kw in call.keywords:
        if kw.arg == name:
            return bool(kw.value.value) if isinstance(kw.value, ast.Constant) else None
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def type_text(node: ast.expr) -> tuple[str, str]:
    """(normalised source, type name): ``db.String(36)`` -> (``String(36)``, ``String``);
    ``BigInteger().with_variant(...)`` -> the base type."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
    ):
        node = node.func.value
    func = node.func if isinstance(node, ast.Call) else node
    name = last(func) or ast.unparse(func)
    if isinstance(node, ast.Call):
        args = [ast.unparse(a) for a in node.args]
        args += [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg]
        return (f"{name}({', '.join(args)})" if args else name), name
    return name, name


def target_names(target: ast.expr) -> Iterator[str]:
    """The names an assignment target binds (tuples and starred targets unpacked)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def decorators(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """The decorators, calls reduced to what they call."""
    return [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
