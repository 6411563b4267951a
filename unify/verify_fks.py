"""Verify the unified schema against a restored database: the stage, in order.

1. **load** (``verify.load``): import the unified module in a subprocess and read its metadata
   as shapes; the parent never imports user code (``verify.metadata`` rebuilds a ``MetaData``).
2. **scratch** (``verify.scratch``): ``create_all`` on a database unify creates and drops, then
   inspect every foreign key: target table and columns exist, column types equal.
3. **compare**, inside one READ ONLY transaction with a statement timeout: reflect the restored
   database, pair its tables with the unified ones through the resolved plan
   (``verify.tables``), diff the schema with alembic and compare foreign keys as signatures
   (``verify.drift``), then run the data checks in SQL (``verify.checks``: counts and a few
   samples, never rows loaded into Python).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify import db
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
from unify.verify.conversion import Conversion, convert
from unify.verify.drift import SCHEMA_DRIFT, compare_foreign_keys, schema_drift
from unify.verify.load import LOAD_FAILED, load_schema
from unify.verify.metadata import build_metadata
from unify.verify.scratch import FK_MISSING_TARGET, FK_TYPE_MISMATCH, inspect_foreign_keys
from unify.verify.tables import TableMap, map_tables

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
) -> VerifyResult:
    """Run the three steps against the restored database at ``database_url``."""
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
    with db.scratch_database(database_url.set(database="postgres"), "verify", scratch) as target:
        inspection = inspect_foreign_keys(loaded, target)
    comparison = compare_database(database_url, loaded, resolved, timeout=timeout, samples=samples)
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


def compare_database(
    url: URL, schema: SchemaShape, resolved: ResolvedPlan, *, timeout: float, samples: int
) -> Comparison:
    """Schema diff, foreign keys and data checks, all inside one read-only transaction."""
    with db.read_only(url, timeout) as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        tables = map_tables(schema, resolved, set(reflected.tables))
        findings = schema_drift(conn, schema, tables)
        findings += compare_foreign_keys(schema, reflected, tables)
        queries = data_checks(schema, reflected, tables, samples)
        findings += run_checks(conn, queries)
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
    "compare_database",
    "convert",
    "data_checks",
    "load_schema",
    "map_tables",
    "run_checks",
    "verify",
]
