"""The repository's layout and the inventory of its model modules (analyze)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from unify.records.findings import Finding

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


ConstraintKind = Literal["primary_key", "unique", "check", "index"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TableConstraint:
    """A table-level constraint or index (``__table_args__`` or ``Table(...)``) other than a
    foreign key (those are ``ForeignKeySpec``): its column names, or for a check its SQL text;
    ``unique`` for a unique index."""

    kind: ConstraintKind
    line: int
    name: str | None = None
    columns: tuple[str, ...] = ()
    text: str | None = None
    unique: bool = False


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
    constraints: tuple[TableConstraint, ...] = ()  # from ``__table_args__``
    abstract: bool = False
    mixin: bool = False
    guarded: bool = False  # defined in an except/else branch (a placeholder)
    members: tuple[str, ...] = ()  # analyze: every other name the class body defines (methods, ...)
    member_digests: tuple[MemberDigest, ...] = ()  # analyze: each named body statement, as code

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    def keyed_apart(self, other: ModelClass) -> bool:
        """Whether both declare a primary key and the two are on other columns: two entities,
        not two copies of one (a copy may change its key's type, not which columns it is)."""
        mine = {c.name for c in self.columns if c.primary_key}
        theirs = {c.name for c in other.columns if c.primary_key}
        return bool(mine and theirs) and mine != theirs


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
    """A model module named by a string: the argument of ``call`` (``importlib.import_module``,
    ``__import__``; also through a constant), or, with no call, any string in code equal to
    the module's dotted name or to ``module.Name`` / ``module:Name``."""

    path: str
    line: int
    module: str
    call: str  # "" for a string that is not the argument of an import call
    text: str = ""  # the string as written


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlReference:
    """A string in code that looks like SQL and names tables of model classes (``text("SELECT
    ... FROM shop_users")``, ``op.execute(...)``, an f-string): the tables it names and the
    columns of those tables it names."""

    path: str
    line: int
    tables: tuple[str, ...]
    columns: tuple[str, ...] = ()
    formatted: bool = False  # an f-string (its ``{...}`` parts unknown)


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
    constraints: tuple[TableConstraint, ...] = ()


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
    # its bases (as written) from outside the repository that may add columns: neither a
    # declarative base nor a base of known members (UserMixin)
    outside_bases: tuple[str, ...] = ()


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
    sql_references: tuple[SqlReference, ...] = ()  # analyze: raw SQL naming a model's table
    # the schema's history: the tables Alembic revision files define (their ``Table()``
    # objects, and their classes as tables): not models, but tables that exist
    history_tables: tuple[TableDef, ...] = ()
