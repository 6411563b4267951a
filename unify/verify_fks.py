"""Verify the unified schema against a restored database: the stage, in order.

0. **built** (``mapping.load.check_built``, called by the command line first): refuse a tree
   whose unified module ``unify build`` has not written.
1. **load** (``mapping.load``): import the unified module in a subprocess and read its metadata
   as shapes; the parent never imports user code (``mapping.metadata`` rebuilds a ``MetaData``);
   then refuse a database that holds none of the app's tables (``check_target``).
2. **scratch** (``verify.scratch``): ``create_all`` on a database unify creates and drops, then
   inspect every foreign key: target table and columns exist, column types equal.
3. **compare**, inside one READ ONLY transaction with a statement timeout: reflect the restored
   database, pair its tables with the unified ones through the resolved plan
   (``mapping.tables``), diff the schema with alembic and compare foreign keys as signatures
   (``verify.drift``), then run the data checks in SQL (``verify.checks``: counts and a few
   samples, never rows loaded into Python).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify import db
from unify.errors import InputError
from unify.mapping.conversion import Conversion, convert
from unify.mapping.data import data_mapping
from unify.mapping.load import LOAD_FAILED, check_built, load_schema
from unify.mapping.metadata import build_metadata
from unify.mapping.tables import TableMap, app_tables, map_tables
from unify.models import (
    Finding,
    ResolvedPlan,
    Rule,
    SchemaShape,
    ScratchKind,
    VerifyResult,
    rule_catalogue,
)
from unify.verify.checks import RULES as DATA_CHECK_RULES
from unify.verify.checks import Check, data_checks, run_checks
from unify.verify.drift import SCHEMA_DRIFT, compare_foreign_keys, schema_drift
from unify.verify.scratch import FK_MISSING_TARGET, FK_TYPE_MISMATCH, inspect_foreign_keys

RULES: dict[str, Rule] = rule_catalogue(
    LOAD_FAILED, FK_MISSING_TARGET, FK_TYPE_MISMATCH, SCHEMA_DRIFT, *DATA_CHECK_RULES
)


def verify(
    repo: Path,
    resolved: ResolvedPlan,
    database_url: URL,
    *,
    scratch: ScratchKind = "postgres",
    timeout: float = 300.0,
    samples: int = 5,
    python: str = sys.executable,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyResult:
    """Run the three steps against the restored database at ``database_url``;
    ``progress(done, total)`` is called as the data checks run."""
    plan = resolved.plan
    db.ping(database_url)
    loaded = load_schema(repo, plan.target_module, python=python)
    masked = db.mask(database_url)
    if isinstance(loaded, Finding):
        return VerifyResult(
            module=plan.target_module,
            database=masked,
            schema=None,
            inspection=None,
            findings=(loaded,),
        )
    check_target(database_url, loaded, resolved, timeout=timeout)
    with db.scratch_database(database_url.set(database="postgres"), "verify", scratch) as target:
        inspection = inspect_foreign_keys(loaded, target)
    comparison = compare_database(
        database_url, loaded, resolved, timeout=timeout, samples=samples, progress=progress
    )
    return VerifyResult(
        module=plan.target_module,
        database=masked,
        schema=loaded,
        inspection=inspection,
        findings=inspection.findings + comparison.findings,
        tables_compared=comparison.tables_compared,
        checks_run=comparison.checks_run,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """What the read-only comparison found, and how much it compared."""

    findings: tuple[Finding, ...]
    tables_compared: int
    checks_run: int


def check_target(url: URL, schema: SchemaShape, resolved: ResolvedPlan, *, timeout: float) -> None:
    """Refuse a database that holds neither a unified table nor a legacy table the plan maps
    to one (the server's ``postgres`` database given by mistake), naming the restored
    ``unify_*`` databases of the server."""
    wanted = app_tables(schema, resolved)
    with db.read_only(url, timeout) as conn:
        if wanted & set(sa.inspect(conn).get_table_names()):
            return
        restored = conn.execute(sa.text(db.RESTORED_DATABASES)).scalars().all()
    hint = (
        f"did you mean {' or '.join(restored)}?"
        if restored
        else "give the database that `unify restore` printed"
    )
    raise InputError(f"{db.mask(url)}: this database has none of the app's tables: {hint}")


def compare_database(
    url: URL,
    schema: SchemaShape,
    resolved: ResolvedPlan,
    *,
    timeout: float,
    samples: int,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Schema diff, foreign keys and data checks, all inside one read-only transaction."""
    with db.read_only(url, timeout) as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        tables = map_tables(schema, resolved, set(reflected.tables))
        findings = schema_drift(conn, schema, tables)
        findings += compare_foreign_keys(schema, reflected, tables)
        mapping = data_mapping(resolved, schema, reflected)
        queries = data_checks(schema, reflected, tables, samples, mapping)
        findings += run_checks(conn, queries, progress)
    return Comparison(
        findings=tuple(findings), tables_compared=len(tables.to_db), checks_run=len(queries)
    )


__all__ = [
    "RULES",
    "Check",
    "Comparison",
    "Conversion",
    "SchemaShape",
    "TableMap",
    "build_metadata",
    "check_built",
    "check_target",
    "compare_database",
    "convert",
    "data_checks",
    "load_schema",
    "map_tables",
    "run_checks",
    "verify",
]
