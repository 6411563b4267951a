"""The rename map, the user's decisions, the resolved plan and the build's output."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from unify.records.findings import Finding
from unify.records.inventory import ModelClass

# ---------------------------------------------------------------------------
# Rename map (decisions -> rewrite_imports)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleMove:
    """Every name imported from ``legacy`` now comes from ``target`` (unless renamed)."""

    legacy: str
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Rename:
    """``legacy_module.legacy_name`` is now ``module.name``."""

    legacy_module: str
    legacy_name: str
    module: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRename:
    old: str
    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameMap:
    moves: tuple[ModuleMove, ...]
    renames: tuple[Rename, ...] = ()
    tables: tuple[TableRename, ...] = ()
    # every legacy table that changes (renamed or merged): raw SQL naming one is reported
    table_moves: tuple[TableMove, ...] = ()
    rewrite_sql: bool = False  # edit the table identifiers of that SQL ([unify] rewrite_sql)


# ---------------------------------------------------------------------------
# Decisions (decisions -> build, rewrite_imports, verify_fks)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassDecision:
    """Where a legacy class ends up: ``source`` is ``module.Class``; ``name`` its final name."""

    source: str
    name: str
    table: str
    section: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberChoice:
    """For a member (column, relationship, method) both sides define: which side wins, and
    the name the other side's member keeps (``keep-both:NAME``; "" drops it)."""

    member: str
    take_from: str  # "module.Class"
    keep_as: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeDecision:
    """``absorbed`` classes are merged into ``survivor``; their tables into ``survivor_table``."""

    survivor: str
    absorbed: tuple[str, ...]
    survivor_table: str
    absorbed_tables: tuple[str, ...]
    choices: tuple[MemberChoice, ...] = ()
    # columns compared case-insensitively: an absorbed row equal to a survivor row on all of
    # them folds into it (no new row); empty: every absorbed row becomes a new row
    match: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnTypeDecision:
    """The unified type of ``table.column`` (a key or an FK column), e.g. ``Integer``."""

    table: str
    column: str
    type: str


OrphanPolicy = Literal["fail", "null", "delete", "keep-unconstrained"]
ORPHAN_POLICIES: tuple[OrphanPolicy, ...] = ("fail", "null", "delete", "keep-unconstrained")


@dataclass(frozen=True, slots=True, kw_only=True)
class OrphanDecision:
    """What a migration does with the rows of unified ``table`` whose ``column`` (a foreign
    key) matches no row of the table it references: ``fail`` (the default: nothing moves),
    ``null`` the value, ``delete`` the row, or ``keep-unconstrained`` (no FK constraint)."""

    table: str
    column: str
    policy: OrphanPolicy = "fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The user's decisions, loaded and validated from ``unify.toml``."""

    path: str
    target_module: str
    compat_module: str
    legacy_modules: tuple[str, ...]
    classes: tuple[ClassDecision, ...]
    merges: tuple[MergeDecision, ...] = ()
    column_types: tuple[ColumnTypeDecision, ...] = ()
    renames: tuple[Rename, ...] = ()
    tables: tuple[TableRename, ...] = ()
    backrefs: tuple[BackrefDecision, ...] = ()  # plan/build: backref renames the user decided
    legacy_paths: tuple[str, ...] = ()  # plan/build: the files picked with `plan --models`
    sections: tuple[str, ...] = ()  # the unified module's sections, in order ([unify] sections)
    retired_modules: tuple[str, ...] = ()  # dead copies: no source, archived with the legacy ones
    rewrite_sql: bool = False  # rewrite edits table names in raw SQL strings ([unify] rewrite_sql)
    orphans: tuple[OrphanDecision, ...] = ()  # migrate: what happens to orphaned FK values
    app: str = ""  # check: the app factory to start, MODULE:FACTORY ([unify] app)


# ---------------------------------------------------------------------------
# The resolved plan (resolve -> decisions, build, rewrite, verify, migrate)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    """Legacy classes that stand for one unified model: the survivor first."""

    classes: tuple[ModelClass, ...]
    name: str
    table: str

    @property
    def survivor(self) -> ModelClass:
        return self.classes[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class TableMove:
    """Legacy table ``legacy`` is unified table ``unified``; ``merged``: its rows join the
    survivor's table (a merge's absorbed table) rather than the table being renamed."""

    legacy: str
    unified: str
    merged: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CompatName:
    """The compat module binds ``name`` (a name legacy ``module`` provided) to ``final``."""

    module: str
    name: str
    final: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedPlan:
    """What the plan means, worked out once from the plan and the inventory.

    Every stage reads names and tables from here; none derives them on its own.
    Mappings are read-only views.
    """

    plan: Plan
    classes: Mapping[str, ModelClass]  # legacy qualname -> legacy class (placeholders left out)
    final: Mapping[str, str]  # legacy qualname -> final class name (absorbed classes included)
    renamed: Mapping[tuple[str, str], str]  # (legacy module, legacy name) -> new name, changes only
    entities: tuple[Entity, ...]  # one per [[class]] entry, in plan order
    table_moves: tuple[TableMove, ...]  # legacy table -> unified table, every table that changes
    table_of: Mapping[str, str]  # final class name -> final table
    column_types: Mapping[tuple[str, str], str]  # (final table, column) -> type to write
    backrefs: Mapping[tuple[str, str], str]  # (legacy qualname, relationship) -> backref
    local_names: Mapping[str, Mapping[str, str]]  # legacy module -> {name there -> final name}
    module_aliases: Mapping[str, Mapping[str, str]]  # legacy module -> {bound name -> module}
    compat: tuple[CompatName, ...]  # what each legacy module's exports mean in the unified module
    sections: tuple[str, ...]  # the plan's sections, or those its classes name, in first-use order

    @property
    def tables(self) -> dict[str, str]:
        """``legacy table -> unified table`` for every table that changes."""
        return {m.legacy: m.unified for m in self.table_moves}

    def names_in(self, module: str) -> Mapping[str, str]:
        return self.local_names.get(module, {})

    def final_in(self, legacy_module: str, name: str) -> str:
        """The final name of ``legacy_module.name``."""
        found = self.final.get(f"{legacy_module}.{name}")
        return found or self.names_in(legacy_module).get(name, name)


# ---------------------------------------------------------------------------
# Plan / build extras (decisions, build, selfcheck)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BackrefDecision:
    """The ``backref`` of relationship ``relationship`` of legacy class ``model`` becomes
    ``rename_to`` (decided to settle a backref collision after a merge)."""

    model: str  # "module.Class" (legacy)
    relationship: str
    rename_to: str


BuiltRole = Literal["unified", "compat", "stub"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuiltFile:
    """A module text the build produced; ``rel`` is relative to the repository root."""

    rel: str
    module: str
    text: str
    role: BuiltRole
    previous: str | None = None  # the file's current text; None when the file is new


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """The modules built from a plan, and what stops them from being written."""

    files: tuple[BuiltFile, ...]
    findings: tuple[Finding, ...] = ()
    classes: int = 0  # unified classes
    merged: int = 0  # legacy classes absorbed by merges
