"""Migrate the data into the unified schema: the stage, in order.

1. **load** (``mapping.load``): import the unified module in a subprocess, its tables as shapes
   with their alembic ``op`` code; reflect the legacy database (read-only).
2. **map** (``mapping.data``): the data mapping, from the resolved plan, the unified schema and
   the legacy tables: where each unified row comes from, casts, id maps, orphan policies.
3. **write** (``migration.sql``, ``migration.revision``): the mapping as set-based SQL steps in
   an Alembic revision, chained onto the head of the app's own revisions.
4. **apply** (``migration.apply``, only when asked): the upgrade, the row ledger, the schema
   compared with the unified models and the stamp, in one transaction; anything that fails or
   does not balance rolls everything back.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify import db
from unify.errors import DatabaseError, InputError, reason
from unify.journal import FileWrite, replace_files
from unify.mapping.data import data_mapping
from unify.mapping.load import check_built, load_schema
from unify.mapping.metadata import build_metadata
from unify.migration import apply as applying
from unify.migration.revision import find_versions, new_revision_id, render_revision
from unify.migration.sql import LEGACY, downgrade_steps, upgrade_steps
from unify.models import (
    DataMapping,
    Finding,
    MigrateResult,
    ResolvedPlan,
    SchemaShape,
    rule_catalogue,
)

RULES = rule_catalogue(applying.APPLY_FAILED, applying.UNBALANCED, applying.SCHEMA_DIFFERS)


def plan_migration(
    repo: Path, resolved: ResolvedPlan, url: URL, *, python: str = sys.executable
) -> tuple[SchemaShape, DataMapping]:
    """Steps 1 and 2: the unified schema and the data mapping from the database at ``url``."""
    check_built(repo, resolved.plan)
    loaded = load_schema(repo, resolved.plan.target_module, python=python, ddl=True)
    if isinstance(loaded, Finding):
        raise InputError(f"{repo}: {loaded.message}")
    reflected = sa.MetaData()
    with db.read_only(url, 120.0) as conn:
        if sa.inspect(conn).has_schema(LEGACY):
            raise InputError(
                f"{db.mask(url)}: schema {LEGACY} exists: this database was migrated already "
                f"(unify migrate --apply says whether it is at head)"
            )
        reflected.reflect(conn)
    mapping = data_mapping(resolved, loaded, reflected)
    if not mapping.sources:
        raise InputError(
            f"{db.mask(url)}: none of the legacy tables the unified models take rows from is in "
            f"this database (is it the restored dump? `unify restore` prints its URL)"
        )
    return loaded, mapping


def database_at_head(repo: Path, url: URL, revision_dir: Path | None) -> str | None:
    """The revision the database is at, when it is the head of the revision files and unify
    migrated it (its ``unify_legacy`` schema exists); else None.  A database at a revision
    other than the files' head is an error (upgrade it first, or the files are another
    branch's)."""
    versions = find_versions(repo, revision_dir)
    with db.read_only(url, 60.0) as conn:
        migrated = sa.inspect(conn).has_schema(LEGACY)
        current = applying.current_version(conn)
    if current is not None and current != versions.head:
        raise InputError(
            f"{db.mask(url)}: the database is at revision {current}, the revision files' head "
            f"is {versions.head or '(none)'}: upgrade the database first"
        )
    return current if migrated and current is not None else None


def write_revision(
    repo: Path,
    schema: SchemaShape,
    mapping: DataMapping,
    *,
    revision_dir: Path | None = None,
    message: str = "unify: carry the legacy data into the unified models",
) -> tuple[Path, str, str | None]:
    """Step 3: write the revision file; its path, id and down revision."""
    versions = find_versions(repo, revision_dir)
    creates = {t.name: t.ddl for t in schema.tables}
    keys = tuple(
        (t.name, fk.columns[0], fk.ddl) for t in schema.tables for fk in t.foreign_keys if fk.ddl
    )
    revision = new_revision_id()
    text = render_revision(
        revision,
        versions.head,
        message,
        upgrade_steps(mapping, creates, keys),
        downgrade_steps(mapping),
    )
    path = versions.folder / f"{revision}_unify_unified_models.py"
    try:
        versions.folder.mkdir(parents=True, exist_ok=True)
        # all or nothing, like every file unify writes (unify.journal)
        replace_files(
            versions.folder, [FileWrite(rel=path.name, data=text.encode())], command="migrate"
        )
    except OSError as exc:
        raise InputError(f"{versions.folder}: cannot write the revision ({reason(exc)})") from None
    return path, revision, versions.head


def check_target(url: URL, *, i_have_a_backup: bool) -> None:
    """Refuse to apply to a database ``unify restore`` did not make, unless the user says
    there is a backup."""
    if not (url.database or "").startswith("unify_") and not i_have_a_backup:
        raise InputError(
            f"{db.mask(url)}: not a copy made by `unify restore` (unify_*): migrate a restored "
            f"copy, or pass --i-have-a-backup to migrate this database"
        )


def apply_revision(
    url: URL,
    path: Path,
    schema: SchemaShape,
    mapping: DataMapping,
    *,
    i_have_a_backup: bool = False,
) -> MigrateResult:
    """Step 4: run the revision at ``path`` on ``url`` in one transaction; commit only a
    balanced ledger and a schema equal to the unified models'."""
    check_target(url, i_have_a_backup=i_have_a_backup)
    revision = applying.load_revision(path)
    rev, down = str(revision.revision), revision.down_revision
    engine = db.engine_for(url)
    try:
        with engine.connect() as conn:
            tx = conn.begin()
            current = applying.current_version(conn)
            if current == rev:
                tx.rollback()
                return MigrateResult(revision=rev, path=str(path), down_revision=down, at_head=True)
            if current != down:
                tx.rollback()
                raise InputError(
                    f"{db.mask(url)}: the database is at revision {current or '(none)'}, the "
                    f"revision files' head is {down or '(none)'}: upgrade the database first"
                )
            try:
                applying.run_upgrade(conn, revision)
                _fault("upgraded")
            except sa.exc.DBAPIError as exc:
                tx.rollback()
                message = reason(getattr(exc, "orig", None) or exc).removeprefix("unify: ")
                return MigrateResult(
                    revision=rev,
                    path=str(path),
                    down_revision=down,
                    findings=(applying.APPLY_FAILED.finding(message),),
                )
            ledger = applying.read_ledger(conn)
            counts = applying.table_counts(conn, ledger, mapping.created)
            findings = applying.schema_findings(conn, build_metadata(schema))
            result = MigrateResult(
                revision=rev,
                path=str(path),
                down_revision=down,
                ledger=ledger,
                counts=counts,
                findings=tuple(findings),
            )
            if not result.balanced:
                result = replace(
                    result,
                    findings=(
                        *findings,
                        applying.UNBALANCED.finding("the ledger does not balance (see the table)"),
                    ),
                )
            if result.findings:
                tx.rollback()
                return result
            applying.stamp(conn, rev, down)
            _fault("stamped")
            tx.commit()
            return replace(result, applied=True)
    except sa.exc.OperationalError as exc:
        raise db.connection_error(url, exc) from None
    finally:
        engine.dispose()


def _fault(point: str) -> None:
    """Test hook: ``UNIFY_FAULT_MIGRATE=POINT`` kills the process there (``upgraded``: after
    the upgrade ran; ``stamped``: just before the commit)."""
    if os.environ.get("UNIFY_FAULT_MIGRATE") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def offline_sql(path: Path) -> str:
    """The revision's upgrade as SQL (alembic's offline mode)."""
    return applying.offline_sql(applying.load_revision(path))


__all__ = [
    "RULES",
    "DatabaseError",
    "apply_revision",
    "offline_sql",
    "plan_migration",
    "write_revision",
]
