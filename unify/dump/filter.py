"""What a plain dump may carry that this server would reject, skipped whole and listed.

Skipped, each with what and why: ``SET`` of a parameter this server does not know; the
``\\restrict``/``\\unrestrict``/``\\connect`` meta-commands (``\\restrict`` keys are never
shown); ``CREATE``/``DROP``/``ALTER DATABASE``; and statements that only grant, revoke, set
default privileges or set an owner for a role that does not exist here.  Nothing else.
Statements are whole statements (``unify.dump.script``), however many lines they span; the
kept text comes with a line map back to the dump.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from unify.dump.script import LineCounter, Piece, split_script

SETTING = "unknown setting"
META = "psql meta-command"
DATABASE = "database-level statement"
OWNER = "owner for missing role"
GRANT = "grant for missing role"
REVOKE = "revoke for missing role"
DEFAULT_PRIVILEGES = "default privileges for missing role"

SET_RE = re.compile(r"SET\s+(?:SESSION\s+|LOCAL\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=|TO)\s", re.I)
SET_CONFIG_RE = re.compile(r"SELECT\b.*?\bset_config\(\s*'([A-Za-z_][A-Za-z0-9_.]*)'", re.I | re.S)
META_RE = re.compile(r"\\(restrict|unrestrict|connect|c)\b")
HIDDEN_KEY_META = ("restrict", "unrestrict")
DATABASE_RE = re.compile(r"(?:CREATE|DROP|ALTER)\s+DATABASE\b", re.I)
ROLE_HEAD_RE = re.compile(r"(?:GRANT|REVOKE|ALTER|SET\s+SESSION\s+AUTHORIZATION)\b", re.I)
TOKEN_RE = re.compile(
    r"""\s+|--[^\n]*|/\*.*?\*/|"(?:[^"]|"")*"|'(?:[^']|'')*'"""
    r"|[A-Za-z_\x80-\U0010ffff][\w$\x80-\U0010ffff]*|\S",
    re.S,
)
ALWAYS_ROLES = frozenset({"public", "current_user", "current_role", "session_user"})
GRANTEES_END = frozenset({"WITH", "GRANTED", "CASCADE", "RESTRICT", ";"})
SHOWN_CHARS = 200
STATEMENT_HEADS = frozenset("ACDGRSacdgrs\\")  # what a skipped piece may start with


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What the target server knows: its settings and roles."""

    settings: frozenset[str]
    roles: frozenset[str]
    version: int | None = None  # server_version_num


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """A statement left out: its kind (counted), why (kind and role), line and text."""

    kind: str
    reason: str
    line: int
    statement: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FilteredScript:
    """The kept text, what was skipped, and the map from its lines back to the dump's.

    ``breaks`` holds ``(kept line, lines removed before it)`` at every place lines were
    removed, in order.
    """

    text: str
    skipped: tuple[Skipped, ...]
    breaks: tuple[tuple[int, int], ...]

    def dump_line(self, line: int) -> int:
        """The dump's line for line ``line`` of the kept text."""
        index = bisect.bisect_right(self.breaks, (line, float("inf"))) - 1
        return line + (self.breaks[index][1] if index >= 0 else 0)

    def counts(self) -> tuple[tuple[str, int], ...]:
        """Skipped statements by kind, in the order kinds first appear."""
        return tuple(Counter(s.kind for s in self.skipped).items())


def filter_plain_sql(
    text: str, facts: ServerFacts, pieces: Iterable[Piece] | None = None
) -> FilteredScript:
    """Leave out, whole, the statements this server would reject (see the module).

    ``pieces`` is ``split_script(text)``, or a checker wrapped around it.
    """
    parts: list[str] = []
    skipped: list[Skipped] = []
    breaks: list[tuple[int, int]] = []
    pos = removed = 0
    lines = LineCounter(text)
    for piece in split_script(text) if pieces is None else pieces:
        found = skip_reason(piece, text, facts, lines)
        if found is None:
            continue
        skipped.append(found)
        start, end, whole = _whole_lines(text, piece)
        parts.append(text[pos:start])
        if whole:
            breaks.append((found.line - removed, removed + text.count("\n", start, end)))
            removed = breaks[-1][1]
        else:  # shares its line with a kept statement: keep the line count
            parts.append("\n" * text.count("\n", start, end))
        pos = end
    parts.append(text[pos:])
    return FilteredScript(text="".join(parts), skipped=tuple(skipped), breaks=tuple(breaks))


def _whole_lines(text: str, piece: Piece) -> tuple[int, int, bool]:
    """The piece widened to whole lines when nothing else stands on them (and True)."""
    line_start = text.rfind("\n", 0, piece.start) + 1
    line_end = text.find("\n", piece.end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start : piece.start].strip() or text[piece.end : line_end].strip():
        return piece.start, piece.end, False
    return line_start, line_end, True


def skip_reason(piece: Piece, text: str, facts: ServerFacts, lines: LineCounter) -> Skipped | None:
    """Why ``piece`` must be left out on this server, or None to keep it."""
    if piece.kind == "copy-data" or text[piece.start] not in STATEMENT_HEADS:
        return None
    body = text[piece.start : piece.end]
    if piece.kind == "meta":
        meta = META_RE.match(body)
        if meta is None:
            return None
        shown = f"\\{meta.group(1)} (key not shown)" if meta.group(1) in HIDDEN_KEY_META else body
        return Skipped(kind=META, reason=META, line=lines.at(piece.start), statement=shown)
    kind_reason = _statement_reason(body, facts)
    if kind_reason is None:
        return None
    kind, reason = kind_reason
    line = lines.at(piece.start)
    return Skipped(kind=kind, reason=reason, line=line, statement=_shown(body))


def _statement_reason(body: str, facts: ServerFacts) -> tuple[str, str] | None:
    if DATABASE_RE.match(body):
        return DATABASE, DATABASE
    setting = SET_RE.match(body) or SET_CONFIG_RE.match(body)
    if setting and "." not in setting.group(1):
        known = setting.group(1).lower() in facts.settings
        return None if known else (SETTING, SETTING)
    if ROLE_HEAD_RE.match(body) is None:
        return None
    for kind, role in _roles_named(_tokens(body)):
        if role not in facts.roles and role.lower() not in ALWAYS_ROLES:
            return kind, f"{kind} {role}"
    return None


def _shown(body: str) -> str:
    shown = " ".join(body.split())
    return shown if len(shown) <= SHOWN_CHARS else shown[: SHOWN_CHARS - 4] + " ..."


def _tokens(body: str) -> list[str]:
    return [t for t in TOKEN_RE.findall(body) if not (t.isspace() or t[:2] in ("--", "/*"))]


def _roles_named(tokens: list[str]) -> list[tuple[str, str]]:
    """(kind, role) for each role a privilege or owner statement names; [] for others."""
    words = [t.upper() for t in tokens]
    if words[0] in ("GRANT", "REVOKE"):
        kind = GRANT if words[0] == "GRANT" else REVOKE
        return [(kind, role) for role in _grantees(tokens, words)]
    if words[:3] == ["ALTER", "DEFAULT", "PRIVILEGES"]:
        return [(DEFAULT_PRIVILEGES, role) for role in _default_privilege_roles(tokens, words)]
    if words[0] == "SET":  # SET SESSION AUTHORIZATION 'role'
        return [(OWNER, _role(tokens[3]))] if len(tokens) > 3 and words[3] != "DEFAULT" else []
    body = words[:-1] if words[-1] == ";" else words
    if words[0] == "ALTER" and body[-3:-1] == ["OWNER", "TO"] and _only_one_action(words):
        return [(OWNER, _role(tokens[len(body) - 1]))]
    return []


def _grantees(tokens: list[str], words: list[str]) -> list[str]:
    """The roles after the top-level TO (GRANT) or FROM (REVOKE), and GRANTED BY's."""
    keyword = "TO" if words[0] == "GRANT" else "FROM"
    marks = [i for i, w in _top_level(words) if w == keyword]
    if not marks:
        return []
    roles = []
    i = marks[-1] + 1
    while i < len(words) and words[i] not in GRANTEES_END:
        if words[i] not in (",", "GROUP"):
            roles.append(_role(tokens[i]))
        i += 1
    if words[i : i + 2] == ["GRANTED", "BY"] and i + 2 < len(tokens):
        roles.append(_role(tokens[i + 2]))
    return roles


def _default_privilege_roles(tokens: list[str], words: list[str]) -> list[str]:
    """The FOR ROLE list of ALTER DEFAULT PRIVILEGES, then its GRANT's or REVOKE's roles."""
    inner = next((i for i, w in enumerate(words) if w in ("GRANT", "REVOKE")), len(words))
    roles: list[str] = []
    if words[3:5] in (["FOR", "ROLE"], ["FOR", "USER"]):
        i = 5
        while i < inner and words[i] != "IN":
            if words[i] != ",":
                roles.append(_role(tokens[i]))
            i += 1
    return roles + _grantees(tokens[inner:], words[inner:])


def _top_level(words: list[str]) -> list[tuple[int, str]]:
    depth, out = 0, []
    for i, w in enumerate(words):
        depth += (w == "(") - (w == ")")
        if depth == 0:
            out.append((i, w))
    return out


def _only_one_action(words: list[str]) -> bool:
    """No top-level comma: the ALTER does nothing but set the owner."""
    return all(w != "," for _, w in _top_level(words))


def _role(token: str) -> str:
    if token[:1] in ('"', "'"):
        quote = token[0]
        return token[1:-1].replace(quote * 2, quote)
    return token.lower()
