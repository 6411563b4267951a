"""Benchmark ``unify verify``: its data checks on 10 million+ rows, and reflection of 1,000 tables.

    .venv/bin/python benchmarks/bench_verify.py                 # ~10M rows, 5 rounds
    .venv/bin/python benchmarks/bench_verify.py --scale 0.1 --runs 1   # a quick look

Server: ``UNIFY_BENCH_DATABASE_URL`` (a server URL whose user may CREATE DATABASE), else the
local ``postgresql://postgres@127.0.0.1:5432/postgres``.  Databases are ``unify_bench_*`` and
dropped at the end (also on error or Ctrl-C).

Every figure is a whole process timed from the outside the same way on both sides (start-up
and connecting included), each command run once untimed, then ``--runs`` rounds in which the
commands alternate; medians of wall time and of the process's CPU time (with its children).

1. **Data checks**: a database with an FK graph (organization <- users <- assessments <-
   results, competency <- results, organization <- learning_plans whose organization_id is
   still VARCHAR(36)), generated in SQL with ``generate_series``, with a few planted orphans.
   Reference: a hand-written anti-join per foreign key (``SELECT count(*) ... WHERE NOT EXISTS``),
   all run by one ``psql`` process.  Measured: a Python process that loads the unified module,
   connects, reflects and runs unify's orphaned-rows checks (count + samples in one query each,
   the VARCHAR key cast as the migration would) on a READ ONLY connection; the same process
   running every data check; and the whole ``unify verify`` CLI process, for scale.
2. **Reflection**: a Python process running ``MetaData.reflect`` of a 1,000-table schema (each
   table: 5 columns, a unique constraint, an FK to the previous table), against
   ``pg_dump --schema-only`` of the same database.

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
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    BenchmarkError,
    Timing,
    bench_env,
    describe_machine,
    interleaved_timings,
    machine_lines,
    markdown_table,
    write_results,
)
from unify import db
from unify.errors import UnifyError

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


# One whole unify process per run, timed like the psql process it is compared with: interpreter
# start-up, imports, loading the unified module (a subprocess, as `unify verify` does),
# connecting, reflecting, mapping the tables, building the checks and running those of RULE
# ("all": every data check).  It prints the checks run and the rows they flagged.
CHECKS_PROCESS = r"""
import sys
from pathlib import Path
import sqlalchemy as sa
from unify import db, verify_fks
from unify.models import Inventory, Plan
from unify.resolve import resolve_plan

repo, url, rule = Path(sys.argv[1]), db.parse_url(sys.argv[2]), sys.argv[3]
schema = verify_fks.load_schema(repo, "models")
if not isinstance(schema, verify_fks.SchemaShape):
    sys.exit(f"the benchmark module does not load: {schema.message}")
plan = Plan(path="bench", target_module="models", compat_module="models_compat",
            legacy_modules=(), classes=())
inventory = Inventory(root=".", import_roots=(), modules=(), imports=(), findings=(),
                      files_scanned=0)
with db.read_only(url, 3600) as conn:
    reflected = sa.MetaData()
    reflected.reflect(conn)
    tables = verify_fks.map_tables(schema, resolve_plan(plan, inventory), set(reflected.tables))
    checks = [c for c in verify_fks.data_checks(schema, reflected, tables, 5)
              if rule == "all" or c.rule.name == rule]
    found = verify_fks.run_checks(conn, checks)
print(len(checks), sum(f.count or 0 for f in found))
"""


@dataclass(frozen=True, slots=True)
class Side:
    """One whole-process command of the comparison."""

    label: str
    cmd: list[str]


def bench_data_checks(server: URL, scale: float, runs: int, workdir: Path) -> list[str]:
    repo = write_repo(workdir / "verify_repo")
    reference = workdir / "anti_joins.sql"
    reference.write_text("\n".join(ANTI_JOINS) + "\n", encoding="utf-8")
    with bench_database(server, "checks") as url:
        rows = generate(url, scale)
        conninfo, libpq_env = db.libpq_url(url)
        env = {**bench_env(), **{k: v for k, v in libpq_env.items() if k.startswith("PG")}}
        unify = [sys.executable, "-c", CHECKS_PROCESS, str(repo), conninfo]
        cli = [sys.executable, "-m", "unify", "verify", str(repo), "--plan"]
        cli += [str(repo / "unify.toml"), "--database-url", conninfo]
        cli += ["--format", "json", "--timeout", "3600"]
        psql_cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
        sides = [
            Side(
                "hand-written anti-joins, one `psql` process (6 FKs, count only)",
                [*psql_cmd, "-f", str(reference)],
            ),
            Side(
                "unify orphaned-rows checks, one Python process (6 FKs, count + 5 samples)",
                [*unify, "orphaned-rows"],
            ),
            Side("every unify data check, one Python process", [*unify, "all"]),
            Side("the whole `unify verify` CLI process", cli),
            Side("floor: `psql` start-up and connect (`SELECT 1`)", [*psql_cmd, "-c", "SELECT 1"]),
            Side(
                "floor: the unify process without a check (start-up, load, connect, reflect)",
                [*unify, "none"],
            ),
        ]
        warm = [_warm_up(side.cmd, env) for side in sides]
        timings = interleaved_timings([side.cmd for side in sides], runs, env=env)
    return _data_section(rows, runs, sides, warm, timings)


def _warm_up(cmd: list[str], env: dict[str, str]) -> str:
    """One untimed run (caches warm, output checked); its stdout."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode not in (0, 1):
        tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchmarkError(f"{cmd[0]} exited {proc.returncode}: {tail}")
    return proc.stdout


def _data_section(
    rows: dict[str, int],
    runs: int,
    sides: list[Side],
    warm: list[str],
    timings: list[list[Timing]],
) -> list[str]:
    reference = statistics.median(t.wall for t in timings[0])
    table = markdown_table(
        TIMING_HEADERS,
        [
            _timing_row(side.label, side_runs, reference)
            for side, side_runs in zip(sides, timings, strict=True)
        ],
    )
    psql_counts = [int(n) for n in warm[0].split()]
    orphan_checks, orphans = (int(n) for n in warm[1].split())
    all_checks, all_rows = (int(n) for n in warm[2].split())
    return [
        "## Data checks on an FK graph",
        f"Rows: {sum(rows.values()):,} ({', '.join(f'{t} {n:,}' for t, n in rows.items())}).",
        "Every command is one whole process, started and timed the same way: interpreter or "
        "psql start-up and connecting are inside the clock on both sides, and so are, for "
        "unify, loading the unified module (its subprocess) and reflecting the database. "
        f"Each command ran once untimed, then {runs} timed round(s), the commands alternating "
        "within each round; medians. CPU is the user + system time of the process and its "
        "children (the client side only: the queries run in the PostgreSQL server).",
        table,
        f"- Orphans: psql counted {sum(psql_counts)} rows ({' + '.join(map(str, psql_counts))}); "
        f"unify's {orphan_checks} orphaned-rows checks flagged {orphans} (planted: 10 + 10 + "
        "10 + 7 + 4; the 4 non-numeric keys are uncastable-values, not orphans).",
        f"- Every data check of `unify verify`: {all_checks} queries (orphans, uncastable "
        f"values, lengths, NOT NULL, UNIQUE, FK consistency joins), {all_rows} rows flagged.",
        "- The whole `unify verify` process adds the scratch database (create_all and FK "
        "inspection) and alembic's schema diff to the data checks.",
        _net_line(timings),
    ]


def _net_line(timings: list[list[Timing]]) -> str:
    """The queries alone: each side's median less the median of its floor process."""
    walls = [statistics.median(t.wall for t in runs) for runs in timings]
    psql_net, unify_net = walls[0] - walls[4], walls[1] - walls[5]
    return (
        f"- Fixed cost of each side (median of its floor process): psql {walls[4]:.2f}s, unify "
        f"{walls[5]:.2f}s. Less that, the anti-joins took {psql_net:.2f}s and unify's "
        f"orphaned-rows checks {unify_net:.2f}s: {unify_net / psql_net:.2f}x (a difference of "
        "medians, rougher than the whole-process ratio above)."
    )


TIMING_HEADERS = (
    "what (whole process)",
    "runs, wall (s)",
    "median wall (s)",
    "ratio of medians",
    "median CPU (s)",
)


def _timing_row(label: str, timings: list[Timing], reference: float) -> list[str]:
    wall = statistics.median(t.wall for t in timings)
    return [
        label,
        _runs([t.wall for t in timings]),
        f"{wall:.2f}",
        f"{wall / reference:.2f}",
        f"{statistics.median(t.cpu for t in timings):.2f}",
    ]


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# ---------------------------------------------------------------------------
# 2. reflection of 1,000 tables
# ---------------------------------------------------------------------------

REFLECT = (
    "import sys, sqlalchemy as sa\n"
    "with sa.create_engine(sys.argv[1]).connect() as c:\n"
    "    m = sa.MetaData(); m.reflect(c)\n"
    "print(len(m.tables))\n"
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
        conninfo, env = db.libpq_url(url)
        sides = [
            Side("`pg_dump --schema-only`", ["pg_dump", "--schema-only", "-d", conninfo]),
            Side(
                f"Python: connect, `MetaData.reflect` of {count:,} tables",
                [sys.executable, "-c", REFLECT, url.render_as_string(hide_password=False)],
            ),
        ]
        warm = [_warm_up(side.cmd, env) for side in sides]
        timings = interleaved_timings([side.cmd for side in sides], runs, env=env)
    if warm[1].strip() != str(count):
        raise BenchmarkError(f"reflected {warm[1].strip()} tables, not {count}")
    reference = statistics.median(t.wall for t in timings[0])
    return [
        f"## Reflection of a {count:,}-table schema",
        "Each table: 5 columns, a UNIQUE constraint, an FK to the previous table. Whole "
        f"processes, once untimed, then {runs} timed round(s), alternating; medians.",
        markdown_table(
            TIMING_HEADERS,
            [_timing_row(s.label, t, reference) for s, t in zip(sides, timings, strict=True)],
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="row count factor (1.0: 10M rows)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (at least 5)")
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
