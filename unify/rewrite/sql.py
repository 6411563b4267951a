"""Raw SQL in strings naming a table the plan renames or merges: ``text("SELECT ... FROM
shop_members")``, ``op.execute(...)``, an f-string.  Reported always; edited only when the
plan asks (``[unify] rewrite_sql = true``), and then only the exact table identifiers an SQL
tokenizer finds in a plain string literal (never a value, a parameter, a comment, a longer
name, a docstring or an f-string)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from unify.literals import (
    code_string_nodes,
    is_alembic_revision,
    joined_text,
    looks_like_sql,
    mentions_sql,
    sql_names,
)
from unify.models import Finding, RewriteChange, Rule, Severity
from unify.rewrite.map import RenameIndex

RAW_SQL_RENAMED_TABLE = Rule(
    name="raw-sql-renamed-table",
    code="R013",
    severity=Severity.WARNING,
    summary="SQL in a string names a table the plan renames or merges",
)


@dataclass(slots=True)
class SqlRewrite:
    text: str
    findings: list[Finding] = field(default_factory=list)
    changes: list[RewriteChange] = field(default_factory=list)


def rewrite_sql(text: str, path: str, names: RenameIndex) -> SqlRewrite:
    """The text with its SQL edited (when the plan asks), and a finding per SQL string that
    names a moved table."""
    tables = names.sql_tables
    out = SqlRewrite(text)
    if not tables or not mentions_sql(text) or not _words(tables).search(text):
        return out
    if is_alembic_revision(text):
        return out  # (history: its SQL ran against the tables as they were)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return out
    edits: list[tuple[int, int, str]] = []
    for node in code_string_nodes(tree):
        formatted = isinstance(node, ast.JoinedStr)
        value = joined_text(node) if isinstance(node, ast.JoinedStr) else str(node.value)
        if not looks_like_sql(value):
            continue
        named = sorted({n.name for n in sql_names(value)} & tables.keys())
        if not named:
            continue
        done: list[tuple[int, int, str]] = []
        if names.edit_sql and isinstance(node, ast.Constant):
            done = _edits(text, node, tables)
        edits += done
        out.findings.append(_finding(path, node.lineno, named, tables, formatted, bool(done)))
    for start, end, new in sorted(edits, reverse=True):
        out.changes.append(RewriteChange(form="string", old=out.text[start:end], new=new))
        out.text = out.text[:start] + new + out.text[end:]
    out.changes.reverse()
    return out


def _words(tables: dict[str, str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(tables)) + r")\b", re.I)


def _edits(text: str, node: ast.Constant, tables: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, new) in ``text`` for each table identifier of the literal's pieces; none
    when a piece reads differently as source than as value (escapes)."""
    start = _offset(text, node.lineno, node.col_offset)
    end = _offset(text, node.end_lineno or node.lineno, node.end_col_offset or 0)
    out: list[tuple[int, int, str]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text[start:end]).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    lines = _line_starts(text[start:end])
    for token in tokens:
        if token.type != tokenize.STRING:
            continue
        body_at, body = _body(token.string)
        if body is None:
            continue
        value = ast.literal_eval(token.string)
        wanted = [n.name for n in sql_names(value) if n.name in tables]
        found = [n for n in sql_names(body) if n.name in tables]
        if [n.name for n in found] != wanted:
            return []  # escapes: the source is not the value; leave it to a person
        at = start + lines[token.start[0] - 1] + token.start[1] + body_at
        for name in found:
            new = tables[name.name]
            raw = body[name.start : name.end]
            replacement = f"{raw[0]}{new}{raw[-1]}" if name.quoted else new
            out.append((at + name.start, at + name.end, replacement))
    return out


def _body(literal: str) -> tuple[int, str | None]:
    """Where a plain string literal's body starts and the body (None: bytes, f-string)."""
    prefix = re.match(r"[A-Za-z]*", literal)
    letters = prefix.group(0).lower() if prefix else ""
    if "b" in letters or "f" in letters:
        return 0, None
    rest = literal[len(letters) :]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    return len(letters) + len(quote), rest[len(quote) : len(rest) - len(quote)]


def _offset(text: str, line: int, col: int) -> int:
    """The character offset of ``ast``'s (line, UTF-8 byte column)."""
    starts = _line_starts(text)
    line_start = starts[line - 1]
    line_end = text.find("\n", line_start)
    line_text = text[line_start : len(text) if line_end < 0 else line_end]
    return line_start + len(line_text.encode("utf-8")[:col].decode("utf-8", "replace"))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    return starts


def _finding(
    path: str,
    line: int,
    named: list[str],
    tables: dict[str, str],
    formatted: bool,
    edited: bool,
) -> Finding:
    moves = ", ".join(f"{t} -> {tables[t]}" for t in named)
    if edited:
        what = "edited (rewrite_sql): check the statement still means what it did"
    elif formatted:
        what = "not edited (an f-string): update it by hand"
    else:
        what = "not edited: update it by hand, or set rewrite_sql = true in [unify]"
    message = f"SQL in a string names a table the plan moves ({moves}); {what}"
    return RAW_SQL_RENAMED_TABLE.finding(message, path=path, line=line, objects=tuple(named))
