"""The decisions file (``unify.toml``): load and validate it, derive the rename map.

The file is TOML.  Its tables, in order::

    [unify]            target_module, compat_module, legacy_modules (to retire)
    [[table_rename]]   old, new                      (every FK string and table name)
    [[class]]          source ("module.Class"), name, table, section
    [[merge]]          survivor, absorbed, survivor_table, absorbed_tables
    [merge.choices]    member = "module.Class"       (which side wins a conflicting member)
    [[column_type]]    table, column, type           (keys and FK columns; canonical tables)
    [[rename]]         legacy ("module.Name"), name  (aliases and other renamed names)
    [[backref]]        model ("module.Class"), relationship, rename_to

``load_plan`` gathers every problem, each with its line number, into one ``PlanError``.
Proposals from an inventory: ``propose_plan``; their commented TOML: ``render_plan_toml``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from unify.errors import PlanError
from unify.models import (
    SECTIONS,
    BackrefDecision,
    ClassDecision,
    ColumnTypeDecision,
    MemberChoice,
    MergeDecision,
    ModuleMove,
    Plan,
    Rename,
    RenameMap,
    TableRename,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

UNDECIDED = ""  # a merge choice left empty: the build stops and lists it

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
TYPE_EXPR = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\(.*\))?$")

TOP_KEYS = {
    "unify": "table",
    "table_rename": "array",
    "class": "array",
    "merge": "array",
    "column_type": "array",
    "rename": "array",
    "backref": "array",
}
ENTRY_KEYS: dict[str, tuple[str, ...]] = {
    "unify": ("target_module", "compat_module", "legacy_modules"),
    "table_rename": ("old", "new"),
    "class": ("source", "name", "table", "section"),
    "merge": ("survivor", "absorbed", "survivor_table", "absorbed_tables", "choices"),
    "column_type": ("table", "column", "type"),
    "rename": ("legacy", "name"),
    "backref": ("model", "relationship", "rename_to"),
}
OPTIONAL_KEYS = {("merge", "choices")}

Loc = tuple[str | int, ...]


# ---------------------------------------------------------------------------
# Line numbers: TOML parsers do not keep them, so the text is indexed once.
# ---------------------------------------------------------------------------

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
KEYLINE = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def index_lines(text: str) -> dict[Loc, int]:
    """Map ``("class", 2)`` (third ``[[class]]``), ``("class", 2, "name")`` and
    ``("merge", 0, "choices", "email")`` to 1-based line numbers."""
    lines: dict[Loc, int] = {}
    counts: dict[str, int] = {}
    current: Loc = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        header = HEADER.match(raw)
        if header:
            current = _header_loc(header.group(1), header.group(2), counts, current)
            lines.setdefault(current, number)
            continue
        key = KEYLINE.match(raw)
        if key:
            lines.setdefault((*current, key.group(1).strip("\"'")), number)
    return lines


def _header_loc(brackets: str, dotted: str, counts: dict[str, int], current: Loc) -> Loc:
    parts = [p.strip().strip("\"'") for p in dotted.split(".")]
    if brackets == "[[" and len(parts) == 1:
        index = counts.get(parts[0], -1) + 1
        counts[parts[0]] = index
        return (parts[0], index)
    if len(parts) == 2 and parts[0] in counts:  # [merge.choices] under the last [[merge]]
        return (parts[0], counts[parts[0]], parts[1])
    return tuple(parts)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Problems:
    """Problems found while reading one file, each prefixed by its line."""

    lines: dict[Loc, int]
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, loc: Loc, message: str) -> None:
        line = self._line(loc)
        self.items.append((line, message))

    def _line(self, loc: Loc) -> int:
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.lines:
                return self.lines[loc[:cut]]
        return 0

    def messages(self) -> tuple[str, ...]:
        ordered = sorted(self.items, key=lambda item: item[0])
        return tuple(f"line {line}: {msg}" if line else msg for line, msg in ordered)


def load_plan(path: Path) -> Plan:
    """Read, validate and return the decisions file; every problem is gathered into one
    ``PlanError`` whose message names each problem's line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(
            f"{path}: cannot read the decisions file ({exc.__class__.__name__})"
        ) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, path: str = "unify.toml") -> Plan:
    """``load_plan`` on text already read (``path`` only names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError.gathered(path, [f"not valid TOML: {exc}"]) from None
    problems = _Problems(index_lines(text))
    plan = _read_plan(data, problems, path)
    if plan is not None:
        _check_consistency(plan, problems)
    if problems.items or plan is None:
        raise PlanError.gathered(path, problems.messages() or ("the file is empty",))
    return plan


def _read_plan(data: dict[str, Any], problems: _Problems, path: str) -> Plan | None:
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
        tables=tuple(_entries(data, "table_rename", reader, _table_rename)),
        classes=tuple(_entries(data, "class", reader, _class_decision)),
        merges=tuple(_entries(data, "merge", reader, _merge_decision)),
        column_types=tuple(_entries(data, "column_type", reader, _column_type)),
        renames=tuple(_entries(data, "rename", reader, _rename(target))),
        backrefs=tuple(_entries(data, "backref", reader, _backref)),
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

    def __init__(self, problems: _Problems) -> None:
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

    def text(
        self, entry: _Entry, key: str, pattern: re.Pattern[str] | None = None, what: str = ""
    ) -> str:
        value = entry.values.get(key)
        if key not in entry.values:
            return ""
        if not isinstance(value, str):
            self.problems.add((*entry.loc, key), f"{self.where(entry)}: {key} must be a string")
            return ""
        if pattern is not None and not pattern.match(value):
            self.problems.add(
                (*entry.loc, key), f"{self.where(entry)}: {key} {value!r} is not {what}"
            )
        return value

    def texts(
        self, entry: _Entry, key: str, pattern: re.Pattern[str], what: str
    ) -> tuple[str, ...]:
        value = entry.values.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(
                (*entry.loc, key), f"{self.where(entry)}: {key} must be a list of strings"
            )
            return ()
        for item in value:
            if not pattern.match(item):
                self.problems.add(
                    (*entry.loc, key), f"{self.where(entry)}: {key} item {item!r} is not {what}"
                )
        return tuple(value)

    def module(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, DOTTED, "a dotted module name")

    def modules(self, entry: _Entry, key: str) -> tuple[str, ...]:
        return self.texts(entry, key, DOTTED, "a dotted module name")

    def qualified(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, QUALIFIED, "'module.Name'")

    def identifier(self, entry: _Entry, key: str) -> str:
        return self.text(entry, key, IDENT, "a Python identifier")


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
        absorbed=reader.texts(entry, "absorbed", QUALIFIED, "'module.Class'"),
        survivor_table=reader.text(entry, "survivor_table"),
        absorbed_tables=reader.texts(entry, "absorbed_tables", re.compile(r".+"), "a table"),
        choices=_member_choices(reader, entry),
    )


def _member_choices(reader: _Reader, entry: _Entry) -> tuple[MemberChoice, ...]:
    raw = entry.values.get("choices", {})
    if not isinstance(raw, dict):
        reader.problems.add(
            (*entry.loc, "choices"), f"{reader.where(entry)}: choices must be a table"
        )
        return ()
    choices: list[MemberChoice] = []
    for member, side in raw.items():
        if not isinstance(side, str):
            reader.problems.add(
                (*entry.loc, "choices", member),
                f"{reader.where(entry)}: choice {member!r} must be a string",
            )
            continue
        choices.append(MemberChoice(member=member, take_from=side))
    return tuple(choices)


def _column_type(reader: _Reader, entry: _Entry) -> ColumnTypeDecision:
    return ColumnTypeDecision(
        table=reader.text(entry, "table"),
        column=reader.text(entry, "column"),
        type=reader.text(entry, "type", TYPE_EXPR, "a column type such as Integer or String(36)"),
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


# ---------------------------------------------------------------------------
# Consistency of the decisions among themselves (the inventory is checked by build)
# ---------------------------------------------------------------------------


def _check_consistency(plan: Plan, problems: _Problems) -> None:
    _check_head(plan, problems)
    _check_classes(plan, problems)
    _check_merges(plan, problems)
    _check_tables(plan, problems)
    _check_column_types(plan, problems)


def _check_head(plan: Plan, problems: _Problems) -> None:
    if plan.target_module and plan.target_module == plan.compat_module:
        problems.add(
            ("unify", "compat_module"), "[unify]: compat_module must differ from target_module"
        )
    if plan.compat_module and plan.compat_module in plan.legacy_modules:
        problems.add(
            ("unify", "compat_module"), "[unify]: compat_module must not be a legacy module"
        )
    for name in _duplicates(plan.legacy_modules):
        problems.add(("unify", "legacy_modules"), f"[unify]: legacy module {name!r} listed twice")
    if not plan.legacy_modules and "legacy_modules" in _unify_keys(problems):
        problems.add(("unify", "legacy_modules"), "[unify]: legacy_modules is empty")


def _unify_keys(problems: _Problems) -> set[str]:
    return {str(loc[1]) for loc in problems.lines if len(loc) == 2 and loc[0] == "unify"}


def _check_classes(plan: Plan, problems: _Problems) -> None:
    seen_source: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    seen_table: dict[str, int] = {}
    for index, decision in enumerate(plan.classes):
        loc: Loc = ("class", index)
        if decision.section and decision.section not in SECTIONS[1:]:
            problems.add(
                (*loc, "section"),
                f"[[class]] #{index + 1}: section {decision.section!r} is not one of {', '.join(repr(s) for s in SECTIONS[1:])}",
            )
        if decision.source and decision.source.rpartition(".")[0] not in plan.legacy_modules:
            problems.add(
                (*loc, "source"),
                f"[[class]] #{index + 1}: {decision.source} is not in a legacy module ({', '.join(plan.legacy_modules)})",
            )
        for value, seen, what in (
            (decision.source, seen_source, "source"),
            (decision.name, seen_name, "name"),
            (decision.table, seen_table, "table"),
        ):
            if value and value in seen:
                problems.add(
                    (*loc, what),
                    f"[[class]] #{index + 1}: {what} {value!r} already used by [[class]] #{seen[value] + 1}",
                )
            seen.setdefault(value, index)


def _check_merges(plan: Plan, problems: _Problems) -> None:
    by_source = {c.source: c for c in plan.classes}
    absorbed_seen: set[str] = set()
    for index, merge in enumerate(plan.merges):
        loc: Loc = ("merge", index)
        where = f"[[merge]] #{index + 1}"
        survivor = by_source.get(merge.survivor)
        if merge.survivor and survivor is None:
            problems.add(
                (*loc, "survivor"), f"{where}: survivor {merge.survivor} has no [[class]] entry"
            )
        elif (
            survivor is not None and merge.survivor_table and merge.survivor_table != survivor.table
        ):
            problems.add(
                (*loc, "survivor_table"),
                f"{where}: survivor_table {merge.survivor_table!r} differs from the survivor's table {survivor.table!r}",
            )
        for name in merge.absorbed:
            if name in by_source:
                problems.add(
                    (*loc, "absorbed"),
                    f"{where}: {name} is absorbed, so it must not have its own [[class]] entry",
                )
            if name in absorbed_seen or name == merge.survivor:
                problems.add((*loc, "absorbed"), f"{where}: {name} is absorbed twice")
            absorbed_seen.add(name)
        sides = {merge.survivor, *merge.absorbed}
        for choice in merge.choices:
            if choice.take_from != UNDECIDED and choice.take_from not in sides:
                problems.add(
                    (*loc, "choices", choice.member),
                    f"{where}: choice {choice.member!r} takes from {choice.take_from!r}, which is not one of {', '.join(sorted(sides))}",
                )


def _check_tables(plan: Plan, problems: _Problems) -> None:
    olds: dict[str, int] = {}
    for index, rename in enumerate(plan.tables):
        loc: Loc = ("table_rename", index)
        if rename.old and rename.old == rename.new:
            problems.add(loc, f"[[table_rename]] #{index + 1}: old and new are both {rename.old!r}")
        if rename.old in olds:
            problems.add(
                (*loc, "old"),
                f"[[table_rename]] #{index + 1}: {rename.old!r} already renamed by #{olds[rename.old] + 1}",
            )
        olds.setdefault(rename.old, index)
    news = {r.new for r in plan.tables}
    for index, rename in enumerate(plan.tables):
        if rename.old in news:
            problems.add(
                ("table_rename", index, "old"),
                f"[[table_rename]] #{index + 1}: {rename.old!r} is also a new name (chained renames are ambiguous)",
            )


def _check_column_types(plan: Plan, problems: _Problems) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, decision in enumerate(plan.column_types):
        key = (decision.table, decision.column)
        if key in seen:
            problems.add(
                ("column_type", index),
                f"[[column_type]] #{index + 1}: {decision.table}.{decision.column} already typed by #{seen[key] + 1}",
            )
        seen.setdefault(key, index)


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for item in items:
        if item in seen and item not in dups:
            dups.append(item)
        seen.add(item)
    return dups


# ---------------------------------------------------------------------------
# Rename map (for ``unify rewrite --plan``)
# ---------------------------------------------------------------------------


def final_names(plan: Plan) -> dict[tuple[str, str], str]:
    """``(legacy_module, legacy_name) -> final name`` for every class, absorbed class and
    explicit rename whose name changes."""
    out: dict[tuple[str, str], str] = {}
    by_source = {c.source: c.name for c in plan.classes}
    for decision in plan.classes:
        module, _, name = decision.source.rpartition(".")
        if name != decision.name:
            out[(module, name)] = decision.name
    for merge in plan.merges:
        final = by_source.get(merge.survivor, merge.survivor.rpartition(".")[2])
        for absorbed in merge.absorbed:
            module, _, name = absorbed.rpartition(".")
            if name != final:
                out[(module, name)] = final
    for rename in plan.renames:
        if rename.legacy_name != rename.name:
            out[(rename.legacy_module, rename.legacy_name)] = rename.name
    return out


def rename_map(plan: Plan, phase: Literal["compat", "final"]) -> RenameMap:
    """What imports of legacy modules become.

    ``compat``: every legacy module other than the target moves to the compat module, which
    provides every legacy name unchanged; renamed names of a legacy module that has the
    target's name are taken from the compat module.  ``final``: every legacy module and the
    compat module move to the target module, and every renamed name is renamed.
    """
    names = final_names(plan)
    tables = tuple(sorted(plan.tables, key=lambda t: t.old))
    if phase == "compat":
        moves = [
            ModuleMove(legacy=m, target=plan.compat_module)
            for m in plan.legacy_modules
            if m != plan.target_module
        ]
        renames = [
            Rename(legacy_module=m, legacy_name=n, module=plan.compat_module, name=n)
            for (m, n) in names
            if m == plan.target_module
        ]
        return RenameMap(
            moves=tuple(moves), renames=tuple(sorted(renames, key=_rename_key)), tables=tables
        )
    moves = [
        ModuleMove(legacy=m, target=plan.target_module)
        for m in plan.legacy_modules
        if m != plan.target_module
    ]
    moves.append(ModuleMove(legacy=plan.compat_module, target=plan.target_module))
    renames = [
        Rename(legacy_module=m, legacy_name=n, module=plan.target_module, name=new)
        for (m, n), new in names.items()
    ]
    renames += [
        Rename(legacy_module=plan.compat_module, legacy_name=n, module=plan.target_module, name=new)
        for (_, n), new in names.items()
    ]
    unique = {(r.legacy_module, r.legacy_name): r for r in renames}
    return RenameMap(
        moves=tuple(moves), renames=tuple(sorted(unique.values(), key=_rename_key)), tables=tables
    )


def _rename_key(rename: Rename) -> tuple[str, str]:
    return (rename.legacy_module, rename.legacy_name)
