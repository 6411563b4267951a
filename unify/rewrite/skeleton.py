"""The import skeleton of a module: its text with every statement that holds no import
replaced by ``pass``, for libcst to parse instead of the whole file.

The rewrite edits import lines, and finds the uses of the names they bind in Python's own
``ast`` tree; what libcst must see is the statement structure around the imports.  Parsing
only that costs a fraction of parsing the file (most of a module is the bodies of functions
that import nothing).  The skeleton keeps every line's place and the indentation of every
line that starts a statement, so the ``ast`` line numbers, the indentation libcst detects
and every import line with its comments are those of the file; a statement replaced whole
becomes ``pass`` on its line, or, over several lines, one string at its own indentation
(three double quotes on its first line and on its last, empty lines between).

Kept as written: import statements, the headers of the compound statements that hold one
(their other statements are replaced), a ``try`` holding an import (its handlers are read
for import fallbacks), and any statement that does not start or end its own lines
(``x = 1; import y``, ``if a: b``, ``elif``).  What needs more than the structure (libcst's
scopes, a traversal of the code, generating a whole module) raises ``WholeModuleNeeded``,
and the caller parses the file whole.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_IMPORTS = (ast.Import, ast.ImportFrom)
_TRIES = (ast.Try, ast.TryStar)
_SPACE = " \t\f"

Region = tuple[int, int, str]  # first line, last line (1-based), the first line's indentation


class WholeModuleNeeded(Exception):
    """The rewrite of this file needs more than its import skeleton: parse it whole."""


def import_skeleton(text: str, tree: ast.Module) -> str | None:
    """``text`` with the statements that hold no import replaced by ``pass`` lines, or None
    when nothing would be replaced."""
    lines = _LINES.findall(text)
    _, regions = _scan(tree.body, lines, top=True)
    if not regions:
        return None
    for first, last, indent in regions:
        for number in range(first - 1, last):
            lines[number] = _ending(lines[number])
        if first == last:
            lines[first - 1] = f"{indent}pass{lines[first - 1]}"
        else:  # one string statement over the lines: one token for libcst, however long
            lines[first - 1] = f'{indent}"""{lines[first - 1]}'
            lines[last - 1] = f'"""{lines[last - 1]}'
    return "".join(lines)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _scan(
    body: list[ast.stmt], lines: list[str], *, top: bool = False
) -> tuple[bool, list[Region]]:
    """Whether ``body`` holds an import at any depth, and the regions to replace in it."""
    holds = False
    regions: list[Region] = []
    indented_seen = not top  # the first block libcst takes the file's indentation from
    for index, stmt in enumerate(body):
        if isinstance(stmt, _IMPORTS):
            holds = True
            continue
        inner_holds = False
        inner: list[Region] = []
        blocks = list(_blocks(stmt))
        for block in blocks:
            found, found_regions = _scan(block, lines)
            inner_holds |= found
            inner += found_regions
        if inner_holds:
            holds = True
            indented_seen = indented_seen or _indents(blocks, lines)
            if not isinstance(stmt, _TRIES):
                regions += inner
            continue
        if blocks and not indented_seen and _indents(blocks, lines):
            indented_seen = True  # kept, so that its first indented line stays first
            regions += inner
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        region = _whole(stmt, following, lines)
        regions += inner if region is None else [region]
    return holds, regions


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists directly under a statement (none for a simple statement)."""
    for name in ("body", "orelse", "finalbody"):
        value = getattr(stmt, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


def _indents(blocks: list[list[ast.stmt]], lines: list[str]) -> bool:
    """Whether one of the blocks starts on a line of its own (an indented block)."""
    return any(_starts_line(block[0], block[0].lineno, lines) for block in blocks)


def _starts_line(stmt: ast.stmt, line: int, lines: list[str]) -> bool:
    """Whether only indentation comes before ``stmt`` on its line (a byte offset: an
    indentation is ASCII, so characters and bytes agree when this holds)."""
    return not lines[line - 1][: stmt.col_offset].strip(_SPACE)


def _whole(stmt: ast.stmt, following: ast.stmt | None, lines: list[str]) -> Region | None:
    """The lines of ``stmt`` (its decorators included), when they hold nothing else."""
    decorators = getattr(stmt, "decorator_list", None)
    first = decorators[0].lineno if decorators else stmt.lineno
    last = stmt.end_lineno
    if last is None or (following is not None and following.lineno <= last):
        return None  # another statement shares its last line
    if not _starts_line(stmt, first, lines):
        return None
    opening = lines[first - 1][stmt.col_offset :]
    if decorators and not opening.startswith("@"):
        return None
    if isinstance(stmt, ast.If) and opening.startswith("elif"):
        return None
    return first, last, lines[first - 1][: stmt.col_offset]
