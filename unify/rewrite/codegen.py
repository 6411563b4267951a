"""The rewritten module's text, generating code only for the top-level statements that changed.

``Module.code`` generates the text of every node, as costly as a third of the parse.  A
rebuilt module shares every untouched top-level statement with the original, so the new
text is the original text with the changed statements' regions replaced.  A region's start
comes from Python's own parser (the line where the statement proper starts, minus the
length of its leading comment and blank lines); each region is checked against the
original statement's own code before it is replaced, and any doubt falls back to
``Module.code``, so the result is always exactly what ``Module.code`` gives.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import libcst as cst

_NEWLINE = re.compile(r"\r\n|\r|\n")


def module_text(text: str, old: cst.Module, new: cst.Module, tree: ast.Module | None) -> str:
    """``new.code``, where ``new`` is ``old`` rebuilt from the text ``text``."""
    if new is old:
        return text
    if tree is None or new.header is not old.header or new.footer is not old.footer:
        return new.code
    spliced = _spliced(text, old, new, tree)
    return new.code if spliced is None else spliced


def _spliced(text: str, old: cst.Module, new: cst.Module, tree: ast.Module) -> str | None:
    firsts = _first_lines(old.body, tree.body)
    if firsts is None:
        return None
    starts = [0, 0] + [m.end() for m in _NEWLINE.finditer(text)]
    position = {id(s): i for i, s in enumerate(old.body)}
    edits: list[tuple[int, int, str]] = []
    pending: list[cst.BaseStatement] = []
    kept = -1
    for stmt in [*new.body, None]:
        index = len(old.body) if stmt is None else position.get(id(stmt))
        if index is None:
            pending.append(stmt)  # type: ignore[arg-type]
            continue
        if index < kept:
            return None
        if index > kept + 1:
            region = _region(text, old, starts, firsts, kept + 1, index - 1)
            if region is None:
                return None
            edits.append((*region, "".join(new.code_for_node(s) for s in pending)))
        elif pending:
            return None  # statements inserted with none replaced: not made by the rebuild
        kept, pending = index, []
    out: list[str] = []
    cursor = 0
    for start, end, replacement in edits:
        out += [text[cursor:start], replacement]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _region(
    text: str, old: cst.Module, starts: list[int], firsts: list[int], a: int, b: int
) -> tuple[int, int] | None:
    """The offsets of the original statements ``a`` to ``b``, checked against their code."""
    first = _located(text, old, starts, firsts, a)
    last = first if a == b else _located(text, old, starts, firsts, b)
    if first is None or last is None:
        return None
    return first[0], last[1]


def _located(
    text: str, old: cst.Module, starts: list[int], firsts: list[int], index: int
) -> tuple[int, int] | None:
    stmt = old.body[index]
    line = firsts[index]
    if line >= len(starts):
        return None
    lead = "".join(old.code_for_node(e) for e in stmt.leading_lines)
    start = starts[line] - len(lead)
    code = old.code_for_node(stmt)
    if start < 0 or text[start : start + len(code)] != code:
        return None
    return start, start + len(code)


def _first_lines(body: Sequence[cst.BaseStatement], stmts: list[ast.stmt]) -> list[int] | None:
    """The line where each libcst top-level statement proper starts (decorators included);
    None when the two parsers do not line up."""
    out: list[int] = []
    cursor = 0
    for stmt in body:
        count = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        if cursor + count > len(stmts):
            return None
        node = stmts[cursor]
        decorators = getattr(node, "decorator_list", None) or []
        out.append(min([node.lineno, *(d.lineno for d in decorators)]))
        cursor += count
    return out if cursor == len(stmts) else None
