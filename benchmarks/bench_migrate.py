"""Benchmark ``unify migrate --apply`` against a hand-written SQL script doing the same moves.

    .venv/bin/python benchmarks/bench_migrate.py            # 1M rows 5 rounds, 10M rows 3 rounds
    .venv/bin/python benchmarks/bench_migrate.py --scales 0.01:1  # a quick look
    .venv/bin/python benchmarks/bench_migrate.py --scales 1:3 --keep-template  # re-runnable

Server: ``UNIFY_BENCH_DATABASE_URL`` (a server URL whose user may CREATE DATABASE), else the
local ``postgresql://postgres@127.0.0.1:5432/postgres``.  Databases are ``unify_bench_*`` and
dropped at the end (also on error or Ctrl-C).

``--keep-template`` keeps the generated template database of each scale, named
``unify_bench_migrate_keep_<rows>`` (``<rows>`` the legacy rows in all, e.g.
``unify_bench_migrate_keep_10010000``), and a later run with the option reuses it instead of
generating the rows again (about 5 minutes at 10M rows).  The template is generated under a
temporary name and renamed only once complete, so an interrupted generation is never reused;
its generation time is kept as the database's comment.  Drop it when done:
``dropdb -h 127.0.0.1 -U postgres unify_bench_migrate_keep_10010000``.

The legacy database has the bundled example's shape: a uuid-keyed ``mvp_users`` merged into the
integer-keyed ``users`` (every 10th MVP user folds into the user with its e-mail, case
aside; the others get new ids), ``learning_plans.user_id`` remapped from the uuid to the new
integer id, ``learning_plans.organization_id`` cast from VARCHAR(36) to INTEGER, the table
``organizations`` renamed ``organization``, and ``assessments`` carried as they are.  It is
generated in SQL (``generate_series``) once per scale into a template database; every timed
run gets a fresh copy of it (``CREATE DATABASE ... TEMPLATE``, outside the clock).

The small repository (legacy model modules ``models`` and ``mvp_models`` and the plan) is
built once with ``unify build`` (untimed); then, alternating within each round:

(a) ``unify migrate REPO --plan unify.toml --database-url URL --apply`` as a whole CLI
    process (start-up, loading the unified module, reflecting, writing the revision, the
    transactional upgrade with the ledger, the schema comparison and the stamp);
(b) ``psql -f hand.sql``: the moves as an engineer would write them by hand in one
    transaction (legacy tables moved aside, the new tables filled without indexes, the id map
    by a hash join on the lower-cased e-mail, the remap and the cast in the fill, keys,
    unique index, sequences and foreign keys added after).

Medians of wall time, their ratio, and the peak RSS of the unify process (GNU time) at each
scale.  Results: ``benchmarks/RESULTS-migrate.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    BenchmarkError,
    Timing,
    bench_env,
    describe_machine,
    machine_lines,
    markdown_table,
    run_timed,
    write_results,
)
from unify import db
from unify.errors import UnifyError

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = BENCH_DIR / "RESULTS-migrate.md"

# table -> rows at --scale 1 (10.01 million in all)
ROWS = {
    "organizations": 10_000,
    "users": 1_000_000,
    "mvp_users": 1_000_000,
    "assessments": 3_000_000,
    "learning_plans": 5_000_000,
}

SCHEMA_SQL = """
CREATE TABLE organizations (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, email varchar(120) NOT NULL UNIQUE,
    name varchar(100), organization_id integer REFERENCES organizations (id));
CREATE TABLE mvp_users (id varchar(36) PRIMARY KEY, email varchar(120) NOT NULL UNIQUE,
    name varchar(100));
CREATE TABLE assessments (id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id), score integer);
CREATE TABLE learning_plans (id serial PRIMARY KEY,
    user_id varchar(36) NOT NULL REFERENCES mvp_users (id),
    organization_id varchar(36), title varchar(200));
INSERT INTO organizations SELECT g, 'org ' || g FROM generate_series(1, {organizations}) g;
INSERT INTO users SELECT g, 'user' || g || '@example.org', 'User ' || g, 1 + g % {organizations}
    FROM generate_series(1, {users}) g;
SELECT setval('users_id_seq', {users});
-- every 10th MVP user has the e-mail of a user (upper-cased): it folds into that user
INSERT INTO mvp_users SELECT CAST(CAST(md5('mvp' || g) AS uuid) AS text),
    CASE WHEN g % 10 = 0 THEN 'USER' || (1 + (g * 7) % {users}) || '@EXAMPLE.ORG'
         ELSE 'mvp' || g || '@example.org' END,
    'MVP user ' || g
    FROM generate_series(1, {mvp_users}) g;
INSERT INTO assessments SELECT g, 1 + (g * 13) % {users}, g % 100
    FROM generate_series(1, {assessments}) g;
SELECT setval('assessments_id_seq', {assessments});
-- organization_id still VARCHAR(36): '0042'-style keys, every 20th empty (NULL)
INSERT INTO learning_plans SELECT g,
    CAST(CAST(md5('mvp' || (1 + (g * 7) % {mvp_users})) AS uuid) AS text),
    CASE WHEN g % 20 = 0 THEN NULL ELSE lpad(CAST(1 + g % {organizations} AS text), 4, '0') END,
    'plan ' || g
    FROM generate_series(1, {learning_plans}) g;
SELECT setval('learning_plans_id_seq', {learning_plans});
VACUUM ANALYZE;
"""

# The hand-written migration: the same moves, as a careful engineer writes them for psql.
HAND_SQL = r"""
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
CREATE SCHEMA legacy;
ALTER TABLE organizations SET SCHEMA legacy;
ALTER TABLE users SET SCHEMA legacy;
ALTER TABLE mvp_users SET SCHEMA legacy;
ALTER TABLE assessments SET SCHEMA legacy;
ALTER TABLE learning_plans SET SCHEMA legacy;

CREATE TABLE organization (id integer NOT NULL, name varchar(100) NOT NULL);
CREATE TABLE users (id serial NOT NULL, email varchar(120) NOT NULL, name varchar(100),
    organization_id integer);
CREATE TABLE assessments (id serial NOT NULL, user_id integer NOT NULL, score integer);
CREATE TABLE learning_plans (id serial NOT NULL, user_id integer NOT NULL,
    organization_id integer, title varchar(200));

INSERT INTO organization (id, name) SELECT id, name FROM legacy.organizations;
INSERT INTO users (id, email, name, organization_id)
    SELECT id, email, name, organization_id FROM legacy.users;

-- the id map: an MVP user with a user's e-mail folds into it, the others get new ids
SELECT setval('users_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM legacy.users), false);
CREATE TABLE legacy.user_map AS
    SELECT m.id AS old_id, coalesce(u.id, nextval('users_id_seq')) AS new_id,
           u.id IS NOT NULL AS folded
    FROM legacy.mvp_users m LEFT JOIN legacy.users u ON lower(u.email) = lower(m.email);
ALTER TABLE legacy.user_map ADD PRIMARY KEY (old_id);
ANALYZE legacy.user_map;
INSERT INTO users (id, email, name)
    SELECT map.new_id, m.email, m.name
    FROM legacy.mvp_users m JOIN legacy.user_map map ON map.old_id = m.id
    WHERE NOT map.folded;

INSERT INTO assessments (id, user_id, score) SELECT id, user_id, score FROM legacy.assessments;
INSERT INTO learning_plans (id, user_id, organization_id, title)
    SELECT p.id, map.new_id, CAST(p.organization_id AS integer), p.title
    FROM legacy.learning_plans p JOIN legacy.user_map map ON map.old_id = p.user_id;

ALTER TABLE organization ADD PRIMARY KEY (id);
ALTER TABLE users ADD PRIMARY KEY (id);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE assessments ADD PRIMARY KEY (id);
ALTER TABLE learning_plans ADD PRIMARY KEY (id);
SELECT setval('users_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM users), false);
SELECT setval('assessments_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM assessments), false);
SELECT setval('learning_plans_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM learning_plans),
    false);
ALTER TABLE users ADD FOREIGN KEY (organization_id) REFERENCES organization (id);
ALTER TABLE assessments ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE learning_plans ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE learning_plans ADD FOREIGN KEY (organization_id) REFERENCES organization (id);
COMMIT;
"""

MODELS = """\
\"\"\"Core models: integer keys.\"\"\"
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Organization(db.Model):
    __tablename__ = 'organizations'
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)


class User(db.Model):
    __tablename__ = 'users'
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    name = db.Column(db.String(100))
    organization_id = db.Column(db.Integer, db.ForeignKey('organizations.id'))


class Assessment(db.Model):
    __tablename__ = 'assessments'
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    score = db.Column(db.Integer)
"""

MVP_MODELS = """\
\"\"\"MVP models: string (uuid) keys.\"\"\"
from models import db


class MVPUser(db.Model):
    __tablename__ = 'mvp_users'
    id = db.Column(db.String(36), primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    name = db.Column(db.String(100))


class LearningPlan(db.Model):
    __tablename__ = 'learning_plans'
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    organization_id = db.Column(db.String(36), db.ForeignKey('organizations.id'))
    title = db.Column(db.String(200))
"""

PLAN = """\
[unify]
target_module = "models"
compat_module = "models_compat"
legacy_modules = ["models", "mvp_models"]
sections = ["Shared bases and database setup", "models", "mvp_models"]

[[table_rename]]
old = "mvp_users"
new = "users"

[[table_rename]]
old = "organizations"
new = "organization"

[[class]]
source = "models.Organization"
name = "Organization"
table = "organization"
section = "models"

[[class]]
source = "models.User"
name = "User"
table = "users"
section = "models"

[[class]]
source = "models.Assessment"
name = "Assessment"
table = "assessments"
section = "models"

[[class]]
source = "mvp_models.LearningPlan"
name = "LearningPlan"
table = "learning_plans"
section = "mvp_models"

[[merge]]
survivor = "models.User"
absorbed = ["mvp_models.MVPUser"]
survivor_table = "users"
absorbed_tables = ["mvp_users"]
match = ["email"]
[merge.choices]
id = "models.User"

[[column_type]]
table = "organization"
column = "id"
type = "Integer"

[[column_type]]
table = "learning_plans"
column = "organization_id"
type = "Integer"

[[column_type]]
table = "users"
column = "organization_id"
type = "Integer"

[[column_type]]
table = "users"
column = "id"
type = "Integer"

[[column_type]]
table = "assessments"
column = "user_id"
type = "Integer"

[[column_type]]
table = "learning_plans"
column = "user_id"
type = "Integer"
"""

# The state both sides must leave: rows per unified table and a content digest of the joins
# that the merge, the remap and the cast decide.
CHECK_SQL = """
SELECT (SELECT count(*) FROM organization), (SELECT count(*) FROM users),
       (SELECT count(*) FROM assessments), (SELECT count(*) FROM learning_plans),
       (SELECT md5(string_agg(u.email || ':' || coalesce(p.organization_id, 0), ',' ORDER BY p.id))
        FROM learning_plans p JOIN users u ON u.id = p.user_id WHERE p.id % 1000 = 0),
       (SELECT count(*) FROM pg_constraint WHERE contype = 'f'
        AND connamespace = 'public'::regnamespace);
"""


def server_url() -> URL:
    return db.parse_url(os.environ.get("UNIFY_BENCH_DATABASE_URL", LOCAL))


@contextmanager
def bench_database(server: URL, purpose: str, template: str = "") -> Iterator[URL]:
    """A ``unify_bench_*`` database (a copy of ``template`` when given), dropped at the end."""
    name = db.new_name(f"bench_{purpose}")
    if template:
        psql(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = server.set(database=name)
    else:
        url = db.create_database(server, name)
    try:
        yield url
    finally:
        db.drop_database(server, name)


def psql(url: URL, sql: str) -> str:
    """Run ``sql`` through one psql process; its output."""
    conninfo, env = db.libpq_url(url)
    proc = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
        input=sql,
        text=True,
        capture_output=True,
        env={**os.environ, **env},
        check=False,
    )
    if proc.returncode != 0:
        raise BenchmarkError(f"psql failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return proc.stdout.strip()


def rows_at(scale: float) -> dict[str, int]:
    return {t: max(100, int(n * scale)) for t, n in ROWS.items()}


def generate(url: URL, rows: dict[str, int]) -> float:
    print(f"generating {sum(rows.values()):,} rows ...", file=sys.stderr)
    start = time.perf_counter()
    psql(url, SCHEMA_SQL.format(**rows))
    took = time.perf_counter() - start
    print(f"  generated in {took:.1f}s", file=sys.stderr)
    return took


def build_repo(folder: Path) -> Path:
    """The legacy modules and the plan, built into the unified models by ``unify build``."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "models.py").write_text(MODELS, encoding="utf-8")
    (folder / "mvp_models.py").write_text(MVP_MODELS, encoding="utf-8")
    (folder / "unify.toml").write_text(PLAN, encoding="utf-8")
    cmd = [sys.executable, "-m", "unify", "build", str(folder), "--plan"]
    proc = subprocess.run(
        [*cmd, str(folder / "unify.toml")], capture_output=True, text=True, env=bench_env()
    )
    if proc.returncode != 0:
        raise BenchmarkError(f"unify build failed: {(proc.stdout + proc.stderr)[-400:]}")
    return folder


def kept_name(rows: dict[str, int]) -> str:
    return f"unify_bench_migrate_keep_{sum(rows.values())}"


@contextmanager
def template_database(server: URL, rows: dict[str, int], keep: bool) -> Iterator[tuple[str, float]]:
    """The template database of ``rows`` and the seconds its generation took: generated and
    dropped at the end, or with ``keep`` the kept one (generated and kept when missing)."""
    if not keep:
        with bench_database(server, "migrate_tpl") as template:
            yield str(template.database), generate(template, rows)
        return
    name = kept_name(rows)
    found = psql(
        server,
        f"SELECT coalesce(shobj_description(oid, 'pg_database'), '0') FROM pg_database "
        f"WHERE datname = '{name}'",
    )
    if found:
        print(f"reusing the kept template {name}", file=sys.stderr)
        yield name, float(found)
        return
    partial = db.new_name("bench_migrate_gen")
    url = db.create_database(server, partial)
    try:
        took = generate(url, rows)
        psql(server, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
        psql(server, f"COMMENT ON DATABASE \"{name}\" IS '{took:.1f}'")
    finally:
        db.drop_database(server, partial)  # gone already once renamed
    print(f"kept the template {name}", file=sys.stderr)
    yield name, took


def bench_scale(
    server: URL, scale: float, runs: int, repo: Path, hand: Path, keep: bool = False
) -> dict[str, object]:
    rows = rows_at(scale)
    with template_database(server, rows, keep) as (name, took):
        # a template must have no other connection while it is copied
        sides = ("unify", "hand")
        timings: dict[str, list[Timing]] = {s: [] for s in sides}
        states: dict[str, set[str]] = {s: set() for s in sides}
        for round_no in range(runs + 1):  # round 0 untimed: caches warm, output checked
            for side in sides:
                with bench_database(server, "migrate", template=name) as url:
                    timing = _run_side(side, url, repo, hand)
                    states[side].add(psql(url, CHECK_SQL))
                if round_no:
                    timings[side].append(timing)
                print(f"  {side} round {round_no}: {timing.wall:.1f}s", file=sys.stderr)
        if len(states["unify"] | states["hand"]) != 1:
            raise BenchmarkError(f"the two sides disagree: {states}")
    return {
        "scale": scale,
        "rows": rows,
        "generated": took,
        "timings": timings,
        "state": next(iter(states["unify"])),
    }


def _run_side(side: str, url: URL, repo: Path, hand: Path) -> Timing:
    conninfo, libpq_env = db.libpq_url(url)
    env = {**bench_env(), **libpq_env}
    if side == "hand":
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-f", str(hand)]
        timing = run_timed(cmd, env=env)
    else:
        with tempfile.TemporaryDirectory() as versions:
            cmd = [sys.executable, "-m", "unify", "migrate", str(repo), "--plan"]
            cmd += [str(repo / "unify.toml"), "--database-url", conninfo, "--apply"]
            cmd += ["--revision-dir", versions]
            timing = run_timed(cmd, env=env)
    if timing.code != 0:
        raise BenchmarkError(f"{side} exited {timing.code}")
    return timing


def section(result: dict[str, object], runs: int) -> list[str]:
    rows = result["rows"]
    timings = result["timings"]
    assert isinstance(rows, dict) and isinstance(timings, dict)
    hand = statistics.median(t.wall for t in timings["hand"])
    unify = statistics.median(t.wall for t in timings["unify"])
    table = markdown_table(
        ("what (whole process)", "runs, wall (s)", "median wall (s)", "ratio", "peak RSS (MiB)"),
        [
            [
                label,
                ", ".join(f"{t.wall:.2f}" for t in timings[side]),
                f"{statistics.median(t.wall for t in timings[side]):.2f}",
                f"{statistics.median(t.wall for t in timings[side]) / hand:.2f}",
                f"{max(t.max_rss_kib for t in timings[side]) / 1024:.0f}",
            ]
            for side, label in (
                ("hand", "hand-written SQL, one `psql -f` process"),
                ("unify", "`unify migrate --apply`, the whole CLI process"),
            )
        ],
    )
    total = sum(rows.values())
    return [
        f"## {total:,} legacy rows (scale {result['scale']})",
        f"Rows: {', '.join(f'{t} {n:,}' for t, n in rows.items())}; generated in "
        f"{result['generated']:.0f}s. {runs} timed round(s) after one untimed, the two sides "
        "alternating, each on a fresh `CREATE DATABASE ... TEMPLATE` copy (outside the clock).",
        table,
        f"- unify / hand-written: **{unify / hand:.2f}x** (medians).",
        f"- Both sides leave the same state (rows per unified table, a digest of the remapped "
        f"and cast plans, the foreign keys): `{result['state']}`.",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        default="0.1:5,1:3",
        help="comma-separated SCALE[:RUNS] (1 = 10M rows; RUNS defaults to --runs)",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--keep-template",
        action="store_true",
        help="keep each scale's generated template (unify_bench_migrate_keep_<rows>) and "
        "reuse it on later runs",
    )
    args = parser.parse_args(argv)
    server = server_url()
    machine = describe_machine()
    try:
        repo = build_repo(args.workdir / "migrate_repo")
        hand = args.workdir / "migrate_hand.sql"
        hand.write_text(HAND_SQL, encoding="utf-8")
        plan = [[*s.split(":"), str(args.runs)][:2] for s in args.scales.split(",")]
        results = [
            bench_scale(server, float(s), int(n), repo, hand, args.keep_template) for s, n in plan
        ]
    except (BenchmarkError, UnifyError) as exc:
        print(f"bench_migrate: {exc}", file=sys.stderr)
        return 2
    sections = [
        "\n".join(
            [
                *machine_lines(machine),
                f"- Command: `python benchmarks/bench_migrate.py --scales {args.scales}"
                f"{' --keep-template' if args.keep_template else ''}`",
            ]
        )
    ]
    for result, (_, runs) in zip(results, plan, strict=True):
        sections += section(result, int(runs))
    write_results(args.output, "unify migrate --apply against a hand-written migration", sections)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
