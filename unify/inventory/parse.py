"""Pass 1, *parse*: read and parse every file; what cannot be read or parsed becomes a
``parse-error`` finding and the rest is still analysed."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from unify.inventory.rules.files import parse_error
from unify.models import Finding, SourceFile
from unify.scan import read_source


@dataclass(frozen=True, slots=True)
class ParsedFile:
    source: SourceFile
    text: str
    tree: ast.Module


def parse_files(root: Path, files: Sequence[SourceFile]) -> Iterator[ParsedFile | Finding]:
    """Each file parsed, or the finding that says why it could not be (one at a time, so
    that a caller keeping only an outline frees each tree before the next)."""
    for src in files:
        yield parse_file(root, src)


def parse_file(root: Path, src: SourceFile) -> ParsedFile | Finding:
    try:
        text = read_source(root / src.rel)
        tree = ast.parse(text, filename=src.rel)
    except SyntaxError as exc:
        return parse_error(src.rel, exc.lineno, *_syntax_reason(str(exc.msg)))
    except UnicodeDecodeError as exc:
        reason = f"cannot be decoded ({exc.encoding}: {exc.reason} at byte {exc.start})"
        return parse_error(src.rel, None, reason, _RESAVE)
    except (OSError, ValueError) as exc:
        return parse_error(src.rel, None, f"cannot be read ({exc})", "fix the file or remove it")
    return ParsedFile(src, text, tree)


_RESAVE = "save it as UTF-8 (or declare its encoding in a coding line)"
_PYTHON2 = (
    "Missing parentheses in call to",
    "multiple exception types must be parenthesized",
)


def _syntax_reason(msg: str) -> tuple[str, str]:
    """The reason and the remedy that fits it: encoding, NUL bytes, Python 2 code, syntax."""
    if "encoding" in msg or "decode" in msg:
        return "is not valid UTF-8 and declares no other encoding", _RESAVE
    if "null bytes" in msg:
        return f"syntax error: {msg}", "remove the NUL bytes (is it a Python file?)"
    if any(mark in msg for mark in _PYTHON2):
        return f"syntax error: {msg}", "port it to Python 3 (it looks like Python 2)"
    return f"syntax error: {msg}", "fix the syntax"
