"""Benchmark ``unify verify``: its data checks on 10 million+ rows, and reflection of 1,000 tables.

    .venv/bin/python benchmarks/bench_verify.py                 # ~10M rows, 3 runs, a few minutes
    .venv/bin/python benchmarks/bench_verify.py --scale 0.1 --runs 1   # a quick look

Server: ``UNIFY_BENCH_DATABASE_URL`` (a server URL whose user may CREATE DATABASE), else the
local ``postgresql://postgres@127.0.0.1:5432/postgres``.  Databases are ``unify_bench_*`` and
dropped at the end (also on error or Ctrl-C).

1. **Data checks**: a database with an FK graph (organization <- users <- assessments <-
   results, competency <- results, organization <- learning_plans whose organization_id is
   still VARCHAR(36)), generated in SQL with ``generate_series``, with a few planted orphans.
   Reference: a hand-written anti-join per foreign key (``SELECT count(*) ... WHERE NOT EXISTS``),
   all run by one ``psql`` process.  Measured: unify's orphaned-rows checks (count + samples in
   one query each, the VARCHAR key cast as the migration would), run on a READ ONLY connection
   in this process; then every data check of ``unify verify`` and the whole ``unify verify``
   process, for scale.  Each side runs once untimed, then ``--runs`` times, alternating.
2. **Reflection**: ``MetaData.reflect`` of a 1,000-table schema (each table: 5 columns, a unique
   constraint, an FK to the previous table), in a fresh process, against ``pg_dump --schema-only``
   of the same database.

Results: ``benchmarks/RESULTS-verify.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    BenchmarkError,
    bench_env,
    describe_machine,
    machine_lines,
    markdown_table,
    write_results,
)
from unify import db, verify_fks
from unify.errors import UnifyError
from unify.models import Inventory, Plan
from unify.resolve import resolve_plan

NO_INVENTORY = Inventory(
    root=".", import_roots=(), modules=(), imports=(), findings=(), files_scanned=0
)

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = BENCH_DIR / "RESULTS-verify.md"

# table -> rows at --scale 1 (10.01 million in all)
ROWS = {
    "organization": 10_000,
    "competency": 100,
    "users": 1_000_000,
    "assessments": 3_000_000,
    "results": 5_000_000,
    "learning_plans": 1_000_000,
}

SCHEMA_SQL = """
CREATE UNLOGGED TABLE organization (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE UNLOGGED TABLE competency (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE UNLOGGED TABLE users (id integer PRIMARY KEY, username varchar(80) NOT NULL, organization_id integer);
CREATE UNLOGGED TABLE assessments (id integer PRIMARY KEY, user_id integer NOT NULL, organization_id integer);
CREATE UNLOGGED TABLE results (id integer PRIMARY KEY, assessment_id integer NOT NULL, competency_id integer NOT NULL, score integer);
CREATE UNLOGGED TABLE learning_plans (id integer PRIMARY KEY, organization_id varchar(36), title varchar(200));
INSERT INTO organization SELECT g, 'org ' || g FROM generate_series(1, {organization}) g;
INSERT INTO competency SELECT g, 'competency ' || g FROM generate_series(1, {competency}) g;
-- every (users/10)th user names a missing organization
INSERT INTO users SELECT g, 'user' || g,
    CASE WHEN g % {users_step} = 0 THEN {organization} + g ELSE 1 + g % {organization} END
    FROM generate_series(1, {users}) g;
-- every (assessments/10)th assessment names a missing user; the others carry their user's organization
INSERT INTO assessments SELECT g, u, 1 + u % {organization}
    FROM (SELECT g, CASE WHEN g % {assessments_step} = 0 THEN {users} + g ELSE 1 + (g * 7) % {users} END AS u
          FROM generate_series(1, {assessments}) g) s;
-- 10 results name a missing assessment, 7 a missing competency
INSERT INTO results SELECT g,
    CASE WHEN g % {results_step} = 0 THEN {assessments} + g ELSE 1 + (g * 13) % {assessments} END,
    CASE WHEN g % {results_step2} = 0 THEN {competency} + g ELSE 1 + g % {competency} END,
    g % 5
    FROM generate_series(1, {results}) g;
-- organization_id still VARCHAR(36): '0042'-style keys, a few missing, a few not numbers
INSERT INTO learning_plans SELECT g,
    CASE WHEN g % {plans_step2} = 0 THEN 'org-' || g
         WHEN g % {plans_step} = 0 THEN ({organization} + g)::text
         ELSE lpad((1 + g % {organization})::text, 4, '0') END,
    'plan ' || g
    FROM generate_series(1, {learning_plans}) g;
ANALYZE;
"""

UNIFIED_MODULE = """
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organization"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)


class Competency(Base):
    __tablename__ = "competency"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(80), nullable=False)
    organization_id = sa.Column(sa.Integer, sa.ForeignKey("organization.id"))


class Assessment(Base):
    __tablename__ = "assessments"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    organization_id = sa.Column(sa.Integer, sa.ForeignKey("organization.id"))


class Result(Base):
    __tablename__ = "results"
    id = sa.Column(sa.Integer, primary_key=True)
    assessment_id = sa.Column(sa.Integer, sa.ForeignKey("assessments.id"), nullable=False)
    competency_id = sa.Column(sa.Integer, sa.ForeignKey("competency.id"), nullable=False)
    score = sa.Column(sa.Integer)


class LearningPlan(Base):
    __tablename__ = "learning_plans"
    id = sa.Column(sa.Integer, primary_key=True)
    organization_id = sa.Column(sa.Integer, sa.ForeignKey("organization.id"))
    title = sa.Column(sa.String(200))
"""

INT_KEY = r"CASE WHEN c.organization_id ~ '^\s*[+-]?[0-9]{1,18}\s*$' THEN CAST(c.organization_id AS bigint) END"
ANTI_JOINS = [
    "SELECT count(*) FROM users c WHERE c.organization_id IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM organization p WHERE p.id = c.organization_id);",
    "SELECT count(*) FROM assessments c WHERE NOT EXISTS (SELECT 1 FROM users p WHERE p.id = c.user_id);",
    "SELECT count(*) FROM assessments c WHERE c.organization_id IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM organization p WHERE p.id = c.organization_id);",
    "SELECT count(*) FROM results c WHERE NOT EXISTS (SELECT 1 FROM assessments p WHERE p.id = c.assessment_id);",
    "SELECT count(*) FROM results c WHERE NOT EXISTS (SELECT 1 FROM competency p WHERE p.id = c.competency_id);",
    f"SELECT count(*) FROM learning_plans c WHERE {INT_KEY} IS NOT NULL AND NOT EXISTS "
    f"(SELECT 1 FROM organization p WHERE p.id = {INT_KEY});",
]


def server_url() -> URL:
    return db.parse_url(os.environ.get("UNIFY_BENCH_DATABASE_URL", LOCAL))


@contextmanager
def bench_database(server: URL, purpose: str) -> Iterator[URL]:
    """A ``unify_bench_*`` database, dropped at the end."""
    name = db.new_name(f"bench_{purpose}")
    url = db.create_database(server, name)
    try:
        yield url
    finally:
        db.drop_database(server, name)


def psql(url: URL, sql: str) -> float:
    """Run ``sql`` through one psql process; its wall time."""
    conninfo, env = db.libpq_url(url)
    start = time.perf_counter()
    proc = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
        input=sql,
        text=True,
        capture_output=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchmarkError(f"psql failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return elapsed


# ---------------------------------------------------------------------------
# 1. data checks
# ---------------------------------------------------------------------------


def generate(url: URL, scale: float) -> dict[str, int]:
    rows = {t: max(10, int(n * scale)) if t != "competency" else n for t, n in ROWS.items()}
    steps = {
        "users_step": rows["users"] // 10,
        "assessments_step": rows["assessments"] // 10,
        "results_step": rows["results"] // 10,
        "results_step2": rows["results"] // 7,
        "plans_step": rows["learning_plans"] // 5,
        "plans_step2": rows["learning_plans"] // 4,
    }
    print(f"generating {sum(rows.values()):,} rows ...", file=sys.stderr)
    took = psql(url, SCHEMA_SQL.format(**rows, **steps))
    print(f"  generated in {took:.1f}s", file=sys.stderr)
    return rows


def write_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.py").write_text(UNIFIED_MODULE, encoding="utf-8")
    (folder / "unify.toml").write_text(
        '[unify]\ntarget_module = "models"\ncompat_module = "models_compat"\nlegacy_modules = ["models"]\n',
        encoding="utf-8",
    )
    return folder


def unify_checks(
    url: URL, schema: verify_fks.SchemaShape, rule: str | None
) -> tuple[float, int, int]:
    """Wall time of unify's data checks (``rule`` only, or all), checks run, rows counted."""
    plan = Plan(
        path="bench",
        target_module="models",
        compat_module="models_compat",
        legacy_modules=(),
        classes=(),
    )
    with db.read_only(url, 3600) as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        resolved = resolve_plan(plan, NO_INVENTORY)
        tables = verify_fks.map_tables(schema, resolved, set(reflected.tables))
        checks = verify_fks.data_checks(schema, reflected, tables, 5)
        chosen = [c for c in checks if rule is None or c.rule == rule]
        start = time.perf_counter()
        found = verify_fks.run_checks(conn, chosen)
        elapsed = time.perf_counter() - start
    return elapsed, len(chosen), sum(f.count or 0 for f in found)


def bench_data_checks(server: URL, scale: float, runs: int, workdir: Path) -> list[str]:
    repo = write_repo(workdir / "verify_repo")
    with bench_database(server, "checks") as url:
        rows = generate(url, scale)
        schema = verify_fks.load_schema(repo, "models")
        if not isinstance(schema, verify_fks.SchemaShape):
            raise BenchmarkError(f"the benchmark module does not load: {schema.message}")
        reference_sql = "\n".join(ANTI_JOINS)
        psql(url, reference_sql)  # warm-up, untimed
        unify_checks(url, schema, "orphaned-rows")
        ref_times, unify_times = [], []
        orphans = checks = 0
        for _ in range(runs):
            ref_times.append(psql(url, reference_sql))
            took, checks, orphans = unify_checks(url, schema, "orphaned-rows")
            unify_times.append(took)
        all_took, all_checks, all_rows = unify_checks(url, schema, None)
        cli = [
            sys.executable,
            "-m",
            "unify",
            "verify",
            str(repo),
            "--plan",
            str(repo / "unify.toml"),
        ]
        cli += ["--database-url", db.libpq_url(url)[0], "--format", "json", "--timeout", "3600"]
        start = time.perf_counter()
        proc = subprocess.run(cli, capture_output=True, env=bench_env(), check=False)
        whole = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise BenchmarkError(
                f"unify verify exited {proc.returncode}: {proc.stderr.decode()[-300:]}"
            )
    return _data_section(
        rows, runs, ref_times, unify_times, checks, orphans, (all_took, all_checks, all_rows, whole)
    )


def _data_section(
    rows: dict[str, int],
    runs: int,
    ref: list[float],
    mine: list[float],
    checks: int,
    orphans: int,
    extra: tuple[float, int, int, float],
) -> list[str]:
    ref_med, mine_med = statistics.median(ref), statistics.median(mine)
    all_took, all_checks, all_rows, whole = extra
    table = markdown_table(
        ["what", "runs (s)", "median (s)", "ratio of medians", "best (s)", "ratio of bests"],
        [
            [
                "hand-written anti-joins, one psql process (6 FKs, count only)",
                _runs(ref),
                f"{ref_med:.2f}",
                "1.00",
                f"{min(ref):.2f}",
                "1.00",
            ],
            [
                f"unify orphaned-rows checks ({checks} FKs, count + 5 samples)",
                _runs(mine),
                f"{mine_med:.2f}",
                f"{mine_med / ref_med:.2f}",
                f"{min(mine):.2f}",
                f"{min(mine) / min(ref):.2f}",
            ],
        ],
    )
    return [
        "## Data checks on an FK graph",
        f"Rows: {sum(rows.values()):,} ({', '.join(f'{t} {n:,}' for t, n in rows.items())}); "
        f"{runs} timed run(s) per side after one untimed warm-up, alternating.",
        table,
        f"- Orphans found by unify: {orphans} rows (planted: 10 + 10 + 10 + 7 + 4; the 4 non-numeric keys are uncastable-values, not orphans).",
        f"- Every data check of `unify verify` ({all_checks} queries: orphans, uncastable values, "
        f"lengths, NOT NULL, UNIQUE, FK consistency joins): {all_took:.2f}s, {all_rows} rows flagged.",
        f"- The whole `unify verify` process (load, scratch create_all, reflect, alembic diff, "
        f"all checks): {whole:.2f}s.",
    ]


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# ---------------------------------------------------------------------------
# 2. reflection of 1,000 tables
# ---------------------------------------------------------------------------

REFLECT = (
    "import sys, time, sqlalchemy as sa\n"
    "e = sa.create_engine(sys.argv[1])\n"
    "t = time.perf_counter()\n"
    "with e.connect() as c:\n"
    "    m = sa.MetaData(); m.reflect(c)\n"
    "print(len(m.tables), time.perf_counter() - t)\n"
)


def many_tables_sql(count: int) -> str:
    lines = []
    for i in range(1, count + 1):
        parent = (
            f", parent_id integer REFERENCES t{i - 1:04d}(id)" if i > 1 else ", parent_id integer"
        )
        lines.append(
            f"CREATE TABLE t{i:04d} (id serial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, "
            f"score numeric(10, 2), created timestamp{parent});"
        )
    return "\n".join(lines)


def bench_reflection(server: URL, count: int, runs: int) -> list[str]:
    with bench_database(server, "reflect") as url:
        psql(url, many_tables_sql(count))
        sa_url = url.render_as_string(hide_password=False)
        conninfo, env = db.libpq_url(url)
        reflect_cmd = [sys.executable, "-c", REFLECT, sa_url]
        dump_cmd = ["pg_dump", "--schema-only", "-d", conninfo]
        _timed(reflect_cmd, env)
        _timed(dump_cmd, env)
        reflect_runs, dump_runs, inner = [], [], []
        for _ in range(runs):
            took, out = _timed(reflect_cmd, env)
            reflect_runs.append(took)
            tables, seconds = out.split()
            inner.append(float(seconds))
            dump_runs.append(_timed(dump_cmd, env)[0])
    med_reflect, med_dump = statistics.median(reflect_runs), statistics.median(dump_runs)
    return [
        f"## Reflection of a {count:,}-table schema",
        f"Each table: 5 columns, a UNIQUE constraint, an FK to the previous table. {runs} timed run(s).",
        markdown_table(
            ["what", "runs (s)", "median (s)", "ratio"],
            [
                ["`pg_dump --schema-only` (process)", _runs(dump_runs), f"{med_dump:.2f}", "1.00"],
                [
                    f"`MetaData.reflect` of {tables} tables (process)",
                    _runs(reflect_runs),
                    f"{med_reflect:.2f}",
                    f"{med_reflect / med_dump:.2f}",
                ],
                [
                    "`MetaData.reflect` alone (in the process)",
                    _runs(inner),
                    f"{statistics.median(inner):.2f}",
                    f"{statistics.median(inner) / med_dump:.2f}",
                ],
            ],
        ),
    ]


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchmarkError(f"{cmd[0]} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return elapsed, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="row count factor (1.0: 10M rows)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    server = server_url()
    try:
        with tempfile.TemporaryDirectory(dir=_workdir()) as tmp:
            data = bench_data_checks(server, args.scale, args.runs, Path(tmp))
        reflection = bench_reflection(server, args.tables, args.runs)
    except (BenchmarkError, UnifyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    intro = ["PostgreSQL: " + _server_version(server), *machine_lines(describe_machine())]
    intro.append(
        f"- Load average at the end (1/5/15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    path = write_results(
        args.output,
        "unify verify benchmark",
        ["\n".join(intro), *map("\n\n".join, (data, reflection))],
    )
    print(path.read_text(encoding="utf-8"))
    return 0


def _workdir() -> Path:
    DEFAULT_WORKDIR.mkdir(parents=True, exist_ok=True)
    return DEFAULT_WORKDIR


def _server_version(server: URL) -> str:
    engine = db.engine_for(server)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
