"""Reading the decisions file: TOML into a ``Plan``, each bad value a problem with its line.

``parse_plan`` reads every table, then ``validate.check_plan`` checks the decisions among
themselves; every problem is gathered into one ``PlanError``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unify.decisions.lines import Loc, Problems, index_lines
from unify.decisions.validate import check_plan
from unify.errors import InputError, PlanError, reason
from unify.models import (
    ORPHAN_POLICIES,
    BackrefDecision,
    ClassDecision,
    ColumnTypeDecision,
    MemberChoice,
    MergeDecision,
    OrphanDecision,
    Plan,
    Rename,
    TableRename,
)
from unify.vocabulary import is_dotted_name, is_identifier

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOP_KEYS = {
    "unify": "table",
    "table_rename": "array",
    "class": "array",
    "merge": "array",
    "column_type": "array",
    "rename": "array",
    "backref": "array",
    "orphans": "array",
}
ENTRY_KEYS: dict[str, tuple[str, ...]] = {
    "unify": (
        "target_module",
        "compat_module",
        "legacy_modules",
        "legacy_paths",
        "sections",
        "retired_modules",
        "rewrite_sql",
        "app",
    ),
    "table_rename": ("old", "new"),
    "class": ("source", "name", "table", "section"),
    "merge": ("survivor", "absorbed", "survivor_table", "absorbed_tables", "choices", "match"),
    "column_type": ("table", "column", "type"),
    "rename": ("legacy", "name"),
    "backref": ("model", "relationship", "rename_to"),
    "orphans": ("table", "column", "policy"),
}
OPTIONAL_KEYS = {
    ("merge", "choices"),
    ("merge", "match"),
    ("unify", "legacy_paths"),
    ("unify", "sections"),
    ("unify", "retired_modules"),
    ("unify", "rewrite_sql"),
    ("unify", "app"),
}

Check = Callable[[str], bool]
TYPE_EXPR = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\(.*\))?$")
PY_PATH = re.compile(r"^[^\s].*\.py$")


def is_qualified(text: str) -> bool:
    """``module.Name``: a dotted name of at least two parts."""
    return "." in text and is_dotted_name(text)


def _is_app(text: str) -> bool:
    """``module:factory``: the app ``unify check`` starts."""
    module, _, factory = text.partition(":")
    return is_dotted_name(module) and is_identifier(factory)


def _matches(pattern: re.Pattern[str]) -> Check:
    return lambda text: pattern.match(text) is not None


def load_plan(path: Path) -> Plan:
    """Read, validate and return the decisions file; every problem is gathered into one
    ``PlanError`` whose message names each problem's line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the decisions file ({reason(exc)})") from None
    return parse_plan(text, str(path))


def check_legacy_paths(root: Path, plan: Plan) -> None:
    """Every file the plan picked (``legacy_paths``) is in the repository at ``root``."""
    missing = [p for p in plan.legacy_paths if not (root / p).is_file()]
    if missing:
        raise InputError(
            f"{plan.path}: legacy_paths {', '.join(missing)} not found under {root}; "
            f"is the plan for another repository?"
        )


def parse_plan(text: str, path: str = "unify.toml") -> Plan:
    """``load_plan`` on text already read (``path`` only names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError.gathered(path, [f"not valid TOML: {exc}"]) from None
    problems = Problems(index_lines(text))
    plan = _read_plan(data, problems, path)
    if plan is not None:
        check_plan(plan, problems)
    if problems.items or plan is None:
        raise PlanError.gathered(path, problems.messages() or ("the file is empty",))
    return plan


def _read_plan(data: dict[str, Any], problems: Problems, path: str) -> Plan | None:
    for key, value in data.items():
        kind = TOP_KEYS.get(key)
        if kind is None:
            problems.add((key,), f"unknown table [{key}] (known: {', '.join(TOP_KEYS)})")
        elif kind == "array" and not _is_table_list(value):
            problems.add((key,), f"[{key}] must be written [[{key}]] (an array of tables)")
        elif kind == "table" and not isinstance(value, dict):
            problems.add((key,), f"[{key}] must be a table")
    head = data.get("unify")
    if not isinstance(head, dict):
        if "unify" not in data:
            problems.add((), "missing table [unify] (target_module, compat_module, legacy_modules)")
        return None
    reader = _Reader(problems)
    unify = reader.entry("unify", (), head)
    target = reader.module(unify, "target_module")
    return Plan(
        path=path,
        target_module=target,
        compat_module=reader.module(unify, "compat_module"),
        legacy_modules=reader.modules(unify, "legacy_modules"),
        legacy_paths=reader.texts(unify, "legacy_paths", _matches(PY_PATH), "a .py file"),
        sections=reader.texts(unify, "sections", bool, "a section name"),
        retired_modules=reader.modules(unify, "retired_modules"),
        rewrite_sql=reader.flag(unify, "rewrite_sql"),
        app=reader.text(unify, "app", _is_app, "MODULE:FACTORY (e.g. app:create_app)"),
        tables=tuple(_entries(data, "table_rename", reader, _table_rename)),
        classes=tuple(_entries(data, "class", reader, _class_decision)),
        merges=tuple(_entries(data, "merge", reader, _merge_decision)),
        column_types=tuple(_entries(data, "column_type", reader, _column_type)),
        renames=tuple(_entries(data, "rename", reader, _rename(target))),
        backrefs=tuple(_entries(data, "backref", reader, _backref)),
        orphans=tuple(_entries(data, "orphans", reader, _orphans)),
    )


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One table of the file with its location (for line numbers)."""

    kind: str
    loc: Loc
    values: dict[str, Any]


def _entries(data: dict[str, Any], kind: str, reader: _Reader, make: Any) -> Iterator[Any]:
    raw = data.get(kind, [])
    if not _is_table_list(raw):
        return
    for index, values in enumerate(raw):
        yield make(reader, reader.entry(kind, (kind, index), values))


class _Reader:
    """Typed access to entry values; every bad value becomes a problem (and a placeholder)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def entry(self, kind: str, loc: Loc, values: dict[str, Any]) -> _Entry:
        entry = _Entry(kind, loc if loc else (kind,), values)
        allowed = ENTRY_KEYS[kind]
        for key in values:
            if key not in allowed:
                self.problems.add(
                    (*entry.loc, key),
                    f"{self.where(entry)}: unknown key {key!r} (known: {', '.join(allowed)})",
                )
        for key in allowed:
            if key not in values and (kind, key) not in OPTIONAL_KEYS:
                self.problems.add(entry.loc, f"{self.where(entry)}: missing key {key!r}")
        return entry

    @staticmethod
    def where(entry: _Entry) -> str:
        if len(entry.loc) > 1:
            return f"[[{entry.kind}]] #{int(entry.loc[1]) + 1}"
        return f"[{entry.kind}]"

    def text(self, entry: _Entry, key: str, check: Check | None = None, what: str = "") -> str:
        value = entry.values.get(key)
        if key not in entry.values:
            return ""
        if not isinstance(value, str):
            self.problems.add((*entry.loc, key), f"{self.where(entry)}: {key} must be a string")
            return ""
        if check is not None and not check(value):
            self.problems.add(
                (*entry.loc, key), f"{self.where(entry)}: {key} {value!r} is not {what}"
            )
        return value

    def texts(self, entry: _Entry, key: str, check: Check, what: str) -> tuple[str, ...]:
        value = entry.values.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(
                (*entry.loc, key), f"{self.where(entry)}: {key} must be a list of strings"
            )
            return ()
        for item in value:
            if not check(item):
                self.problems.add(
                    (*entry.loc, key), f"{self.where(entry)}: {key} item {item!r} is not {what}"
                )
        return tuple(value)

    def flag(self, entry: _Entry, key: str) -> bool:
        value = entry.values.get(key, False)
        if not isinstance(value, bool):
            self.problems.add(
                (*entry.loc, key), f"{self.where(entry)}: {key} must be true or false"
            )
            return False
        return value

    def module(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, is_dotted_name, "a dotted module name")

    def modules(self, entry: _Entry, key: str) -> tuple[str, ...]:
        return self.texts(entry, key, is_dotted_name, "a dotted module name")

    def qualified(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, is_qualified, "'module.Name'")

    def identifier(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, is_identifier, "a Python identifier")


def _table_rename(reader: _Reader, entry: _Entry) -> TableRename:
    return TableRename(old=reader.text(entry, "old"), new=reader.text(entry, "new"))


def _class_decision(reader: _Reader, entry: _Entry) -> ClassDecision:
    return ClassDecision(
        source=reader.qualified(entry, "source"),
        name=reader.identifier(entry, "name"),
        table=reader.text(entry, "table"),
        section=reader.text(entry, "section"),
    )


def _merge_decision(reader: _Reader, entry: _Entry) -> MergeDecision:
    return MergeDecision(
        survivor=reader.qualified(entry, "survivor"),
        absorbed=reader.texts(entry, "absorbed", is_qualified, "'module.Class'"),
        survivor_table=reader.text(entry, "survivor_table"),
        absorbed_tables=reader.texts(entry, "absorbed_tables", bool, "a table"),
        choices=_member_choices(reader, entry),
        match=reader.texts(entry, "match", is_identifier, "a column name"),
    )


def _orphans(reader: _Reader, entry: _Entry) -> OrphanDecision:
    policy = reader.text(
        entry, "policy", ORPHAN_POLICIES.__contains__, "one of " + ", ".join(ORPHAN_POLICIES)
    )
    return OrphanDecision(
        table=reader.text(entry, "table", is_identifier, "a table name"),
        column=reader.text(entry, "column", is_identifier, "a column name"),
        policy=next((p for p in ORPHAN_POLICIES if p == policy), "fail"),
    )


def _member_choices(reader: _Reader, entry: _Entry) -> tuple[MemberChoice, ...]:
    raw = entry.values.get("choices", {})
    if not isinstance(raw, dict):
        reader.problems.add(
            (*entry.loc, "choices"), f"{reader.where(entry)}: choices must be a table"
        )
        return ()
    choices: list[MemberChoice] = []
    survivor = entry.values.get("survivor", "")
    for member, side in raw.items():
        where = (*entry.loc, "choices", member)
        if not isinstance(side, str):
            reader.problems.add(where, f"{reader.where(entry)}: choice {member!r} must be a string")
            continue
        choice = read_choice(member, side, survivor if isinstance(survivor, str) else "")
        if isinstance(choice, str):
            reader.problems.add(where, f"{reader.where(entry)}: choice {member!r}: {choice}")
            continue
        choices.append(choice)
    return tuple(choices)


KEEP_BOTH = "keep-both:"


def read_choice(member: str, value: str, survivor: str) -> MemberChoice | str:
    """``"module.Class"``, ``"module.Class keep-both:NAME"`` or ``"keep-both:NAME"`` (the
    survivor wins) as a choice, or what is wrong with it."""
    side, _, keep = value.strip().partition(KEEP_BOTH)
    side = side.strip()
    if not keep and KEEP_BOTH.rstrip(":") not in value:
        return MemberChoice(member=member, take_from=value)
    if not keep and not value.strip().endswith(KEEP_BOTH):
        return f"{value!r} is not 'module.Class' or 'module.Class keep-both:NEW_NAME'"
    if side and not is_qualified(side):
        return f"{side!r} is not 'module.Class'"
    if not is_identifier(keep):
        return f"keep-both name {keep!r} is not a Python identifier"
    if keep == member:
        return f"keep-both name {keep!r} must differ from the member"
    return MemberChoice(member=member, take_from=side or survivor, keep_as=keep)


def _column_type(reader: _Reader, entry: _Entry) -> ColumnTypeDecision:
    return ColumnTypeDecision(
        table=reader.text(entry, "table"),
        column=reader.text(entry, "column"),
        type=reader.text(
            entry, "type", _matches(TYPE_EXPR), "a column type such as Integer or String(36)"
        ),
    )


def _rename(target: str) -> Any:
    def make(reader: _Reader, entry: _Entry) -> Rename:
        legacy = reader.qualified(entry, "legacy")
        module, _, name = legacy.rpartition(".")
        return Rename(
            legacy_module=module,
            legacy_name=name,
            module=target,
            name=reader.identifier(entry, "name"),
        )

    return make


def _backref(reader: _Reader, entry: _Entry) -> BackrefDecision:
    return BackrefDecision(
        model=reader.qualified(entry, "model"),
        relationship=reader.identifier(entry, "relationship"),
        rename_to=reader.identifier(entry, "rename_to"),
    )
