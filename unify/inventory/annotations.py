"""Reading 2.0-style annotations: ``Mapped[Optional[int]]`` -> a column type or a class."""

from __future__ import annotations

import ast

from unify.inventory.exprs import is_none, last, string

ANNOTATION_TYPES = {
    "int": "Integer",
    "str": "String",
    "bool": "Boolean",
    "float": "Float",
    "datetime": "DateTime",
    "date": "Date",
    "time": "Time",
    "timedelta": "Interval",
    "Decimal": "Numeric",
    "bytes": "LargeBinary",
    "UUID": "Uuid",
    "dict": "JSON",
    "list": "JSON",
}
_WRAPPERS = frozenset(
    {"Mapped", "WriteOnlyMapped", "DynamicMapped", "Optional", "List", "list", "Set", "set"}
)


def annotation_inner(node: ast.expr) -> ast.expr:
    """``Mapped[Optional[int]]`` -> ``int``; string annotations are parsed."""
    text = string(node)
    if text is not None:
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError:
            return node
    if isinstance(node, ast.Subscript) and last(node.value) in _WRAPPERS:
        return annotation_inner(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = node.left, node.right
        return annotation_inner(right if is_none(left) else left)
    return node


def annotation_optional(node: ast.expr) -> bool:
    text = string(node)
    source = text if text is not None else ast.unparse(node)
    return "Optional[" in source or "None" in source


def annotation_type(node: ast.expr | None) -> tuple[str, str]:
    if node is None:
        return "", ""
    inner = annotation_inner(node)
    name = last(inner)
    mapped = ANNOTATION_TYPES.get(name)
    return (mapped, mapped) if mapped else (name, name)


def mapped_python_type(node: ast.expr) -> bool:
    return last(node.value if isinstance(node, ast.Subscript) else node) == "Mapped" and (
        last(annotation_inner(node)) in ANNOTATION_TYPES
    )


def annotation_class(node: ast.expr) -> str | None:
    inner = annotation_inner(node)
    return string(inner) or last(inner) or None
