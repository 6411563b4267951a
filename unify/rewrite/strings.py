"""String references to renamed classes and tables in ``relationship()``, ``backref()`` and
``ForeignKey()`` calls: ``relationship("LegacyUser", secondary="legacy_users")``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from unify.models import RewriteChange
from unify.rewrite.map import RenameIndex
from unify.vocabulary import (
    BACKREF_CALLS,
    CLASS_STRING_KEYWORDS,
    FOREIGN_KEY_CALLS,
    RELATIONSHIP_CALLS,
)

# calls whose string arguments name classes or tables
STRING_CALLS = RELATIONSHIP_CALLS | BACKREF_CALLS | FOREIGN_KEY_CALLS
# ``argument=`` is relationship()'s first parameter, passed by keyword
CLASS_KEYWORDS = CLASS_STRING_KEYWORDS | {"argument"}


@dataclass(frozen=True, slots=True)
class StringRenames:
    classes: dict[str, str]
    tables: dict[str, str]
    class_pattern: re.Pattern[str] | None


def string_renames(text: str, names: RenameIndex) -> StringRenames | None:
    """The renames to apply inside strings, or None when no string of ``text`` can hold one."""
    patterns = _patterns(names)
    if patterns is None or not patterns[0].search(text):
        return None
    return StringRenames(
        classes=names.class_renames, tables=names.tables, class_pattern=patterns[1]
    )


# per rename index (kept alive with it, so its id is not reused): the patterns, built once
_PATTERNS: dict[int, tuple[RenameIndex, tuple[re.Pattern[str], re.Pattern[str] | None] | None]] = {}


def _patterns(names: RenameIndex) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    """A string holding a renamed class or table; a renamed class in a string."""
    known = _PATTERNS.get(id(names))
    if known is not None and known[0] is names:
        return known[1]
    words = list(names.class_renames) + list(names.tables)
    found: tuple[re.Pattern[str], re.Pattern[str] | None] | None = None
    if words:
        alternatives = "|".join(re.escape(w) for w in words)
        classes = names.class_renames
        found = (
            re.compile(rf"""["'][^"'\n]*\b(?:{alternatives})\b"""),
            re.compile(r"(?<![\w.])(" + "|".join(re.escape(c) for c in classes) + r")\b")
            if classes
            else None,
        )
    _PATTERNS.clear()
    _PATTERNS[id(names)] = (names, found)
    return found


def call_name(node: cst.Call) -> str:
    func = node.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def rename_string_arg(
    strings: StringRenames, call: str, index: int, arg: cst.Arg
) -> tuple[cst.Arg, RewriteChange | None]:
    """The argument with its string renamed, and the change (None when it stays)."""
    value = arg.value
    if not isinstance(value, cst.SimpleString):
        return arg, None
    keyword = arg.keyword.value if arg.keyword else None
    body = value.raw_value
    new = _renamed(strings, call, index, keyword, body)
    if new == body:
        return arg, None
    quote = value.quote
    new_value = value.with_changes(value=f"{value.prefix}{quote}{new}{quote}")
    return arg.with_changes(value=new_value), RewriteChange(form="string", old=body, new=new)


def _renamed(strings: StringRenames, call: str, index: int, keyword: str | None, body: str) -> str:
    positional = index == 0 and keyword is None
    if positional and call in FOREIGN_KEY_CALLS:
        table, dot, column = body.rpartition(".")
        return f"{strings.tables.get(table, table)}{dot}{column}" if dot else body
    if positional and call not in FOREIGN_KEY_CALLS and call not in BACKREF_CALLS:
        return strings.classes.get(body, body)
    if keyword == "secondary":
        return strings.tables.get(body, body)
    pattern = strings.class_pattern
    if keyword in CLASS_KEYWORDS and pattern is not None:
        return pattern.sub(lambda m: strings.classes[m.group(1)], body)
    return body
