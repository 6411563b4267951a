"""Apply a revision in one transaction, prove it, and commit only what balances.

PostgreSQL's DDL is transactional: the upgrade, the ledger, the checks against the unified
schema and the stamp of ``alembic_version`` run in one transaction, and any error or an
unbalanced ledger rolls everything back, leaving the database as it was.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from unify.migration.sql import LEDGER
from unify.models import Finding, LedgerRow, Rule, Severity, TableCount

APPLY_FAILED = Rule(
    name="migration-failed",
    code="M001",
    severity=Severity.ERROR,
    summary="the upgrade raised; nothing was changed",
)
UNBALANCED = Rule(
    name="ledger-unbalanced",
    code="M002",
    severity=Severity.ERROR,
    summary="rows before and after the upgrade do not add up; nothing was changed",
)
SCHEMA_DIFFERS = Rule(
    name="migrated-schema-differs",
    code="M003",
    severity=Severity.ERROR,
    summary="the migrated schema is not the unified models' schema; nothing was changed",
)


def load_revision(path: Path) -> ModuleType:
    """The revision module unify wrote (it imports alembic and sqlalchemy only)."""
    spec = importlib.util.spec_from_file_location(f"unify_revision_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def current_version(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def offline_sql(revision: ModuleType) -> str:
    """The upgrade as SQL text (alembic's offline mode), without a database."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer}
    )
    with Operations.context(context):
        revision.upgrade()
    return buffer.getvalue()


def run_upgrade(conn: Connection, revision: ModuleType) -> None:
    context = MigrationContext.configure(connection=conn)
    with Operations.context(context):
        revision.upgrade()


def run_downgrade(conn: Connection, revision: ModuleType) -> None:
    context = MigrationContext.configure(connection=conn)
    with Operations.context(context):
        revision.downgrade()


def stamp(conn: Connection, revision: str, down: str | None) -> None:
    """Point ``alembic_version`` at ``revision`` (created when the app had none)."""
    conn.execute(
        sa.text(
            "CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    )
    if down is not None:
        conn.execute(sa.text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": down})
    conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})


def read_ledger(conn: Connection) -> tuple[LedgerRow, ...]:
    """One row per legacy table: its count before and where its rows went."""
    rows = conn.execute(
        sa.text(
            f"SELECT legacy, unified, action, sum(rows) FROM {LEDGER} GROUP BY legacy, unified, action"
        )
    ).all()
    per: dict[str, dict[str, int]] = {}
    target: dict[str, str] = {}
    for legacy, unified, action, count in rows:
        per.setdefault(legacy, {})[action] = int(count)
        if unified:
            target.setdefault(legacy, unified)
    return tuple(
        LedgerRow(
            legacy=name,
            unified=target.get(name, ""),
            before=counts.get("before", 0),
            carried=counts.get("carried", 0),
            merged_new=counts.get("merged_new", 0),
            folded=counts.get("folded", 0),
            deleted=counts.get("deleted", 0),
            nulled=counts.get("nulled", 0),
            kept=counts.get("kept", 0),
        )
        for name, counts in sorted(per.items())
    )


def table_counts(
    conn: Connection, ledger: tuple[LedgerRow, ...], tables: tuple[str, ...]
) -> tuple[TableCount, ...]:
    """Each unified table's rows against the rows its sources carried into it.

    The rows are the server's own count of what this transaction inserted into the table less
    what it deleted (``pg_stat_xact_user_tables``), not a scan of it: the upgrade created the
    table in this transaction, so those are all its rows.  That count is kept by the executor
    row by row, apart from the ``ROW_COUNT`` the ledger took, so a ledger that says more or
    fewer rows than the tables hold still does not balance."""
    expected: dict[str, int] = dict.fromkeys(tables, 0)
    for row in ledger:
        if row.unified:
            expected[row.unified] = expected.get(row.unified, 0) + row.carried + row.merged_new
    written = sa.text(
        "SELECT pg_stat_get_xact_tuples_inserted(CAST(:name AS regclass)) "
        "- pg_stat_get_xact_tuples_deleted(CAST(:name AS regclass))"
    )
    return tuple(
        TableCount(
            table=t,
            rows=int(conn.execute(written, {"name": f'public."{t}"'}).scalar() or 0),
            expected=n,
        )
        for t, n in expected.items()
    )


def schema_findings(conn: Connection, metadata: sa.MetaData) -> list[Finding]:
    """The migrated public schema against the unified models' metadata (alembic's
    ``compare_metadata``), foreign keys included."""
    context = MigrationContext.configure(
        connection=conn, opts={"compare_type": True, "include_schemas": False}
    )
    diffs = compare_metadata(context, metadata)
    inspector = sa.inspect(conn)
    unique_indexes = {
        (t, tuple(sorted(c for c in i["column_names"] if c)))
        for t in metadata.tables
        for i in inspector.get_indexes(t)
        if i.get("unique")
    }
    found = []
    for diff in diffs:
        kind = diff[0][0] if isinstance(diff, list) else diff[0]
        if kind == "add_constraint" and _as_unique_index(diff[1], unique_indexes):
            continue  # a unique column the models made a unique index
        if kind in ("remove_table", "remove_index", "add_index"):
            # tables the models do not know (alembic_version, the app's others); indexes
            # were created from the models' own DDL and the shapes do not carry them
            continue
        found.append(SCHEMA_DIFFERS.finding(f"after the upgrade: {_describe(diff)}"))
    return found


def _as_unique_index(constraint: object, unique_indexes: set[tuple[str, tuple[str, ...]]]) -> bool:
    if not isinstance(constraint, sa.UniqueConstraint) or constraint.table is None:
        return False
    key = (constraint.table.name, tuple(sorted(c.name for c in constraint.columns)))
    return key in unique_indexes


def _describe(diff: object) -> str:
    if isinstance(diff, list):
        return "; ".join(_describe(d) for d in diff)
    if isinstance(diff, tuple) and diff:
        parts = [str(diff[0])]
        for item in diff[1:]:
            name = getattr(item, "name", None)
            parts.append(str(name) if name else str(item))
        return " ".join(parts)
    return str(diff)
