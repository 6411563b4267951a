"""A psql script (a plain pg_dump) cut into the pieces psql itself would see.

``split_script`` yields statements (up to their ``;``, across lines, quotes, dollar quotes,
comments and parentheses, as psql's own lexer ends them), backslash meta-commands (to the
end of their line) and the data of each ``COPY ... FROM stdin`` (up to its ``\\.`` line).
What lies between pieces is blank lines and comments.  A piece that the text ends inside
is yielded with ``complete=False``; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

PieceKind = Literal["statement", "meta", "copy-data"]

GAP_RE = re.compile(r"(?:\s+|--[^\n]*)*")
SPECIAL_RE = re.compile(r"--|/\*|[;'\"()]|\$(?:[A-Za-z_\x80-\U0010ffff][\w\x80-\U0010ffff]*)?\$")
WORD_RE = re.compile(r"[A-Za-z_\x80-\U0010ffff][\w$\x80-\U0010ffff]*")
FUNCTION_SPECIAL_RE = re.compile(f"{SPECIAL_RE.pattern}|{WORD_RE.pattern}")
STRING_END_RE = re.compile(r"[^']*(?:''[^']*)*'")
ESCAPE_STRING_END_RE = re.compile(r"[^'\\]*(?:(?:\\.|'')[^'\\]*)*'", re.S)
IDENT_END_RE = re.compile(r'[^"]*(?:""[^"]*)*"')
ROUTINE_RE = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.I)
COPY_STDIN_RE = re.compile(r"COPY\b[^;]*?\bFROM\s+stdin\b", re.I)
NON_STANDARD_RE = re.compile(r"SET\s+standard_conforming_strings\s*(?:=|TO)\s*'?off\b", re.I)
# A statement with no comment, dollar quote, backslash or ``;`` inside parentheses, matched
# in one step (an unrolled loop: every alternative starts with its own character).
_PLAIN = r"[^;'\"$/\-\\()]"
_QUOTED = r"'[^'\\]*'|\"[^\"]*\"|-(?!-)|/(?!\*)"
_PARENS = rf"\({_PLAIN}*(?:(?:{_QUOTED}){_PLAIN}*)*\)"
SIMPLE_STATEMENT_RE = re.compile(rf"{_PLAIN}*(?:(?:{_QUOTED}|{_PARENS}){_PLAIN}*)*;")
IDENT_CHAR_RE = re.compile(r"[\w$\x80-\U0010ffff]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Piece:
    """One statement, meta-command or block of COPY data: ``text[start:end]``.

    ``complete`` is false when the script ends inside the piece (a statement without ``;``,
    a COPY without ``\\.``).  Line numbers come from a ``LineCounter`` when needed.
    """

    kind: PieceKind
    start: int
    end: int
    complete: bool = True


def split_script(text: str) -> Iterator[Piece]:
    """The pieces of ``text`` in order (see the module docstring)."""
    standard_strings = True
    pos = _skip_gap(text, 0)
    while pos < len(text):
        if text.startswith("\\", pos):
            end = _line_end(text, pos)
            yield Piece(kind="meta", start=pos, end=end)
        else:
            end, complete = _statement_end(text, pos, standard_strings)
            yield Piece(kind="statement", start=pos, end=end, complete=complete)
            if text[pos] in "Ss" and NON_STANDARD_RE.match(text, pos, end):
                standard_strings = False
            if complete and text[pos] in "Cc" and COPY_STDIN_RE.match(text, pos, end):
                data = _line_end(text, end) + 1
                if data > len(text):
                    yield Piece(kind="copy-data", start=len(text), end=len(text), complete=False)
                    break
                end, complete = _copy_end(text, data)
                yield Piece(kind="copy-data", start=data, end=end, complete=complete)
        pos = _skip_gap(text, end)


def _skip_gap(text: str, pos: int) -> int:
    """Offset of the next piece after blank space, ``--`` and ``/* */`` comments."""
    while True:
        pos = GAP_RE.match(text, pos).end()  # type: ignore[union-attr]
        if not text.startswith("/*", pos):
            return pos
        end = _block_comment_end(text, pos + 2)
        pos = len(text) if end < 0 else end


class LineCounter:
    """1-based line numbers of (mostly) increasing offsets, counted once (linear)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, offset: int) -> int:
        if offset < self.pos:  # rare: an offset inside the previous piece
            return 1 + self.text.count("\n", 0, offset)
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _copy_end(text: str, data: int) -> tuple[int, bool]:
    """End of the ``\\.`` line that closes COPY data starting at ``data``."""
    pos = data
    while True:
        if text.startswith("\\.", pos) and text[pos + 2 : pos + 3] in ("", "\n", "\r"):
            return _line_end(text, pos), True
        nxt = text.find("\n\\.", pos)
        if nxt < 0:
            return len(text), False
        pos = nxt + 1


def _statement_end(text: str, pos: int, standard_strings: bool) -> tuple[int, bool]:
    """Offset just past the ``;`` that ends the statement at ``pos`` (psql's rules)."""
    routine = ROUTINE_RE.match(text, pos) is not None
    simple = None if routine else SIMPLE_STATEMENT_RE.match(text, pos)
    if simple is not None:
        return simple.end(), True
    special = FUNCTION_SPECIAL_RE if routine else SPECIAL_RE
    depth = begin_depth = 0
    while True:
        m = special.search(text, pos)
        if m is None:
            return len(text), False
        token, start = m.group(), m.start()
        pos = m.end()
        if token == ";":
            if depth == 0 and begin_depth == 0:
                return pos, True
        elif token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif token in ("'", '"', "--", "/*") or token.startswith("$"):
            pos = _skip_quoted(text, token, start, pos, standard_strings)
            if pos < 0:
                return len(text), False
        elif depth == 0:
            begin_depth = _begin_depth(token.upper(), begin_depth)


def _begin_depth(word: str, depth: int) -> int:
    """psql's count of ``BEGIN ATOMIC ... END`` (and ``CASE ... END`` inside it)."""
    if word == "BEGIN" or (word == "CASE" and depth >= 1):
        return depth + 1
    if word == "END" and depth > 0:
        return depth - 1
    return depth


def _skip_quoted(text: str, token: str, start: int, pos: int, standard: bool) -> int:
    """Offset past the string, identifier, comment or dollar quote opened at ``start``."""
    if token == "--":
        return _line_end(text, pos)
    if token == "/*":
        return _block_comment_end(text, pos)
    if token == '"':
        m = IDENT_END_RE.match(text, pos)
    elif token == "'":
        escapes = not standard or _is_escape_string(text, start)
        m = (ESCAPE_STRING_END_RE if escapes else STRING_END_RE).match(text, pos)
    else:
        if start > 0 and IDENT_CHAR_RE.match(text[start - 1]):
            return start + 1  # part of an identifier such as a$b$
        end = text.find(token, pos)
        return -1 if end < 0 else end + len(token)
    return -1 if m is None else m.end()


def _is_escape_string(text: str, start: int) -> bool:
    """True for ``E'...'`` (backslash escapes), not for a word ending in e before a quote."""
    if start == 0 or text[start - 1] not in "eE":
        return False
    return start < 2 or not IDENT_CHAR_RE.match(text[start - 2])


def _block_comment_end(text: str, pos: int) -> int:
    depth = 1
    while depth:
        close = text.find("*/", pos)
        if close < 0:
            return -1
        opening = text.find("/*", pos, close)
        if opening >= 0:
            depth, pos = depth + 1, opening + 2
        else:
            depth, pos = depth - 1, close + 2
    return pos
