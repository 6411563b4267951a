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

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from unify.errors import InputError, PlanError
from unify.models import (
    SECTIONS,
    BackrefDecision,
    ClassDecision,
    ColumnTypeDecision,
    Entity,
    Inventory,
    MemberChoice,
    MergeDecision,
    ModelClass,
    ModuleMove,
    Plan,
    Rename,
    RenameMap,
    ResolvedPlan,
    TableRename,
)
from unify.resolve import backref_collisions
from unify.scan import read_source
from unify.vocabulary import TABLE_KEYS

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
    "unify": ("target_module", "compat_module", "legacy_modules", "legacy_paths"),
    "table_rename": ("old", "new"),
    "class": ("source", "name", "table", "section"),
    "merge": ("survivor", "absorbed", "survivor_table", "absorbed_tables", "choices"),
    "column_type": ("table", "column", "type"),
    "rename": ("legacy", "name"),
    "backref": ("model", "relationship", "rename_to"),
}
OPTIONAL_KEYS = {("merge", "choices"), ("unify", "legacy_paths")}
PY_PATH = re.compile(r"^[^\s].*\.py$")

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
        legacy_paths=reader.texts(unify, "legacy_paths", PY_PATH, "a .py file"),
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
        if decision.section and decision.section not in SECTIONS:
            problems.add(
                (*loc, "section"),
                f"[[class]] #{index + 1}: section {decision.section!r} is not one of {', '.join(repr(s) for s in SECTIONS)}",
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
            if value and value in seen:  # an empty table (mixin) may repeat
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


def rename_map(resolved: ResolvedPlan, phase: Literal["compat", "final"]) -> RenameMap:
    """What imports of legacy modules become.

    ``compat``: every legacy module other than the target moves to the compat module, which
    provides every legacy name unchanged; renamed names of a legacy module that has the
    target's name are taken from the compat module.  ``final``: every legacy module and the
    compat module move to the target module, and every renamed name is renamed.
    """
    plan, names = resolved.plan, resolved.renamed
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


# ---------------------------------------------------------------------------
# Proposals: a first plan derived from the inventory
# ---------------------------------------------------------------------------

LEGACY_PREFIX = re.compile(
    r"^(MVP|SE|Legacy|Old|New|Derik|Unified|Simple|Tmp|Temp)(?=[A-Z][a-z0-9])"
)
LEGACY_TABLE_PREFIX = re.compile(r"^(mvp|se|legacy|old|new|derik|unified|simple|tmp|temp)_")
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Questionnaires and surveys", ("questionnaire", "question", "survey", "answer", "response")),
    (
        "Assessment and results",
        ("assessment", "result", "maturity", "score", "evaluation", "rating"),
    ),
    (
        "Learning and qualification",
        ("learning", "module", "qualification", "training", "course", "objective", "lesson"),
    ),
    (
        "User management",
        (
            "user",
            "account",
            "login",
            "auth",
            "profile",
            "password",
            "token",
            "permission",
            "member",
        ),
    ),
)
DEFAULT_SECTION = "Core entities"
DEFAULT_KEY_TYPE = "Integer"


def strip_legacy_prefix(name: str) -> str:
    """``MVPUser`` -> ``User``, ``SECompetency`` -> ``Competency``; other names unchanged."""
    return LEGACY_PREFIX.sub("", name)


def singular(table: str) -> str:
    """The singular of a table name, by the usual English endings (``organizations``)."""
    for plural, single in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if table.endswith(plural) and len(table) > len(plural) + 1:
            return table[: -len(plural)] + single
    if table.endswith("s") and not table.endswith(("ss", "us", "is")) and len(table) > 2:
        return table[:-1]
    return table


def table_key(table: str) -> str:
    """The entity a table name stands for: prefix and plural removed."""
    return singular(LEGACY_TABLE_PREFIX.sub("", table))


def section_for(name: str, table: str) -> str:
    """The plan's section for a class, by the words of its name and table."""
    words = f"{name} {table}".lower()
    for section, keys in SECTION_WORDS:
        if any(key in words for key in keys):
            return section
    return DEFAULT_SECTION


def model_classes(inventory: Inventory) -> list[ModelClass]:
    """Every real (non-placeholder) class of the model modules, in inventory order."""
    return [c for m in inventory.modules for c in m.classes if not c.guarded]


def group_entities(inventory: Inventory) -> list[Entity]:
    """Group legacy classes into entities: same name once legacy prefixes are stripped, or
    the same explicit table (plural and prefix aside)."""
    classes = model_classes(inventory)
    names = {c.name for c in classes}
    parent = list(range(len(classes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tables = {c.name: c.table for c in classes}
    seen: dict[tuple[str, str], int] = {}
    for index, cls in enumerate(classes):
        keys = [("name", strip_legacy_prefix(cls.name))]
        # a subclass naming its parent's own table extends that entity; another table is
        # joined-table inheritance: a separate entity
        parents = [b.rpartition(".")[2] for b in cls.bases if b.rpartition(".")[2] in names]
        inherits = any(tables[p] != cls.table for p in parents)
        if cls.table and cls.table_explicit and not inherits and not (cls.abstract or cls.mixin):
            keys.append(("table", table_key(cls.table)))
        for key in keys:
            if key in seen:
                parent[find(index)] = find(seen[key])
            seen.setdefault(key, index)
    groups: dict[int, list[ModelClass]] = {}
    for index, cls in enumerate(classes):
        groups.setdefault(find(index), []).append(cls)
    fk_tables = _fk_target_tables(inventory)
    return [_entity(members, fk_tables) for members in groups.values()]


def _fk_target_tables(inventory: Inventory) -> set[str]:
    tables = {fk.target_table for c in model_classes(inventory) for fk in c.foreign_keys}
    tables |= {
        fk.target_table for m in inventory.modules for t in m.tables for fk in t.foreign_keys
    }
    return tables


def _entity(members: list[ModelClass], fk_tables: set[str]) -> Entity:
    names = {c.name for c in members}
    # a subclass extending another member's table never survives its parent
    ordered = sorted(
        members,
        key=lambda c: (any(b.rpartition(".")[2] in names for b in c.bases), *_survivor_rank(c)),
    )
    survivor = ordered[0]
    table = survivor.table or ""
    if table:
        variants = {c.table for c in members if c.table} | {
            t for t in fk_tables if table_key(t) == table_key(table)
        }
        if singular(table) != table and singular(table) in variants:
            table = singular(table)
    return Entity(classes=tuple(ordered), name=strip_legacy_prefix(survivor.name), table=table)


def _survivor_rank(cls: ModelClass) -> tuple[int, int]:
    prefixed = int(strip_legacy_prefix(cls.name) != cls.name)
    size = len(cls.columns) + len(cls.relationships) + len(cls.members)
    return (prefixed, -size)


def propose_plan(
    inventory: Inventory,
    *,
    target_module: str = "models",
    compat_module: str = "models_compat",
    picked: bool = False,
) -> Plan:
    """A first plan: one entity per group of legacy classes, singular tables where plural and
    singular compete, Integer keys where types disagree, legacy prefixes dropped.

    ``picked``: the inventory was restricted with ``--models``; the plan records the files
    (``legacy_paths``) so that the build analyses the same ones."""
    for what, name in (("target", target_module), ("compat", compat_module)):
        if not _importable(name):
            raise InputError(f"--{what} {name!r}: not a dotted module name (e.g. app.models)")
    _check_unique_modules(inventory)
    inventory = importable_only(inventory)
    if not inventory.modules:
        raise InputError(f"{inventory.root}: no model module found; nothing to plan")
    entities = group_entities(inventory)
    final = _final_by_qualname(entities)
    tables = _proposed_table_renames(inventory, entities)
    merges = tuple(_proposed_merge(inventory, e) for e in entities if len(e.classes) > 1)
    return Plan(
        path="unify.toml",
        target_module=target_module,
        compat_module=compat_module,
        legacy_modules=tuple(m.name for m in inventory.modules),
        classes=tuple(sorted((_class_decision_for(e) for e in entities), key=_section_rank)),
        merges=merges,
        column_types=_proposed_column_types(inventory, entities, tables),
        renames=_proposed_renames(inventory, final, target_module),
        tables=tables,
        backrefs=_proposed_backrefs(entities, final, merges),
        legacy_paths=tuple(m.path for m in inventory.modules) if picked else (),
    )


def _check_unique_modules(inventory: Inventory) -> None:
    """Separate apps in one repository (``examples/*/app/models.py``) share a dotted name
    that the plan cannot tell apart: stop and say how to pick."""
    paths: dict[str, list[str]] = {}
    for module in inventory.modules:
        paths.setdefault(module.name, []).append(module.path)
    for name, found in sorted(paths.items()):
        if len(found) > 1:
            raise InputError(
                f"module {name!r} is {len(found)} files ({', '.join(sorted(found)[:3])}"
                f"{', ...' if len(found) > 3 else ''}); plan one app at a time: "
                f"unify plan PATH --models FILE (repeatable)"
            )


def _importable(name: str) -> bool:
    """What the loader accepts as a module name (``DOTTED``)."""
    return DOTTED.fullmatch(name) is not None


def importable_only(inventory: Inventory) -> Inventory:
    """Without the model modules no import statement can name (``versions/90e6_x.py``)."""
    kept = tuple(m for m in inventory.modules if _importable(m.name))
    return inventory if len(kept) == len(inventory.modules) else replace(inventory, modules=kept)


def _class_decision_for(entity: Entity) -> ClassDecision:
    cls = entity.survivor
    shared_base = cls.mixin or cls.abstract
    section = SECTIONS[0] if shared_base else section_for(entity.name, entity.table)
    return ClassDecision(source=cls.qualname, name=entity.name, table=entity.table, section=section)


def _section_rank(decision: ClassDecision) -> int:
    return SECTIONS.index(decision.section)


def _final_by_qualname(entities: list[Entity]) -> dict[str, str]:
    return {c.qualname: e.name for e in entities for c in e.classes}


def _proposed_table_renames(
    inventory: Inventory, entities: list[Entity]
) -> tuple[TableRename, ...]:
    fk_tables = _fk_target_tables(inventory)
    renames: dict[str, str] = {}
    for entity in entities:
        if not entity.table:
            continue
        key = table_key(entity.table)
        variants = {c.table for c in entity.classes if c.table} | {
            t for t in fk_tables if table_key(t) == key
        }
        for old in sorted(variants - {entity.table}):
            renames.setdefault(old, entity.table)
    return tuple(TableRename(old=o, new=n) for o, n in sorted(renames.items()))


def _proposed_merge(inventory: Inventory, entity: Entity) -> MergeDecision:
    survivor = entity.survivor
    absorbed = entity.classes[1:]
    choices = [
        MemberChoice(member=name, take_from=survivor.qualname)
        for name in conflicting_members(inventory, entity.classes)
    ]
    return MergeDecision(
        survivor=survivor.qualname,
        absorbed=tuple(c.qualname for c in absorbed),
        survivor_table=entity.table,
        absorbed_tables=tuple(c.table or "" for c in absorbed),
        choices=tuple(choices),
    )


def class_member_sources(root: Path, cls: ModelClass) -> dict[str, str]:
    """``member -> ast dump`` of each top-level statement of the class body (to compare)."""
    try:
        tree = ast.parse(read_source(root / cls.path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.name]
    if not found:
        return {}
    node = min(found, key=lambda n: abs(n.lineno - cls.line))
    return _body_members(node)


def _body_members(node: ast.ClassDef) -> dict[str, str]:
    members: dict[str, str] = {}
    for stmt in node.body:
        for name in _statement_names(stmt):
            members[name] = ast.dump(stmt, annotate_fields=False)
    return members


def _statement_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def conflicting_members(inventory: Inventory, classes: Iterable[ModelClass]) -> list[str]:
    """Members that two classes of one entity both define, differently (sorted)."""
    root = Path(inventory.root)
    bodies = [_with_inherited(inventory, c, class_member_sources(root, c)) for c in classes]
    conflicts: set[str] = set()
    for index, body in enumerate(bodies):
        for other in bodies[index + 1 :]:
            conflicts |= {
                m for m in body.keys() & other.keys() if body[m] != other[m] and m not in TABLE_KEYS
            }
    return sorted(conflicts)


def _with_inherited(inventory: Inventory, cls: ModelClass, body: dict[str, str]) -> dict[str, str]:
    """Add what ``cls`` inherits from the mixins it names (a mixin column counts as a member)."""
    mixins = {c.name: c for c in model_classes(inventory) if c.mixin or c.abstract}
    merged = dict(body)
    for base in cls.bases:
        mixin = mixins.get(base.rpartition(".")[2])
        if mixin is not None:
            for name, dump in class_member_sources(Path(inventory.root), mixin).items():
                merged.setdefault(name, dump)
    return merged


def _proposed_column_types(
    inventory: Inventory, entities: list[Entity], tables: tuple[TableRename, ...]
) -> tuple[ColumnTypeDecision, ...]:
    renamed = {t.old: t.new for t in tables}
    out: list[ColumnTypeDecision] = []
    for entity in entities:
        keys = [col for col in entity.survivor.columns if col.primary_key]
        if len(keys) != 1 or not entity.table:
            continue
        key = keys[0]
        fk_columns = _fk_columns_to(inventory, entities, renamed, entity.table, key.name)
        key_types = {
            col.type
            for c in entity.classes
            for col in c.columns
            if col.primary_key and col.name == key.name
        }
        key_type = key.type if len(key_types) == 1 else DEFAULT_KEY_TYPE
        if not fk_columns and len(key_types) == 1:
            continue
        out.append(ColumnTypeDecision(table=entity.table, column=key.name, type=key_type))
        out += [ColumnTypeDecision(table=t, column=c, type=key_type) for t, c in fk_columns]
    return tuple(_unique_column_types(out))


def _fk_columns_to(
    inventory: Inventory, entities: list[Entity], renamed: dict[str, str], table: str, column: str
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entity in entities:
        for cls in entity.classes:
            for fk in cls.foreign_keys:
                if renamed.get(fk.target_table, fk.target_table) == table and fk.target_columns == (
                    column,
                ):
                    found += [(entity.table, c) for c in fk.columns]
    for module in inventory.modules:
        for tdef in module.tables:
            for fk in tdef.foreign_keys:
                if renamed.get(fk.target_table, fk.target_table) == table and fk.target_columns == (
                    column,
                ):
                    found += [(tdef.table, c) for c in fk.columns]
    return sorted(set(found))


def _unique_column_types(items: list[ColumnTypeDecision]) -> list[ColumnTypeDecision]:
    seen: dict[tuple[str, str], ColumnTypeDecision] = {}
    for item in items:
        seen.setdefault((item.table, item.column), item)
    return list(seen.values())


def _proposed_renames(
    inventory: Inventory, final: dict[str, str], target: str
) -> tuple[Rename, ...]:
    out: list[Rename] = []
    for module in inventory.modules:
        for alias in module.aliases:
            new = final.get(alias.target) or final.get(_by_name(final, alias.target))
            if new and new != alias.name:
                out.append(
                    Rename(
                        legacy_module=module.name, legacy_name=alias.name, module=target, name=new
                    )
                )
    unique = {(r.legacy_module, r.legacy_name): r for r in out}
    return tuple(unique.values())


def _by_name(final: dict[str, str], target: str) -> str:
    """An alias target written ``Class`` or ``other.Class``: the one class of that name."""
    name = target.rpartition(".")[2]
    hits = [q for q in final if q.rpartition(".")[2] == name]
    return hits[0] if len(hits) == 1 else ""


def _proposed_backrefs(
    entities: list[Entity], final: dict[str, str], merges: tuple[MergeDecision, ...]
) -> tuple[BackrefDecision, ...]:
    decisions: list[BackrefDecision] = []
    for (_target, backref), owners in sorted(backref_collisions(entities, final, merges).items()):
        for owner, relationship in owners[1:]:
            rename_to = f"{backref}_{snake(final.get(owner, owner.rpartition('.')[2]))}"
            decisions.append(
                BackrefDecision(model=owner, relationship=relationship, rename_to=rename_to)
            )
    return tuple(decisions)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


# ---------------------------------------------------------------------------
# Rendering the plan as commented TOML (loads back to the same Plan)
# ---------------------------------------------------------------------------


def render_plan_toml(plan: Plan, inventory: Inventory) -> str:
    """The decisions file: every decision pre-filled and explained in a comment."""
    classes = {c.qualname: c for c in model_classes(inventory)}
    parts = [
        _render_head(plan, inventory),
        _render_tables(plan),
        _render_classes(plan, classes),
        _render_merges(plan, inventory, classes),
        _render_column_types(plan),
        _render_renames(plan),
        _render_backrefs(plan),
    ]
    return "\n".join(p for p in parts if p).rstrip() + "\n"


def _toml(value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml(name)


def _legacy_paths(plan: Plan) -> list[str]:
    if not plan.legacy_paths:
        return []
    return [
        "# Their files (picked with --models); the build analyses only these.",
        f"legacy_paths = {_toml(plan.legacy_paths)}",
    ]


def _left_out(inventory: Inventory) -> list[str]:
    names = [m.name for m in inventory.modules if not _importable(m.name)]
    if not names:
        return []
    return [f"# Left out (no import statement can name them): {', '.join(names)}."]


def _render_head(plan: Plan, inventory: Inventory) -> str:
    counts = ", ".join(f"{m.name} ({len(m.classes)} classes)" for m in inventory.modules)
    return "\n".join(
        [
            "# unify decisions file: written by `unify plan`, read by `unify build` and `unify rewrite`.",
            "# Every value below is a proposal; change what you decide otherwise, then run",
            "#   unify build PATH --plan THIS_FILE --dry-run",
            f"# Model modules found: {counts or 'none'}.",
            *_left_out(inventory),
            "",
            "[unify]",
            "# The unified module (dotted name, next to the legacy modules) and the temporary",
            "# compatibility module that keeps every legacy name importable during the migration.",
            f"target_module = {_toml(plan.target_module)}",
            f"compat_module = {_toml(plan.compat_module)}",
            "# Legacy model modules to retire once every import points at the unified module.",
            f"legacy_modules = {_toml(plan.legacy_modules)}",
            *_legacy_paths(plan),
            "",
        ]
    )


def _render_tables(plan: Plan) -> str:
    lines = [
        "# Canonical table names: plural and singular spellings of one entity compete, so the",
        "# singular one (the plan's convention) wins; every ForeignKey('old.x') becomes 'new.x'.",
    ]
    for rename in plan.tables:
        lines += [
            "[[table_rename]]",
            f"old = {_toml(rename.old)}",
            f"new = {_toml(rename.new)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.tables else []))


def _render_classes(plan: Plan, classes: dict[str, ModelClass]) -> str:
    lines = [
        "# One entry per unified class: the legacy class moved (source), its final name and",
        "# table, and its section (mixins and shared bases go to the first):",
        *(f"#   {s!r}" for s in SECTIONS),
    ]
    for decision in plan.classes:
        legacy = classes.get(decision.source)
        if legacy is not None:
            lines.append(
                f"# {decision.source} ({legacy.path}:{legacy.line}, table {legacy.table or '-'})"
            )
        lines += [
            "[[class]]",
            f"source = {_toml(decision.source)}",
            f"name = {_toml(decision.name)}",
            f"table = {_toml(decision.table)}",
            f"section = {_toml(decision.section)}",
            "",
        ]
    return "\n".join(lines)


def _render_merges(plan: Plan, inventory: Inventory, classes: dict[str, ModelClass]) -> str:
    if not plan.merges:
        return "# No merges: no two legacy classes stand for the same entity.\n"
    lines = [
        "# Merges: the absorbed classes' columns, relationships and methods are added to the",
        "# survivor.  A member both sides define differently is listed under choices: the side",
        '# named wins (set "" to leave it undecided: the build then stops and lists it).',
    ]
    for merge in plan.merges:
        lines += _merge_comment(merge, classes)
        lines += [
            "[[merge]]",
            f"survivor = {_toml(merge.survivor)}",
            f"absorbed = {_toml(merge.absorbed)}",
            f"survivor_table = {_toml(merge.survivor_table)}",
            f"absorbed_tables = {_toml(merge.absorbed_tables)}",
        ]
        if merge.choices:
            lines.append("[merge.choices]")
            for choice in merge.choices:
                lines += _choice_comment(merge, choice.member, classes, Path(inventory.root))
                lines.append(f"{_key(choice.member)} = {_toml(choice.take_from)}")
        lines.append("")
    return "\n".join(lines)


def _merge_comment(merge: MergeDecision, classes: dict[str, ModelClass]) -> list[str]:
    lines: list[str] = []
    taken: set[str] = set()
    for qualname in (merge.survivor, *merge.absorbed):
        cls = classes.get(qualname)
        if cls is None:
            continue
        members = [
            *(c.attr for c in cls.columns),
            *(r.attr for r in cls.relationships),
            *cls.members,
        ]
        new = [m for m in members if m not in taken and not m.startswith("__")]
        taken |= set(members)
        lines.append(f"# from {qualname}: {', '.join(new) or '(nothing new)'}")
    return lines


def _choice_comment(
    merge: MergeDecision, member: str, classes: dict[str, ModelClass], root: Path
) -> list[str]:
    owners = [classes[q] for q in (merge.survivor, *merge.absorbed) if q in classes]
    summaries = [_member_summary(c, member) for c in owners]
    if len(set(summaries)) == 1 and summaries[0].startswith("column"):
        # alike in summary (a default or a constraint differs): show each line as written
        summaries = [
            _column_source(root, c, member) or s for c, s in zip(owners, summaries, strict=True)
        ]
    sides = [f"{c.qualname}: {s}" for c, s in zip(owners, summaries, strict=True)]
    return [f"# {member}: " + " | ".join(sides)]


def _column_source(root: Path, cls: ModelClass, member: str) -> str:
    """The first source line of column ``member`` of ``cls`` (at most 80 characters)."""
    line = next((c.line for c in cls.columns if c.attr == member), 0)
    try:
        text = read_source(root / cls.path).splitlines()[line - 1].strip() if line else ""
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        return ""
    return text if len(text) <= 80 else text[:77] + "..."


def _member_summary(cls: ModelClass, member: str) -> str:
    for col in cls.columns:
        if col.attr == member:
            flags = [
                f
                for f, on in (("pk", col.primary_key), ("unique", col.unique), ("index", col.index))
                if on
            ]
            target = f" -> {col.foreign_key}" if col.foreign_key else ""
            return f"column {col.type}{target}" + (f" ({', '.join(flags)})" if flags else "")
    for rel in cls.relationships:
        if rel.attr == member:
            return f"relationship to {rel.target}"
    return "method/attribute" if member in cls.members else "inherited"


def _render_column_types(plan: Plan) -> str:
    lines = [
        "# Key and foreign-key column types: a key whose spellings disagree becomes Integer",
        "# (the plan's choice); every FK column takes the type of the key it references.",
    ]
    for decision in plan.column_types:
        lines += [
            "[[column_type]]",
            f"table = {_toml(decision.table)}",
            f"column = {_toml(decision.column)}",
            f"type = {_toml(decision.type)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.column_types else []))


def _render_renames(plan: Plan) -> str:
    lines = [
        "# Other legacy names (aliases) and what they become; the compat module keeps them.",
        "# Classes renamed above and absorbed classes are renamed without an entry here.",
    ]
    for rename in plan.renames:
        lines += [
            "[[rename]]",
            f"legacy = {_toml(rename.legacy_module + '.' + rename.legacy_name)}",
            f"name = {_toml(rename.name)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.renames else []))


def _render_backrefs(plan: Plan) -> str:
    if not plan.backrefs:
        return "# No backref collides with another attribute after the merges.\n"
    lines = [
        "# Backrefs that would collide after the merges (two relationships, or a relationship",
        "# and a member, claim one attribute): the backref of the relationship named is renamed.",
    ]
    for decision in plan.backrefs:
        lines += [
            "[[backref]]",
            f"model = {_toml(decision.model)}",
            f"relationship = {_toml(decision.relationship)}",
            f"rename_to = {_toml(decision.rename_to)}",
            "",
        ]
    return "\n".join(lines)


def write_plan_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write the decisions file; an existing file is kept unless ``force``."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; pass --force to overwrite it")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write the decisions file ({exc.strerror or exc})"
        ) from None
