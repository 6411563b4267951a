"""Uses renamed without libcst: ``models_v2.Port``, ``a.b.models_v2.Port``, and the uses
``rewrite.bindings`` found (by their ordinal among the file's ``ast.Name`` nodes).

When the text check of ``rewrite.names`` proved that a module binding is bound only by its
imports, every ``binding.attr`` in the code is a use of it; Python's own parser finds them
(far cheaper than a libcst traversal) and the edits are spliced into the text at the exact
positions it reports.  Comments and strings are never touched: they hold no ``ast.Name``.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator

from unify.rewrite.names import NameDecisions
from unify.syntax import ast_nodes

_NEWLINE = re.compile(r"\r\n|\r|\n")

Edit = tuple[int, int, str]  # start offset, end offset, replacement


def rewrite_uses(text: str, decisions: NameDecisions) -> tuple[str, Counter[tuple[str, str]]]:
    """Apply the renames of ``decisions`` found without libcst to ``text`` (module bindings,
    dotted chains, uses by ordinal); count them as (old, new)."""
    if not needs_uses(decisions):
        return text, Counter()
    edits, counts = use_edits(text, ast.parse(text), decisions)
    return _splice(text, edits), counts


def needs_uses(decisions: NameDecisions) -> bool:
    """Whether ``decisions`` rename anything that ``use_edits`` finds."""
    by_use = bool(decisions.use_names or decisions.use_attrs)
    return bool(decisions.fast_names or decisions.fast_attrs or decisions.dotted or by_use)


def use_edits(
    text: str, tree: ast.Module, decisions: NameDecisions, nodes: list[ast.AST] | None = None
) -> tuple[list[Edit], Counter[tuple[str, str]]]:
    """The edits of ``rewrite_uses`` in ``text`` (parsed as ``tree``; ``nodes``, its
    ``ast_nodes`` when the caller has them), and their counts."""
    counts: Counter[tuple[str, str]] = Counter()
    if not needs_uses(decisions):
        return [], counts
    by_use = bool(decisions.use_names or decisions.use_attrs)
    starts = _line_starts(text)
    nodes = ast_nodes(tree) if nodes is None else nodes
    names = (n for n in nodes if isinstance(n, ast.Name))
    ordinals = {id(n): i for i, n in enumerate(names)} if by_use else {}
    edits: list[Edit] = []
    for node in nodes:
        if isinstance(node, ast.Attribute):
            found = list(_attribute_edits(node, decisions, ordinals, text, starts))
        elif isinstance(node, ast.Name) and ordinals.get(id(node), -1) in decisions.use_names:
            new = decisions.use_names[ordinals[id(node)]]
            found = [(node.id, new, _span(node, text, starts, new))]
        else:
            continue
        for old, new, edit in found:
            counts[(old, new)] += 1
            edits.append(edit)
    return edits, counts


def _attribute_edits(
    node: ast.Attribute,
    decisions: NameDecisions,
    ordinals: dict[int, int],
    text: str,
    starts: list[int],
) -> Iterator[tuple[str, str, Edit]]:
    value = node.value
    attrs: dict[str, str] = {}
    if isinstance(value, ast.Name):
        new_binding = decisions.fast_names.get(value.id)
        if new_binding is not None:
            yield value.id, new_binding, _span(value, text, starts, new_binding)
        by_use = decisions.use_attrs.get(ordinals.get(id(value), -1))
        attrs = (
            by_use if by_use is not None else decisions.fast_attrs.get(new_binding or value.id, {})
        )
    elif decisions.dotted:
        chain = _dotted(value)
        if chain in decisions.dotted:
            new_chain, attrs = decisions.dotted[chain]
            yield chain, new_chain, _span(value, text, starts, new_chain)
    new_attr = attrs.get(node.attr)
    if new_attr is not None:
        end = _offset(text, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
        yield node.attr, new_attr, (end - len(node.attr), end, new_attr)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _span(node: ast.expr, text: str, starts: list[int], replacement: str) -> Edit:
    start = _offset(text, starts, node.lineno, node.col_offset)
    end = _offset(text, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
    return (start, end, replacement)


def _line_starts(text: str) -> list[int]:
    return [0, 0] + [m.end() for m in _NEWLINE.finditer(text)]


def _offset(text: str, starts: list[int], lineno: int, col: int) -> int:
    """``ast`` columns count UTF-8 bytes; turn (line, byte column) into a text offset."""
    start = starts[lineno]
    prefix = text[start : start + col]
    if prefix.isascii():
        return start + col
    line_end = starts[lineno + 1] if lineno + 1 < len(starts) else len(text)
    return start + len(text[start:line_end].encode("utf-8")[:col].decode("utf-8"))


def _splice(text: str, edits: list[Edit]) -> str:
    if not edits:
        return text
    out: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(set(edits)):
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
