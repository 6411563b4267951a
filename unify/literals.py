"""String literals in Python source, as code holds them (docstrings and comments aside), and
the SQL some of them hold: shared by analyze (which lists them) and rewrite (which reports,
and on request edits, them).

Two cheap text checks decide whether a file's tree is walked at all: ``quoted_names`` (a
quoted dotted name whose parts include a module's last name) and ``mentions_sql`` (a quote
followed by an SQL verb).  SQL is read with sqlglot's tokenizer (imported only when a file
holds SQL), so identifiers are told from keywords, string values and comments."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from unify.syntax import ast_nodes, statement_lines

# a quoted dotted name (``"server.shop_models"``, ``'shop_models:Ticket'``)
_QUOTED_NAME = re.compile(r"""(["'])([A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)*)\1""")
_SQL_VERBS = r"select|insert|update|delete|with|create|alter|drop|truncate"
_SQL_START = re.compile(rf"""["']\s*(?:{_SQL_VERBS})\s""", re.IGNORECASE)
# where a string whose value begins with an SQL verb may open: a quote, then white space
# written as itself or as escapes (``\n``, ``\x20``, a line continuation), then the verb
_SQL_OPENING = re.compile(
    rf"""["'](?:\s|\\(?:x[0-9a-fA-F]{{2}}|u[0-9a-fA-F]{{4}}|U[0-9a-fA-F]{{8}}|N\{{[^}}]*\}}"""
    rf"""|[0-7]{{1,3}}|[\s\S]))*(?:{_SQL_VERBS})""",
    re.IGNORECASE,
)
_SQL_SHAPE = re.compile(
    r"""^\s*(?:
        (?:select|with)\b.*\bfrom\s
      | insert\s+into\s
      | update\s+\S+\s+set\s
      | delete\s+from\s
      | (?:create|alter|drop)\s+(?:(?:temp|temporary|unique)\s+)?(?:table|index|view|sequence)\s
      | truncate\s
    )""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
PLACEHOLDER = "?"  # what an f-string's ``{...}`` stands as in its SQL text
# an Alembic revision file: ``revision`` and ``down_revision`` assigned at module level
_REVISION_ID = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class CodeString:
    """A string literal (or f-string) in code: its line, its value (an f-string's constant
    parts joined by ``PLACEHOLDER``) and whether it is an f-string."""

    line: int
    value: str
    formatted: bool = False


def quoted_names(text: str, stems: Collection[str]) -> frozenset[str]:
    """The quoted dotted names of ``text`` one of whose last two parts is in ``stems``."""
    out: set[str] = set()
    for value in {match[2] for match in _QUOTED_NAME.finditer(text)}:  # (each value once)
        head, _, last = value.replace(":", ".").rpartition(".")
        if last in stems or (head and head.rpartition(".")[2] in stems):
            out.add(value)
    return frozenset(out) if out else _NONE  # (``frozenset(set())`` is a new empty object)


_NONE: frozenset[str] = frozenset()


def is_alembic_revision(text: str) -> bool:
    """Whether ``text`` is an Alembic revision file.  Its SQL names the tables as they were
    when it ran: it is history, neither listed nor edited with the models."""
    return (
        "down_revision" in text  # (a quick test first: most files are not)
        and _REVISION_ID.search(text) is not None
        and _DOWN_REVISION.search(text) is not None
    )


def mentions_sql(text: str) -> bool:
    return _SQL_START.search(text) is not None


def looks_like_sql(value: str) -> bool:
    return _SQL_SHAPE.match(value) is not None


def sql_strings(tree: ast.Module, text: str) -> tuple[CodeString, ...]:
    """The code strings of ``tree`` (parsed from ``text``) that look like SQL, in
    ``code_strings`` order.  Only the statements on whose lines such a string may open are
    walked into (``_SQL_OPENING``: a value that begins with an SQL verb after white space
    opens so, unless the verb itself is written with escapes)."""
    lines: list[int] = []
    line, counted = 1, 0
    for match in _SQL_OPENING.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        lines.append(line)
    if not lines:
        return ()

    def holds_one(node: ast.stmt) -> bool:
        first, last = statement_lines(node)
        at = bisect_left(lines, first)
        return at < len(lines) and lines[at] <= last

    strings = code_strings(tree, holds_one)
    return tuple(s for s in strings if looks_like_sql(s.value))


def code_strings(
    tree: ast.Module, walk_into: Callable[[ast.stmt], bool] | None = None
) -> Iterator[CodeString]:
    """Every string literal and f-string of ``tree`` but docstrings (the parts of an f-string
    are not strings of their own); ``walk_into``: of the statements it accepts only."""
    for node in code_string_nodes(tree, walk_into):
        if isinstance(node, ast.JoinedStr):
            yield CodeString(node.lineno, joined_text(node), True)
        else:
            yield CodeString(node.lineno, str(node.value))


def code_string_nodes(
    tree: ast.Module, walk_into: Callable[[ast.stmt], bool] | None = None
) -> Iterator[ast.Constant | ast.JoinedStr]:
    """The nodes of ``code_strings``, in ``ast.walk`` order."""
    skip: set[int] = set()
    for node in ast_nodes(tree, walk_into):
        kind = node.__class__
        if kind in _DOC_OWNERS:
            body = node.body  # type: ignore[attr-defined]
            if body and _is_docstring(body[0]):
                skip.add(id(body[0].value))
        elif kind is ast.JoinedStr:
            skip.update(id(v) for v in node.values)  # type: ignore[attr-defined]
            yield node  # type: ignore[misc]
        elif kind is ast.Constant and node.value.__class__ is str and id(node) not in skip:  # type: ignore[attr-defined]
            yield node  # type: ignore[misc]


_DOC_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def joined_text(node: ast.JoinedStr) -> str:
    """An f-string's constant parts, each ``{...}`` as ``PLACEHOLDER``."""
    return "".join(
        v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else PLACEHOLDER
        for v in node.values
    )


# ---------------------------------------------------------------------------
# SQL
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SqlName:
    """An identifier of an SQL text: its name (lower case unless quoted), where it is in the
    text (``start``..``end``, end exclusive, quotes included) and whether it was quoted."""

    name: str
    start: int
    end: int
    quoted: bool


def sql_names(sql: str) -> tuple[SqlName, ...]:
    """The identifiers of ``sql`` (not its keywords, values, parameters or comments); none
    when the tokenizer cannot read it."""
    tokenizer, types = _tokenizer()
    try:
        tokens = tokenizer.tokenize(sql)
    except Exception:
        return ()
    out: list[SqlName] = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.token_type not in types:
            continue
        if previous is not None and previous.token_type.name in ("COLON", "PARAMETER"):
            continue  # ``:name`` is a bound parameter
        quoted = token.token_type.name == "IDENTIFIER"
        name = token.text if quoted else token.text.lower()
        out.append(SqlName(name, token.start, token.end + 1, quoted))
    return tuple(out)


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[Any, frozenset[Any]]:
    from sqlglot import TokenType
    from sqlglot.tokens import Tokenizer

    return Tokenizer(), frozenset({TokenType.VAR, TokenType.IDENTIFIER})
