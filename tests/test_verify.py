"""``unify verify`` on a real PostgreSQL: a planted legacy database, dumped with pg_dump and
restored with ``unify restore``, must be reported exactly as planted."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import run_unify
from pgtools import admin, drop, libpq, tool, unify_databases
from sqlalchemy.engine import URL

from unify import db, verify_fks
from unify.analyze import analyze_repo
from unify.decisions import load_plan
from unify.errors import DatabaseError, InputError
from unify.models import (
    ColumnShape,
    Finding,
    Inventory,
    Plan,
    ResolvedPlan,
    SchemaShape,
    Severity,
    TableRename,
    TableShape,
)
from unify.resolve import resolve_plan

pytestmark = pytest.mark.postgres

ASSETS = Path(__file__).parent / "assets" / "verify"
UNIFIED = ASSETS / "unified"
PLAN_FILE = UNIFIED / "unify.toml"
NO_INVENTORY = Inventory(
    root=".", import_roots=(), modules=(), imports=(), findings=(), files_scanned=0
)

# (rule, table, column) -> rows: everything tests/assets/verify/legacy.sql plants
PLANTED = {
    ("orphaned-rows", "competency_assessment_result", "competency_id"): 2,
    ("orphaned-rows", "maturity_assessments", "organization_id"): 1,
    ("uncastable-values", "maturity_assessments", "organization_id"): 1,
    ("value-too-long", "learning_objectives", "objective_text"): 3,
    ("not-null-violation", "questionnaires", "title"): 2,
    ("unique-violation", "app_user", "username"): 2,
    ("merge-collision", "mvp_users", "username"): 1,
    ("merge-collision", "mvp_users", "email"): 1,
    ("orphaned-rows", "mvp_users", "organization_id"): 1,
}
UNIFIED_FKS = [
    "app_user.organization_id -> organization.id",
    "assessments.organization_id -> organization.id",
    "assessments.role_cluster_id -> role_cluster.id",
    "assessments.user_id -> users.id",
    "competency_assessment_result.competency_id -> competency.id",
    "competency_assessment_result.user_id -> app_user.id",
    "learning_objectives.assessment_id -> assessments.id",
    "maturity_assessments.organization_id -> organization.id",
    "users.organization_id -> organization.id",
]


@pytest.fixture(scope="module")
def dumps(server: URL, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The planted legacy database dumped by pg_dump, plain and custom format."""
    name = f"unify_test_src_{uuid.uuid4().hex[:8]}"
    admin(server, f'CREATE DATABASE "{name}"')
    folder = tmp_path_factory.mktemp("dumps")
    try:
        source = libpq(server.set(database=name))
        psql = [
            tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            source,
            "-f",
            str(ASSETS / "legacy.sql"),
        ]
        subprocess.run(psql, check=True, capture_output=True)
        out = {"plain": folder / "legacy.sql", "custom": folder / "legacy.dump"}
        subprocess.run([tool("pg_dump"), "-Fp", "-f", str(out["plain"]), source], check=True)
        subprocess.run([tool("pg_dump"), "-Fc", "-f", str(out["custom"]), source], check=True)
    finally:
        drop(server, name)
    return out


@pytest.fixture(scope="module")
def restored(server: URL, dumps: dict[str, Path]) -> Iterator[URL]:
    """The custom-format dump restored by ``unify restore`` into ``unify_test_*``."""
    name = f"test_restored_{uuid.uuid4().hex[:8]}"
    proc = run_unify("restore", str(dumps["custom"]), "--database-url", libpq(server), "--name", name)
    assert proc.returncode == 0, proc.stderr
    url = db.parse_url(proc.stdout.strip())
    assert url.database == f"unify_{name}"
    try:
        yield url
    finally:
        drop(server, f"unify_{name}")


@pytest.fixture(scope="module")
def plan() -> ResolvedPlan:
    return resolve_plan(load_plan(PLAN_FILE), analyze_repo(UNIFIED))


def planted(findings: object) -> dict[tuple[str, str | None, str | None], int | None]:
    return {
        (f.rule, f.table, f.column): f.count
        for f in findings  # type: ignore[attr-defined]
        if f.severity is Severity.ERROR
    }


def test_verify_reports_exactly_what_was_planted(restored: URL, plan: ResolvedPlan, server: URL) -> None:
    before = unify_databases(server)
    result = verify_fks.verify(UNIFIED, plan, restored, scratch="postgres", samples=3)
    assert planted(result.findings) == PLANTED
    # a row that disagrees with its parent is carried as it is: a warning, not a block
    warned = {(f.rule, f.table, f.column): f.count for f in result.findings if f.severity is Severity.WARNING}
    assert warned["fk-inconsistent", "assessments", "organization_id"] == 1
    assert unify_databases(server) == before  # the scratch database is gone
    by_key = {(f.rule, f.table, f.column): f for f in result.findings}
    assert by_key["orphaned-rows", "competency_assessment_result", "competency_id"].samples == (
        "2: 999",
        "3: 999",
    )
    # '04' finds organization 4 once cast; 'abc' is uncastable, not an orphan
    assert by_key["orphaned-rows", "maturity_assessments", "organization_id"].samples == ("3: 99",)
    assert by_key["uncastable-values", "maturity_assessments", "organization_id"].samples == (
        "4: abc",
    )
    assert by_key["fk-inconsistent", "assessments", "organization_id"].samples == ("3: 2 <> 1",)


def test_schema_drift_is_reported_by_name(restored: URL, plan: ResolvedPlan) -> None:
    result = verify_fks.verify(UNIFIED, plan, restored, scratch="sqlite")
    drift = {f.message for f in result.findings if f.rule == "schema-drift"}
    assert (
        "maturity_assessments.organization_id: type VARCHAR(36) in the database, INTEGER in the unified schema"
        in drift
    )
    assert (
        "learning_objectives.objective_text: type TEXT in the database, VARCHAR(200) in the unified schema"
        in drift
    )
    assert any(
        "questionnaires (questionnaire in the unified schema).title: NULL" in m for m in drift
    )
    # an option change is "changed", not a drop plus an add
    assert (
        "FK assessments.organization_id -> organization.id changed: ondelete NO ACTION -> CASCADE"
        in drift
    )
    missing = {m for m in drift if "is not in the database; the migration adds it" in m}
    assert len(missing) == 3
    assert any(f.severity is Severity.INFO and f.table == "mvp_users" for f in result.findings)
    assert all(
        f.severity is not Severity.ERROR for f in result.findings if f.rule == "schema-drift"
    )


def test_fk_inspection_report_on_both_scratch_backends(restored: URL, plan: ResolvedPlan) -> None:
    for kind in ("postgres", "sqlite"):
        result = verify_fks.verify(UNIFIED, plan, restored, scratch=kind)  # type: ignore[arg-type]
        assert result.inspection is not None
        assert result.inspection.backend == kind
        assert result.inspection.table_count == 10
        assert [fk.line for fk in result.inspection.foreign_keys] == UNIFIED_FKS
        assert result.inspection.findings == ()


def test_cli_json_exit_1_and_every_finding_documented(restored: URL, server: URL) -> None:
    before = unify_databases(server)
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(restored),
        "--format",
        "json",
        "--samples",
        "2",
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ready"] is False
    assert report["scratch"] == {"backend": "postgres", "tables": 10, "foreign_keys": UNIFIED_FKS}
    errors = {
        (f["rule"], f["table"], f["column"]): f["count"]
        for f in report["findings"]
        if f["severity"] == "error"
    }
    assert errors == PLANTED
    for f in report["findings"]:
        assert {"rule", "severity", "table", "column", "count", "samples", "message"} <= f.keys()
        assert len(f["samples"]) <= 2
    assert unify_databases(server) == before


def test_cli_terminal_prints_the_phase_4_1_report(restored: URL) -> None:
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(restored),
        "--scratch",
        "sqlite",
    )
    assert proc.returncode == 1
    assert "Created 10 tables on a scratch sqlite database" in proc.stdout
    for line in UNIFIED_FKS:
        assert f"  {line}\n" in proc.stdout
    assert "NOT READY: 9 finding(s) block" in proc.stdout  # fk-inconsistent warns


def test_cli_markdown(restored: URL) -> None:
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(restored),
        "--scratch",
        "sqlite",
        "--format",
        "markdown",
    )
    assert proc.returncode == 1
    assert (
        "| error | orphaned-rows | `competency_assessment_result.competency_id` | 2 |"
        in proc.stdout
    )
    assert "- `users.organization_id -> organization.id`" in proc.stdout


@pytest.fixture
def select_only_role(server: URL, restored: URL) -> Iterator[URL]:
    """A login role that may only SELECT in the restored database."""
    role = f"unify_test_ro_{uuid.uuid4().hex[:8]}"
    admin(
        server, f"CREATE ROLE {role} LOGIN PASSWORD 'ro-secret' NOSUPERUSER NOCREATEDB NOCREATEROLE"
    )
    database = restored.database
    admin(
        restored,
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    )
    try:
        yield restored.set(username=role, password="ro-secret")
    finally:
        admin(restored, f"DROP OWNED BY {role}")
        admin(
            server,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'",
        )
        admin(server, f'REVOKE ALL ON DATABASE "{database}" FROM {role}', f"DROP ROLE {role}")


def table_stats(url: URL) -> dict[str, tuple[int, int, int]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            rows = conn.execute(
                sa.text("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables")
            )
            return {r[0]: (r[1], r[2], r[3]) for r in rows}
    finally:
        engine.dispose()


def test_verify_writes_nothing_as_a_select_only_role(select_only_role: URL, restored: URL) -> None:
    before = table_stats(restored)
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(select_only_role),
        "--scratch",
        "sqlite",
        "--format",
        "json",
    )
    assert proc.returncode == 1, proc.stderr
    errors = {
        (f["rule"], f["table"], f["column"]): f["count"]
        for f in json.loads(proc.stdout)["findings"]
        if f["severity"] == "error"
    }
    assert errors == PLANTED
    assert "ro-secret" not in proc.stdout + proc.stderr
    assert table_stats(restored) == before


def test_read_only_session_refuses_writes(restored: URL) -> None:
    with (
        db.read_only(restored, 5) as conn,
        pytest.raises(sa.exc.InternalError, match="read-only transaction"),
    ):
        conn.execute(sa.text("DELETE FROM users"))


def test_statement_timeout_is_one_line(restored: URL) -> None:
    with (
        pytest.raises(DatabaseError, match=r"ran longer than --timeout 1s; raise --timeout$"),
        db.read_only(restored, 1) as conn,
    ):
        conn.execute(sa.text("SELECT pg_sleep(3)"))


def test_clean_database_is_ready(pg_database: URL, plan: ResolvedPlan) -> None:
    """A database already in the unified shape, with consistent rows: exit 0, no finding."""
    url = db.parse_url(pg_database)
    schema = verify_fks.load_schema(UNIFIED, "models")
    assert not isinstance(schema, Finding)
    engine = sa.create_engine(url)
    verify_fks.build_metadata(schema).create_all(engine)  # the test's own database
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO organization VALUES (1, 'Acme', 'A')"))
        conn.execute(sa.text("INSERT INTO users VALUES (1, 'bob', 'b@x', 'h', 1)"))
        conn.execute(sa.text("INSERT INTO assessments VALUES (1, 1, 1, NULL)"))
    engine.dispose()
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(url),
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["ready"] is True
    assert report["findings"] == []


def write_module(folder: Path, body: str) -> Path:
    """A built tree: the unified module ``models`` with ``body``, and its compat module."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models_compat.py").write_text("from models import *  # noqa: F403\n")
    (folder / "models.py").write_text(
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n" + body
    )
    return folder


BROKEN_FKS = """
class Org(Base):
    __tablename__ = "organization"
    id = sa.Column(sa.Integer, primary_key=True)

class Member(Base):
    __tablename__ = "member"
    id = sa.Column(sa.Integer, primary_key=True)
    organization_id = sa.Column(sa.String(36), sa.ForeignKey("organization.id"))
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id"))
"""


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_broken_foreign_keys_are_findings_not_crashes(
    tmp_path: Path, pg_database: URL, plan: ResolvedPlan, kind: str
) -> None:
    repo = write_module(tmp_path / "repo", BROKEN_FKS)
    admin(pg_database, "CREATE TABLE organization (id integer)")  # one of the app's tables
    result = verify_fks.verify(repo, plan, db.parse_url(pg_database), scratch=kind)  # type: ignore[arg-type]
    rules = {(f.rule, f.table, f.column) for f in result.inspection.findings}  # type: ignore[union-attr]
    assert rules == {
        ("fk-type-mismatch", "member", "organization_id"),
        ("fk-missing-target", "member", "team_id"),
    }
    assert result.inspection is not None and result.inspection.table_count == 2


def test_a_module_that_does_not_import_is_a_finding(
    tmp_path: Path, pg_database: URL, plan: ResolvedPlan
) -> None:
    repo = write_module(tmp_path / "repo", "import not_installed_anywhere\n")
    result = verify_fks.verify(repo, plan, db.parse_url(pg_database))
    assert [f.rule for f in result.findings] == ["load-failed"]
    assert "No module named 'not_installed_anywhere'" in result.findings[0].message
    assert result.inspection is None


def test_missing_module_is_an_input_error(tmp_path: Path, pg_database: URL, plan: ResolvedPlan) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_unify(
        "verify",
        str(tmp_path / "empty"),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(pg_database),
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("module models not found (run `unify build` first?)")


def test_unreachable_database_is_one_line_with_masked_password() -> None:
    proc = run_unify(
        "verify",
        str(UNIFIED),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        "postgresql://someone:hunter2@127.0.0.1:1/legacy",
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: postgresql+psycopg2://someone:***@127.0.0.1:1/legacy: ")
    assert "hunter2" not in proc.stderr


def test_scratch_database_is_dropped_on_failure(server: URL) -> None:
    before = unify_databases(server)
    with (
        pytest.raises(KeyboardInterrupt),
        db.scratch_database(server, "verify", "postgres") as scratch,
    ):
        assert scratch.url.database in unify_databases(server)
        raise KeyboardInterrupt
    assert unify_databases(server) == before


def test_unify_never_drops_a_database_it_did_not_name(server: URL) -> None:
    with pytest.raises(InputError, match="unify drops only unify_"):
        db.drop_database(server, "postgres")
    with pytest.raises(InputError, match="unify creates only unify_"):
        db.create_database(server, "legacy")


def test_scratch_container_without_docker_is_one_line(server: URL) -> None:
    if db.docker_available():
        pytest.skip("a Docker engine is running here")
    with (
        pytest.raises(DatabaseError, match="needs a running Docker engine"),
        db.scratch_database(server, "verify", "container"),
    ):
        pass


def test_select_only_role_needs_sqlite_scratch(select_only_role: URL) -> None:
    proc = run_unify(
        "verify", str(UNIFIED), "--plan", str(PLAN_FILE), "--database-url", libpq(select_only_role)
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "permission denied to create database" in lines[0]
    assert lines[0].endswith("(no scratch database: try --scratch sqlite)")
    assert "ro-secret" not in proc.stderr


def test_postgres_only_types_on_sqlite_scratch_are_one_line(
    tmp_path: Path, pg_database: URL
) -> None:
    repo = write_module(
        tmp_path / "repo",
        "from sqlalchemy.dialects import postgresql\n\n"
        "class Tagged(Base):\n    __tablename__ = 'tagged'\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    tags = sa.Column(postgresql.ARRAY(sa.String(20)))\n",
    )
    admin(pg_database, "CREATE TABLE tagged (id integer PRIMARY KEY, tags varchar(20)[])")
    proc = run_unify(
        "verify",
        str(repo),
        "--plan",
        str(PLAN_FILE),
        "--database-url",
        libpq(pg_database),
        "--scratch",
        "sqlite",
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: the unified schema cannot be created on sqlite: ")
    # on a PostgreSQL scratch database the same module verifies
    ok = run_unify(
        "verify", str(repo), "--plan", str(PLAN_FILE), "--database-url", libpq(pg_database)
    )
    assert ok.returncode == 0, ok.stderr


CONVERSIONS = [
    # (source type, target type, literal, value after conversion, converts)
    (sa.String(36), sa.Integer(), "' 04 '", "4", True),
    (sa.String(36), sa.Integer(), "'+7'", "7", True),
    (sa.String(36), sa.Integer(), "'2147483648'", "2147483648", False),  # out of int4 range
    (sa.String(36), sa.BigInteger(), "'2147483648'", "2147483648", True),
    (sa.String(36), sa.Integer(), "'abc'", None, False),
    (sa.String(36), sa.Integer(), "'1.5'", None, False),
    (sa.String(36), sa.Integer(), "''", None, False),
    (sa.Numeric(10, 2), sa.Integer(), "CAST(3.00 AS numeric)", "3", True),
    (sa.Numeric(10, 2), sa.Integer(), "CAST(3.50 AS numeric)", None, False),
    (sa.BigInteger(), sa.Integer(), "CAST(5000000000 AS bigint)", "5000000000", False),
    (
        sa.String(36),
        sa.Uuid(),
        "'3F2C9A7E-0D1B-4C55-9E0A-7B1D2C3E4F50'",
        "3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50",
        True,
    ),
    (sa.String(36), sa.Uuid(), "'not-a-uuid'", None, False),
    (sa.String(36), sa.Numeric(), "'1e3'", "1000", True),
    (sa.Integer(), sa.String(10), "CAST(42 AS integer)", "42", True),
]


@pytest.mark.parametrize(("source", "target", "literal", "value", "converts"), CONVERSIONS)
def test_conversions_as_the_migration_casts(
    server: URL,
    source: sa.types.TypeEngine[object],
    target: sa.types.TypeEngine[object],
    literal: str,
    value: str | None,
    converts: bool,
) -> None:
    conversion = verify_fks.convert("v.x", source, target)
    assert conversion is not None
    guard = conversion.guard or "TRUE"
    # a column, not a literal: PostgreSQL folds constant casts even in CASE branches not taken
    sql = f"SELECT CAST({conversion.value} AS text), COALESCE({guard}, false) FROM unnest(ARRAY[{literal}]) AS v(x)"
    with db.read_only(server, 5) as conn:
        got, ok = conn.execute(sa.text(sql)).one()
    if value is not None and got is not None and "." in got:
        got = str(int(float(got))) if float(got).is_integer() else got
    assert (got, ok) == (value, converts)


def test_a_renamed_table_the_database_also_has_is_merged() -> None:
    column = ColumnShape(
        name="id",
        type="Integer()",
        type_class="sqlalchemy.sql.sqltypes.Integer",
        sql_type="INTEGER",
        primary_key=True,
    )
    schema = SchemaShape(
        module="models", tables=(TableShape(name="organization", columns=(column,)),)
    )
    plan = Plan(
        path="unify.toml",
        target_module="models",
        compat_module="models_compat",
        legacy_modules=(),
        classes=(),
        tables=(TableRename(old="organizations", new="organization"),),
    )
    resolved = resolve_plan(plan, NO_INVENTORY)
    only_old = verify_fks.map_tables(schema, resolved, {"organizations"})
    assert only_old.to_db == {"organization": "organizations"}
    assert only_old.absorbed == {}
    both = verify_fks.map_tables(schema, resolved, {"organization", "organizations"})
    assert both.to_db == {"organization": "organization"}
    assert both.absorbed == {"organization": ("organizations",)}
    assert both.to_unified == {"organization": "organization", "organizations": "organization"}


def test_a_module_without_tables_is_a_finding(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "models.py").write_text("print('hello from the app')\nVALUE = 1\n")
    loaded = verify_fks.load_schema(repo, "models")
    assert isinstance(loaded, Finding)
    assert loaded.message == "models imports but defines no mapped table (no MetaData found)"


def test_the_unified_module_loads_with_the_apps_interpreter(tmp_path: Path) -> None:
    """``--python``: the module is imported by the interpreter given (the app's venv), not
    by unify's own (a pipx install, say)."""
    repo = write_module(tmp_path / "repo", BROKEN_FKS)
    marker = tmp_path / "called"
    python = tmp_path / "app-python"
    python.write_text(f'#!/bin/sh\necho "$@" > {marker}\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    loaded = verify_fks.load_schema(repo, "models", python=str(python))
    assert isinstance(loaded, SchemaShape)
    assert {t.name for t in loaded.tables} == {"member", "organization"}
    assert marker.read_text().startswith("-c ")


# ---------------------------------------------------------------------------
# issue 10: never READY on the wrong database or an unbuilt tree; the summary counts all
# ---------------------------------------------------------------------------


def test_a_database_without_the_apps_tables_is_one_line(
    pg_database: URL, restored: URL, plan: ResolvedPlan
) -> None:
    """The server's ``postgres`` database given by mistake: an error naming the restored
    ``unify_*`` databases, not READY."""
    proc = run_unify(
        "verify", str(UNIFIED), "--plan", str(PLAN_FILE), "--database-url", libpq(pg_database)
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "READY" not in proc.stdout
    assert "this database has none of the app's tables" in lines[0]
    assert "did you mean unify_" in lines[0]  # the restored databases on the server
    with pytest.raises(InputError, match="none of the app's tables"):
        verify_fks.verify(UNIFIED, plan, db.parse_url(pg_database))


def test_an_unbuilt_tree_is_refused(example_copy: Path, restored: URL) -> None:
    proc = run_unify(
        "verify",
        str(example_copy),
        "--plan",
        str(example_copy / "unify.toml"),
        "--database-url",
        libpq(restored),
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `unify build" in lines[0], lines
    assert proc.stdout == ""


def test_summary_counts_every_finding_printed(restored: URL) -> None:
    for fmt in ("table", "concise"):
        proc = run_unify(
            "verify",
            str(UNIFIED),
            "--plan",
            str(PLAN_FILE),
            "--database-url",
            libpq(restored),
            "--scratch",
            "sqlite",
            "--format",
            fmt,
        )
        assert proc.returncode == 1
        lines = proc.stdout.strip().splitlines()
        assert lines[-2].startswith("9 error(s), "), lines[-2:]
        assert lines[-1].startswith("NOT READY: 9 finding(s) block")
    concise = proc.stdout.splitlines()
    assert "competency_assessment_result.competency_id: V301 [orphaned-rows] " in "\n".join(concise)
    assert any(line.endswith("(2)") and "competency_assessment_result" in line for line in concise)
