"""What verify, restore, rewrite, archive and status found or did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from unify.records.findings import Finding

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
    default: bool = False  # the database fills it when an INSERT leaves it out


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
    ddl: str = field(default="", compare=False)  # its alembic ``op`` call, when asked for

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
    checks: tuple[str, ...] = ()  # check constraints' SQL
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # other indexes: (name, columns)
    serial: str = ""  # the integer key column the database numbers (a sequence), if any
    ddl: tuple[str, ...] = field(default=(), compare=False)  # alembic ``op`` calls, when asked


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
    outside: tuple[str, ...] = ()  # --only: files outside the selection still to rewrite
    # files that mention a legacy module but could not be processed (parse error, undecodable,
    # a symlink leaving the root): ``rewrite --check`` fails on them
    unprocessed: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Cleanup (archive) and where a unification stands (status)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveMove:
    """A legacy module's file moved to the archive folder (``git mv`` when git tracks it)."""

    module: str
    source: str  # repository-relative
    dest: str  # repository-relative
    git: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Importer:
    """A file that still imports ``module`` (``dynamic``: names it in a string, importlib)."""

    module: str
    path: str
    line: int
    dynamic: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchivePlan:
    """What ``unify archive`` moves and deletes, and what stops it: nothing moves while a
    static importer is left (``blockers``); dynamic references are listed, not blocking."""

    root: str
    moves: tuple[ArchiveMove, ...]
    removals: tuple[str, ...] = ()  # the compat module's file, with --remove-compat
    blockers: tuple[Importer, ...] = ()
    dynamic: tuple[Importer, ...] = ()
    gone: tuple[str, ...] = ()  # legacy modules with no file left (archived before)
    git_tracked: tuple[str, ...] = ()  # of the removals, those git tracks


StatusState = Literal["done", "todo", "not-checked"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseStatus:
    """One phase of the unification: its state, what was found, the command that moves it on."""

    phase: str
    state: StatusState
    detail: str
    next: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    root: str
    plan: str
    phases: tuple[PhaseStatus, ...]

    @property
    def done(self) -> bool:
        """Every phase done (a phase not checked does not count against it)."""
        return all(p.state != "todo" for p in self.phases)
