"""What psql and pg_restore said, in the user's words: their dump and its line.

psql names the temporary file unify fed it (``psql:/tmp/x.sql:661: ERROR: ...``) and the
last line of the failing statement; the user needs the dump's line of that statement's
start, or of the COPY row that failed.
"""

from __future__ import annotations

import re

from unify.dump.filter import FilteredScript
from unify.dump.script import LineCounter, split_script

PSQL_ERROR_RE = re.compile(
    r"^psql:(?P<file>.*):(?P<line>\d+): (?:ERROR|FATAL|error):\s+(?P<msg>.*)$"
)
CONTEXT_RE = re.compile(r"^CONTEXT:\s+(?P<context>.*)$")
COPY_ROW_RE = re.compile(r"^COPY \S+, line (\d+)")
TOOL_PREFIX_RE = re.compile(r"^(?:psql|pg_restore):\s+(?:error:\s+)?")
SERVER_PREFIX_RE = re.compile(r"^(?:could not execute query:\s+)?(?:ERROR|FATAL):\s+")
TRUNCATED_HINTS = ("end of file", "too short", "unexpected end", "did not find magic")


def psql_failure(
    stderr: str, temp_file: str, script: FilteredScript, text: str, label: str
) -> str | None:
    """``label:line: message (context)`` for psql's first error in ``temp_file``, located
    in the dump; None when psql failed elsewhere (e.g. it could not connect)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for index, line in enumerate(lines):
        found = PSQL_ERROR_RE.match(line)
        if found is None or found.group("file") != temp_file:
            continue
        context = next(
            (m.group("context") for ln in lines[index + 1 :] if (m := CONTEXT_RE.match(ln))), ""
        )
        where = _dump_line(text, script.dump_line(int(found.group("line"))), context)
        suffix = f" ({context})" if context else ""
        return f"{label}:{where}: {found.group('msg')}{suffix}"
    return None


def _dump_line(text: str, line: int, context: str) -> int:
    """The line of the statement holding ``line``, or of the COPY row the context names."""
    lines = LineCounter(text)
    for piece in split_script(text):
        first = lines.at(piece.start)
        if lines.at(max(piece.start, piece.end - 1)) < line:
            continue
        row = COPY_ROW_RE.match(context)
        if piece.kind == "copy-data" and row:
            return first + int(row.group(1)) - 1
        return min(first, line)
    return line


def first_error(stderr: str) -> str:
    """The first error line of a tool's stderr, without the tool's own prefixes."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "ERROR" in ln or "FATAL" in ln or "error" in ln]
    line = next(iter(errors or lines), "unknown error")
    return SERVER_PREFIX_RE.sub("", TOOL_PREFIX_RE.sub("", line))


def is_truncated(stderr: str) -> bool:
    """True when pg_restore stopped because the archive ends early."""
    return any(hint in stderr for hint in TRUNCATED_HINTS)
