"""The toolkit's own typed records.

Every stage of unify exchanges these frozen records and nothing else: no SQLAlchemy
``Table`` and no libcst node crosses a stage boundary.  Records hold tuples, never lists,
and are changed by copy (``dataclasses.replace``).

Sections, in the order of the flow:

* repository layout (``scan``)
* inventory (``analyze``) and findings
* decisions (``decisions``/``build``)
* rename map and file outcomes (``rewrite_imports``)
* verification (``verify_fks``)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

# ---------------------------------------------------------------------------
# Findings (shared by every stage)
# ---------------------------------------------------------------------------


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem found, as data.  ``rule`` is a stable kebab-case name, ``code`` a short id.

    Static findings carry ``path``/``line``; database findings carry ``table``/``column``,
    ``count`` (rows concerned) and ``samples`` (a few offending keys or values, as text).
    """

    rule: str
    code: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None
    count: int | None = None
    samples: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A catalogued rule: every finding of it carries this name, code and (default) severity.

    Each stage keeps its catalogue as ``{rule.name: rule}`` (see ``rule_catalogue``);
    ``docs/rules.md`` documents every one.
    """

    name: str
    code: str
    severity: Severity
    summary: str

    def finding(self, message: str, *, severity: Severity | None = None, **where: Any) -> Finding:
        """A finding of this rule; ``where`` takes Finding's location and count fields."""
        return Finding(
            rule=self.name,
            code=self.code,
            severity=severity or self.severity,
            message=message,
            **where,
        )


def rule_catalogue(*rules: Rule) -> dict[str, Rule]:
    """Index rules by name, refusing a name or code used twice."""
    names = {r.name for r in rules}
    codes = {r.code for r in rules}
    if len(names) != len(rules) or len(codes) != len(rules):
        raise ValueError("a rule name or code is used twice")
    return {r.name: r for r in rules}


# ---------------------------------------------------------------------------
# Repository layout (scan)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A Python file of the repository.

    ``rel`` is the posix path relative to the repository root; ``module`` the dotted name
    relative to ``root`` (the nearest ancestor folder that is not a package); ``is_package``
    is true for ``__init__.py`` (then ``module`` names the package).
    """

    rel: str
    module: str
    root: str
    is_package: bool = False


# ---------------------------------------------------------------------------
# Inventory (analyze)
# ---------------------------------------------------------------------------

ColumnStyle = Literal["column", "mapped_column"]
ForeignKeyForm = Literal["string", "attribute", "constraint"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSpec:
    """A mapped column as written.  ``type`` is normalised source (``String(36)``, no ``db.``)."""

    attr: str
    name: str
    type: str
    type_name: str
    line: int
    primary_key: bool = False
    nullable: bool | None = None
    unique: bool = False
    index: bool = False
    has_default: bool = False
    foreign_key: str | None = None
    style: ColumnStyle = "column"
    from_mixin: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignKeySpec:
    """A foreign key: ``table.columns -> target_table.target_columns``; ``spec`` as written."""

    model: str
    table: str
    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]
    spec: str
    form: ForeignKeyForm
    path: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationshipSpec:
    attr: str
    target: str
    line: int
    backref: str | None = None
    back_populates: str | None = None
    secondary: str | None = None
    foreign_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberDigest:
    """A statement of a class body that binds ``name``: a digest of its syntax (equal digests,
    equal code whatever the layout) and its first source line, as written."""

    name: str
    digest: str
    first_line: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelClass:
    """A mapped class (or a mixin/abstract base whose columns count for its subclasses)."""

    name: str
    module: str
    path: str
    line: int
    end_line: int
    bases: tuple[str, ...]
    table: str | None
    table_explicit: bool
    columns: tuple[ColumnSpec, ...]
    foreign_keys: tuple[ForeignKeySpec, ...]
    relationships: tuple[RelationshipSpec, ...]
    extend_existing: bool = False
    table_args: tuple[str, ...] = ()
    abstract: bool = False
    mixin: bool = False
    guarded: bool = False  # defined in an except/else branch (a placeholder)
    members: tuple[str, ...] = ()  # analyze: every other name the class body defines (methods, ...)
    member_digests: tuple[MemberDigest, ...] = ()  # analyze: each named body statement, as code

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


AliasKind = Literal["assign", "import-as"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelAlias:
    """``name`` in ``module`` stands for ``target`` (``module.Class``) by assignment or import."""

    name: str
    target: str
    module: str
    path: str
    line: int
    kind: AliasKind
    guarded: bool = False  # inside try/except


SymbolKind = Literal["class", "function", "assign"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Symbol:
    """A non-model top-level definition of a model module (helper class, function)."""

    name: str
    kind: SymbolKind
    module: str
    path: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReExport:
    """``module`` provides ``name`` only because it imports it from ``source``."""

    name: str
    module: str
    source: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelModule:
    name: str
    path: str
    root: str
    classes: tuple[ModelClass, ...]
    aliases: tuple[ModelAlias, ...] = ()
    other_classes: tuple[Symbol, ...] = ()
    functions: tuple[Symbol, ...] = ()
    reexports: tuple[ReExport, ...] = ()
    exports: tuple[str, ...] = ()  # every top-level name the module provides
    tables: tuple[
        TableDef, ...
    ] = ()  # analyze: ``Table('name', ...)`` objects (association tables)


ImportForm = Literal["from", "from-star", "import", "import-as"]
NameStatus = Literal["defined", "reexported", "missing"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedName:
    name: str
    asname: str | None = None
    status: NameStatus = "defined"
    provided_by: str | None = None  # module that really defines it, for re-exports


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRecord:
    """One import of a model module.  ``written`` is the module as written (``.models``)."""

    path: str
    line: int
    target: str
    written: str
    form: ImportForm
    names: tuple[ImportedName, ...] = ()
    level: int = 0
    context: tuple[
        str, ...
    ] = ()  # enclosing blocks, outermost first: function, try, except, with, if
    importer: str | None = None  # dotted name of the importing file
    target_path: str | None = (
        None  # analyze: the imported module's file (names repeat across roots)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicImport:
    path: str
    line: int
    module: str
    call: str


# --- analyze: tables and attribute uses -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TableDef:
    """A ``Table('name', metadata, Column(...), ...)`` object (an association table)."""

    name: str  # the variable it is bound to
    table: str
    module: str
    path: str
    line: int
    columns: tuple[ColumnSpec, ...] = ()
    foreign_keys: tuple[ForeignKeySpec, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleAttribute:
    """``via.name`` where ``via`` is a model module bound by ``import m [as via]`` or
    ``from pkg import m``; ``status`` as for imported names (``reexported``: see provided_by)."""

    path: str
    line: int
    module: str
    via: str
    name: str
    status: NameStatus = "defined"
    provided_by: str | None = None


AttributeUseKind = Literal["attribute", "filter_by"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeUse:
    """``via.attr`` (or ``filter_by(attr=...)`` on a query of ``via``); ``model`` is the class
    (``module.Class``) that ``via`` names once aliases are followed."""

    path: str
    line: int
    model: str
    attr: str
    via: str
    kind: AttributeUseKind = "attribute"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassLinks:
    """A model class (or mixin) and its bases, as analyze's checks read them."""

    model: str  # "module.Class"
    parents: tuple[str | None, ...] = ()  # each base as a repository class, or None
    bases_known: bool = True  # every base is a repository class or a declarative base
    members: tuple[str, ...] | None = None  # every attribute it is known to have; None: unknown


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleClash:
    """One dotted model module name for several files (separate apps of one repository)."""

    name: str
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Inventory:
    root: str
    import_roots: tuple[str, ...]
    modules: tuple[ModelModule, ...]
    imports: tuple[ImportRecord, ...]
    findings: tuple[Finding, ...]
    files_scanned: int
    dynamic_imports: tuple[DynamicImport, ...] = ()
    other_python_files: tuple[str, ...] = ()  # Python kept under another suffix (*.py.unused)
    attribute_uses: tuple[AttributeUse, ...] = ()  # analyze: ``Model.attr`` / ``filter_by(attr=)``
    module_attributes: tuple[ModuleAttribute, ...] = ()  # analyze: ``models_module.Name``
    top_level_modules: tuple[str, ...] = ()  # analyze: the repository's own top-level modules
    # what the checks read beyond the model modules (not part of the JSON report):
    classes: tuple[ModelClass, ...] = ()  # every model class and mixin, in a model module or not
    tables: tuple[TableDef, ...] = ()  # every ``Table()`` object of the repository
    class_links: tuple[ClassLinks, ...] = ()  # one per class of ``classes``
    class_names: tuple[str, ...] = ()  # every class name defined at a top level anywhere
    module_clashes: tuple[ModuleClash, ...] = ()


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
    """For a member (column, relationship, method) both sides define: which side wins."""

    member: str
    take_from: str  # "module.Class"


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeDecision:
    """``absorbed`` classes are merged into ``survivor``; their tables into ``survivor_table``."""

    survivor: str
    absorbed: tuple[str, ...]
    survivor_table: str
    absorbed_tables: tuple[str, ...]
    choices: tuple[MemberChoice, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnTypeDecision:
    """The unified type of ``table.column`` (a key or an FK column), e.g. ``Integer``."""

    table: str
    column: str
    type: str


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


# ---------------------------------------------------------------------------
# Verification (restore, verify_fks)
# ---------------------------------------------------------------------------

ScratchKind = Literal["postgres", "sqlite", "container"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnShape:
    """A column of the unified metadata: ``type`` is SQLAlchemy's repr (``String(length=36)``),
    ``type_class`` its dotted class, ``sql_type`` the PostgreSQL DDL type (``VARCHAR(36)``)."""

    name: str
    type: str
    type_class: str
    sql_type: str
    nullable: bool = True
    primary_key: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignKeyShape:
    """``table.columns -> target_table.target_columns`` with its options."""

    table: str
    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None
    deferrable: bool | None = None

    @property
    def line(self) -> str:
        """The plan's Phase 4.1 form: ``table.cols -> table.cols``."""
        cols, target = ",".join(self.columns), ",".join(self.target_columns)
        return f"{self.table}.{cols} -> {self.target_table}.{target}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TableShape:
    name: str
    columns: tuple[ColumnShape, ...]
    foreign_keys: tuple[ForeignKeyShape, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # unique constraints and unique indexes


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaShape:
    """The unified module's metadata as data (read in a subprocess; no user code here)."""

    module: str
    tables: tuple[TableShape, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FkInspection:
    """Stage 2: the unified schema created on a scratch database and inspected there."""

    backend: ScratchKind
    table_count: int
    foreign_keys: tuple[ForeignKeyShape, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyResult:
    """Every stage's outcome; ``inspection`` is None when the module did not load."""

    module: str
    database: str  # the verified database's URL, password masked
    schema: SchemaShape | None
    inspection: FkInspection | None
    findings: tuple[Finding, ...]
    tables_compared: int = 0
    checks_run: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreResult:
    """A dump restored into a new database (``url`` with the password masked)."""

    database: str
    url: str
    dump_format: Literal["plain", "custom"]
    skipped: tuple[str, ...] = ()
    skipped_counts: tuple[tuple[str, int], ...] = ()  # statements skipped, by kind


# ---------------------------------------------------------------------------
# Rewrite outcomes (rewrite_imports -> report.rewrite)
# ---------------------------------------------------------------------------

ChangeForm = Literal["from", "from-star", "import", "import-as", "from-module", "name", "string"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RewriteChange:
    """One edit: an import statement rewritten, a name renamed (``count`` uses), a string."""

    form: ChangeForm
    old: str
    new: str
    line: int | None = None
    count: int = 1
    names: tuple[str, ...] = ()  # for ``from-star``: the names the file really uses


@dataclass(frozen=True, slots=True, kw_only=True)
class Rewritten:
    """A file whose new text differs; ``digest`` (sha256 of the bytes read) guards the write."""

    path: str
    old_text: str
    new_text: str
    changes: tuple[RewriteChange, ...]
    encoding: str = "utf-8"
    digest: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Unchanged:
    path: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed:
    path: str
    error: str


FileOutcome = Rewritten | Unchanged | Skipped | Failed


@dataclass(frozen=True, slots=True, kw_only=True)
class RewriteResult:
    """Every file's outcome (candidates only; other files are counted in ``files_scanned``)."""

    root: str
    outcomes: tuple[FileOutcome, ...]
    findings: tuple[Finding, ...]
    files_scanned: int
    candidates: int
    other_python_files: tuple[str, ...] = ()
    # files that mention a legacy module but could not be processed (parse error, undecodable,
    # a symlink leaving the root): ``rewrite --check`` fails on them
    unprocessed: tuple[str, ...] = ()
