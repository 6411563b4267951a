"""The rewritten module as edits of the original text: only the import lines that changed.

A rebuilt module (``rewrite.walk``) shares every untouched statement with the original; a
compound statement with a changed line somewhere inside is a copy whose suites differ.
Following the two trees side by side down to the changed lines gives, for each run of
replaced lines, the region of the original text it covers and the code of the lines that
take its place, generated with the indentation of its block -- not the whole enclosing
function or class.  Each region is checked against the original lines' own code (at their
depth) before it is used; any doubt gives None, and the caller falls back to
``rewrite.codegen.module_text``.  Because the edits are offsets in the original text, the
uses found in its ``ast`` tree (``rewrite.uses``) join them without a second parse.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from unify.rewrite.walk import SUITE_FIELDS, iter_imports

_NEWLINE = re.compile(r"\r\n|\r|\n")

Edit = tuple[int, int, str]  # start offset, end offset, replacement


class _Unsure(Exception):
    """The two trees or the text do not line up as expected: use the whole-module path."""


def statement_edits(
    text: str,
    old: cst.Module,
    new: cst.Module,
    tree: ast.Module | None,
    origins: Mapping[int, cst.CSTNode],
) -> list[Edit] | None:
    """The edits that turn ``text`` (parsed as ``old``) into ``new.code``; ``origins`` maps
    each rebuilt node to the node it was rebuilt from.  None when unsure."""
    if tree is None or new.header is not old.header or new.footer is not old.footer:
        return None
    cst_imports = list(iter_imports(old))
    ast_imports = list(_ast_imports(tree.body))
    if len(cst_imports) != len(ast_imports):
        return None
    pairs = list(zip(cst_imports, ast_imports, strict=True))
    if any(isinstance(c, cst.Import) != isinstance(a, ast.Import) for c, a in pairs):
        return None
    lines = {id(c): a.lineno for c, a in pairs}
    splicer = _Splicer(text, old, lines, origins)
    try:
        splicer.body(old.body, new.body, [])
    except _Unsure:
        return None
    return splicer.edits


class _Splicer:
    def __init__(
        self, text: str, old: cst.Module, lines: dict[int, int], origins: Mapping[int, cst.CSTNode]
    ) -> None:
        self.text = text
        self.module = old
        self.lines = lines
        self.origins = origins
        self.starts = [0, 0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.edits: list[Edit] = []

    def body(
        self, old: Sequence[cst.CSTNode], new: Sequence[cst.CSTNode], indents: list[str]
    ) -> None:
        """Align a statement list with its rebuilt copy: kept statements by identity,
        rebuilt compound statements by their origin, the rest replaces what lies between."""
        if not new:
            raise _Unsure  # an empty block is generated as ``pass``
        position = {id(s): i for i, s in enumerate(old)}
        pending: list[cst.CSTNode] = []
        kept = -1
        for stmt in [*new, None]:
            index: int | None = len(old)
            if stmt is not None:
                origin = self.origins.get(id(stmt))
                index = position.get(id(stmt if origin is None else origin))
                if index is None:
                    pending.append(stmt)
                    continue
            assert index is not None
            if index < kept:
                raise _Unsure
            if index > kept + 1:
                start, end = self._region(old[kept + 1], old[index - 1], indents)
                self.edits.append((start, end, self._code(pending, indents)))
            elif pending:
                raise _Unsure  # lines inserted with none replaced: not made by the rebuild
            if stmt is not None and stmt is not old[index]:
                self.compound(old[index], stmt, indents)
            kept, pending = index, []

    def compound(self, old: cst.CSTNode, new: cst.CSTNode, indents: list[str]) -> None:
        """A compound statement (or clause) rebuilt from ``old``: only its suites differ."""
        if type(old) is not type(new) or self.origins.get(id(new)) is not old:
            raise _Unsure
        for field in SUITE_FIELDS:
            before, after = getattr(old, field, None), getattr(new, field, None)
            if before is after:
                continue
            if isinstance(before, cst.IndentedBlock) and isinstance(after, cst.IndentedBlock):
                if self.origins.get(id(after)) is not before:
                    raise _Unsure
                indent = before.indent if before.indent is not None else self.module.default_indent
                self.body(before.body, after.body, [*indents, indent])
            elif isinstance(before, cst.CSTNode) and isinstance(after, cst.CSTNode):
                self.compound(before, after, indents)
            elif isinstance(before, (tuple, list)) and isinstance(after, (tuple, list)):
                if len(before) != len(after):
                    raise _Unsure
                for b, a in zip(before, after, strict=True):
                    if b is not a:
                        self.compound(b, a, indents)
            else:
                raise _Unsure

    def _region(self, first: cst.CSTNode, last: cst.CSTNode, indents: list[str]) -> tuple[int, int]:
        start, end = self._located(first, indents)
        return start, end if last is first else self._located(last, indents)[1]

    def _located(self, stmt: cst.CSTNode, indents: list[str]) -> tuple[int, int]:
        """The offsets of an original import line (its comments and blank lines before it
        included), checked against its code at its depth."""
        if not isinstance(stmt, cst.SimpleStatementLine):
            raise _Unsure
        line = next((self.lines[id(s)] for s in stmt.body if id(s) in self.lines), None)
        if line is None or line >= len(self.starts):
            raise _Unsure
        start = self.starts[line] - len(self._code(stmt.leading_lines, indents))
        code = self._code([stmt], indents)
        if start < 0 or self.text[start : start + len(code)] != code:
            raise _Unsure
        return start, start + len(code)

    def _code(self, nodes: Sequence[cst.CSTNode], indents: list[str]) -> str:
        """The code of ``nodes`` as the module generates it inside blocks of ``indents``."""
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            indent_tokens=list(indents),
        )
        for node in nodes:
            node._codegen(state)
        return "".join(state.tokens)


def _ast_imports(statements: Sequence[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements at any depth, in the order ``rewrite.walk.iter_imports`` yields the
    libcst nodes: compound statements by body, orelse, handlers, finalbody, cases."""
    for stmt in statements:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt
            continue
        for name in SUITE_FIELDS:
            value = getattr(stmt, name, None)
            if not isinstance(value, list):
                continue
            for item in value:
                if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                    yield from _ast_imports(item.body)
                elif isinstance(item, ast.stmt):
                    yield from _ast_imports([item])


def splice(text: str, edits: list[Edit]) -> str:
    """``text`` with the (non-overlapping) edits applied."""
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


def overlapping(edits: list[Edit], regions: list[Edit]) -> bool:
    """Whether any of ``edits`` falls inside one of ``regions``."""
    return any(s < re_ and rs < e for s, e, _ in edits for rs, re_, _ in regions)
