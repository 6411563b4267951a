"""Is this plain dump whole?  pg_dump ends every dump with a known trailer.

A complete plain dump has its ``-- PostgreSQL database dump complete`` trailer, closes each
``\\restrict KEY`` with ``\\unrestrict KEY`` (pg_dump since August 2025), ends every ``COPY
... FROM stdin`` with its ``\\.`` line, and does not stop inside a statement.  The first
problem found, in that order of precedence (most precise first), is one ``InputError``
naming the dump and the line; a ``\\restrict`` key is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from unify.dump.script import LineCounter, Piece
from unify.errors import InputError

TRAILER = "-- PostgreSQL database dump complete"
RESTRICT_RE = re.compile(r"\\(restrict|unrestrict)\s+(\S+)")
COPY_TABLE_RE = re.compile(r"COPY\s+((?:\"(?:[^\"]|\"\")*\"|[^\s(\"])+)", re.I)
AGAIN = "dump the database again"


def checked(pieces: Iterator[Piece], text: str, dump: str) -> Iterator[Piece]:
    """``pieces`` unchanged; at their end, ``InputError`` if the dump is not whole."""
    if not text.strip():
        raise InputError(f"{dump}: the file is empty: nothing to restore ({AGAIN})")
    open_keys: dict[str, int] = {}
    lines = LineCounter(text)
    trailer = False
    previous: Piece | None = None
    end = 0
    for piece in pieces:
        trailer = trailer or text.find(TRAILER, end, piece.start) >= 0
        _track_restrict(piece, text, open_keys, lines)
        if not piece.complete:
            raise InputError(_incomplete(piece, previous, text, dump, lines))
        previous, end = piece, piece.end
        yield piece
    trailer = trailer or text.find(TRAILER, end) >= 0
    if not trailer:
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise InputError(
            f'{dump}:{last}: no "{TRAILER}" trailer: the dump is truncated or was not '
            f"written by pg_dump ({AGAIN})"
        )
    if open_keys:
        line = min(open_keys.values())
        raise InputError(
            f"{dump}:{line}: \\restrict is never closed by its \\unrestrict "
            f"(the dump is truncated; {AGAIN})"
        )


def _track_restrict(piece: Piece, text: str, open_keys: dict[str, int], lines: LineCounter) -> None:
    if piece.kind != "meta":
        return
    found = RESTRICT_RE.match(text, piece.start, piece.end)
    if found is None:
        return
    if found.group(1) == "restrict":
        open_keys.setdefault(found.group(2), lines.at(piece.start))
    else:
        open_keys.pop(found.group(2), None)


def _incomplete(
    piece: Piece, previous: Piece | None, text: str, dump: str, lines: LineCounter
) -> str:
    if piece.kind == "copy-data" and previous is not None:
        table = COPY_TABLE_RE.match(text, previous.start, previous.end)
        name = table.group(1) if table else "COPY"
        return (
            f'{dump}:{lines.at(previous.start)}: COPY {name} has no end marker "\\." '
            f"(the dump is truncated; {AGAIN})"
        )
    return (
        f"{dump}:{lines.at(piece.start)}: the dump ends inside this statement "
        f"(the dump is truncated; {AGAIN})"
    )
