"""The data mapping a migration applies (and verify judges by), and what a migration did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from unify.records.findings import Finding
from unify.records.plan import OrphanPolicy

SourceRole = Literal["carried", "absorbed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueFill:
    """One unified column filled from a legacy row: ``value`` is SQL over the legacy row's
    alias ``s`` (a cast where the type changes); ``source`` the legacy column."""

    column: str
    source: str
    value: str
    casts: bool = False  # the value may come out NULL where the legacy value does not convert


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyFill:
    """A foreign-key column of a unified row and the legacy rows it refers to.

    The value (as ``ValueFill`` has it) refers to a row of the legacy table ``parent``: by
    ``parent_value`` (the parent's key ``parent_key`` as the unified key type, SQL over alias
    ``p``), or, when ``remap`` (the parent's rows got new ids in a merge), through the parent's
    id map (keyed by the parent key's own type).  A value that refers to no row is an orphan, handled
    under ``policy``.
    """

    column: str
    target_table: str
    target_column: str
    parent: str
    parent_key: str
    parent_value: str
    remap: bool = False
    policy: OrphanPolicy = "fail"
    # the legacy types of the parent's key and of the column (PostgreSQL's spelling; empty
    # when unknown): equal, a remapped value joins the id map as it is, else by its text
    parent_type: str = ""
    column_type: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RowSource:
    """The rows one legacy table gives one unified table.

    ``carried`` rows keep their primary key; ``absorbed`` rows (a merge) get new ids, recorded
    old -> new in the table's id map, unless they equal a survivor row on ``match``
    (compared case-insensitively), and then fold into it.
    """

    legacy: str
    unified: str
    role: SourceRole
    values: tuple[ValueFill, ...]
    keys: tuple[KeyFill, ...] = ()
    key: str = ""  # the legacy primary key column (absorbed rows: the id map's old id)
    unified_key: str = ""  # the unified primary key column it becomes
    match: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # legacy columns no unified column takes (kept in unify_legacy)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataMapping:
    """Where every unified table's rows come from, in load order (a table after those its
    foreign keys reference), and what of the legacy database stays only in ``unify_legacy``."""

    sources: tuple[RowSource, ...]
    legacy_tables: tuple[str, ...]  # every legacy table the migration moves to unify_legacy
    unmapped: tuple[str, ...]  # legacy tables no unified table takes rows from
    created: tuple[str, ...]  # unified tables in creation order
    serials: tuple[tuple[str, str], ...]  # (unified table, key column) numbered by a sequence


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRow:
    """One legacy table's rows: before the migration, and where each went."""

    legacy: str
    unified: str
    before: int
    carried: int = 0
    merged_new: int = 0
    folded: int = 0
    deleted: int = 0
    nulled: int = 0  # rows carried with a foreign key set NULL by the ``null`` policy
    kept: int = 0  # rows that stay only in unify_legacy (an unmapped table)

    @property
    def balanced(self) -> bool:
        return (
            self.before == self.carried + self.merged_new + self.folded + self.deleted + self.kept
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TableCount:
    """A unified table's rows after the migration against the rows its sources carried."""

    table: str
    rows: int
    expected: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrateResult:
    """What ``unify migrate`` wrote and, with ``--apply``, what it did to the database."""

    revision: str  # the revision id
    path: str  # the revision file
    down_revision: str | None
    applied: bool = False
    at_head: bool = False  # the database was already at this revision: nothing to do
    ledger: tuple[LedgerRow, ...] = ()
    counts: tuple[TableCount, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def balanced(self) -> bool:
        return all(r.balanced for r in self.ledger) and all(
            c.rows == c.expected for c in self.counts
        )
