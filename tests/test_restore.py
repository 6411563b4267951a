"""``unify restore``: pg_dumps (plain and custom) into a NEW ``unify_*`` database, tolerating
what newer servers emit, with one-line errors and no half-restored database left behind."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clihelp import run_unify
from pgtools import admin, libpq, unify_databases
from sqlalchemy.engine import URL

from unify import db
from unify.restore import ServerFacts, filter_plain_sql

pytestmark = pytest.mark.postgres

LEGACY_SQL = Path(__file__).parent / "assets" / "verify" / "legacy.sql"


def execute(url: URL, *statements: str) -> list[object]:
    return admin(url, *statements)


def databases(server: URL) -> set[str]:
    return unify_databases(server, with_tests=True)


@pytest.fixture(scope="module")
def dumps(server: URL, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    name = f"unify_test_src_{uuid.uuid4().hex[:8]}"
    execute(server, f'CREATE DATABASE "{name}"')
    folder = tmp_path_factory.mktemp("dumps")
    try:
        source = libpq(server.set(database=name))
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source, "-f", str(LEGACY_SQL)],
            check=True,
            capture_output=True,
        )
        out = {"plain": folder / "legacy.sql", "custom": folder / "legacy.dump"}
        subprocess.run(["pg_dump", "-Fp", "-f", str(out["plain"]), source], check=True)
        subprocess.run(["pg_dump", "-Fc", "-f", str(out["custom"]), source], check=True)
    finally:
        execute(server, f'DROP DATABASE IF EXISTS "{name}"')
    return out


@pytest.fixture
def new_name(server: URL) -> Iterator[str]:
    """A ``--name`` for the restore; the restored database is dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:10]}"
    yield name
    execute(
        server,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'unify_{name}'",
        f'DROP DATABASE IF EXISTS "unify_{name}"',
    )


def newer_server_dump(plain: Path, dest: Path) -> Path:
    """The plain dump as a PostgreSQL 17 server with other roles would write it."""
    text = plain.read_text()
    text = (
        "\\restrict Zq3XyKd1\n"
        "SET statement_timeout = 0;\nSET transaction_timeout = 0;\n"
        + text
        + "ALTER TABLE public.users OWNER TO nobody_role;\n"
        "GRANT SELECT ON TABLE public.users TO nobody_role;\n"
        "\\unrestrict Zq3XyKd1\n"
    )
    dest.write_text(text)
    return dest


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_restore_into_a_new_database(
    server: URL, dumps: dict[str, Path], new_name: str, fmt: str
) -> None:
    proc = run_unify("restore", str(dumps[fmt]), "--database-url", libpq(server), "--name", new_name)
    assert proc.returncode == 0, proc.stderr
    url = db.parse_url(proc.stdout.strip())
    assert url.database == f"unify_{new_name}"
    assert execute(
        url, "SELECT count(*) FROM users", "SELECT count(*) FROM maturity_assessments"
    ) == [3, 5]
    assert f"restored {fmt} dump into new database unify_{new_name}" in proc.stderr


def test_restore_tolerates_what_newer_servers_emit(
    server: URL, dumps: dict[str, Path], new_name: str, tmp_path: Path
) -> None:
    dump = newer_server_dump(dumps["plain"], tmp_path / "pg17.sql")
    proc = run_unify("restore", str(dump), "--database-url", libpq(server), "--name", new_name)
    assert proc.returncode == 0, proc.stderr
    skipped = [ln for ln in proc.stderr.splitlines() if ln.startswith("skipped ")]
    assert "skipped unknown setting: SET transaction_timeout = 0;" in skipped
    assert "skipped psql meta-command: \\restrict Zq3XyKd1" in skipped
    assert "skipped psql meta-command: \\unrestrict Zq3XyKd1" in skipped
    assert "skipped missing role: ALTER TABLE public.users OWNER TO nobody_role;" in skipped
    assert "skipped missing role: GRANT SELECT ON TABLE public.users TO nobody_role;" in skipped
    url = db.parse_url(proc.stdout.strip())
    assert execute(url, "SELECT count(*) FROM learning_objectives") == [5]


def test_filter_keeps_copy_data_and_known_settings() -> None:
    facts = ServerFacts(
        settings=frozenset({"statement_timeout", "search_path"}), roles=frozenset({"postgres"})
    )
    text = (
        "SET statement_timeout = 0;\nSET transaction_timeout = 0;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "COPY public.t (a) FROM stdin;\nSET transaction_timeout = 0;\n\\.\n"
        'ALTER TABLE public.t OWNER TO postgres;\nALTER TABLE public.t OWNER TO "Ghost";\n'
    )
    kept, skipped = filter_plain_sql(text, facts)
    assert kept == (
        "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "COPY public.t (a) FROM stdin;\nSET transaction_timeout = 0;\n\\.\n"
        "ALTER TABLE public.t OWNER TO postgres;\n"
    )
    assert skipped == [
        "unknown setting: SET transaction_timeout = 0;",
        'missing role: ALTER TABLE public.t OWNER TO "Ghost";',
    ]


def test_archive_newer_than_pg_restore_is_one_line(
    server: URL, dumps: dict[str, Path], new_name: str, tmp_path: Path
) -> None:
    data = bytearray(dumps["custom"].read_bytes())
    data[5:8] = bytes([1, 16, 0])  # the archive version pg_dump 17 writes
    dump = tmp_path / "pg17.dump"
    dump.write_bytes(bytes(data))
    before = databases(server)
    proc = run_unify("restore", str(dump), "--database-url", libpq(server), "--name", new_name)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == (
        f"error: {dump}: custom-format archive 1.16 (from PostgreSQL 17) is newer than the local "
        "pg_restore; dump again with -Fp (plain SQL), use a matching pg_restore, or pass "
        "--container to restore it with PostgreSQL in Docker"
    )
    assert databases(server) == before


def test_failed_restore_drops_the_half_restored_database(
    server: URL, new_name: str, tmp_path: Path
) -> None:
    dump = tmp_path / "broken.sql"
    dump.write_text("CREATE TABLE kept (id integer);\nINSERT INTO missing_table VALUES (1);\n")
    before = databases(server)
    proc = run_unify("restore", str(dump), "--database-url", libpq(server), "--name", new_name)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert 'relation "missing_table" does not exist' in lines[0]
    assert databases(server) == before


def test_never_restores_into_an_existing_database(
    server: URL, dumps: dict[str, Path], new_name: str
) -> None:
    first = run_unify(
        "restore", str(dumps["plain"]), "--database-url", libpq(server), "--name", new_name
    )
    assert first.returncode == 0, first.stderr
    second = run_unify(
        "restore", str(dumps["plain"]), "--database-url", libpq(server), "--name", new_name
    )
    assert second.returncode == 2
    assert "already exists" in second.stderr
    url = db.parse_url(first.stdout.strip())
    assert execute(url, "SELECT count(*) FROM users") == [3]  # the first one is untouched


def test_password_is_masked_in_errors(dumps: dict[str, Path]) -> None:
    proc = run_unify(
        "restore",
        str(dumps["plain"]),
        "--database-url",
        "postgresql://u:hunter2@127.0.0.1:1/postgres",
    )
    assert proc.returncode == 2
    assert "hunter2" not in proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: postgresql+psycopg2://u:***@127.0.0.1:1/postgres: ")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_not_a_dump_is_an_input_error(server: URL, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02binary")
    proc = run_unify("restore", str(junk), "--database-url", libpq(server))
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"error: {junk}: not a pg_dump file (neither plain SQL nor custom format)"
    )


def test_container_without_docker_is_one_line(server: URL, dumps: dict[str, Path]) -> None:
    if db.docker_available():
        pytest.skip("a Docker engine is running here")
    proc = run_unify("restore", str(dumps["custom"]), "--database-url", libpq(server), "--container")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "error: --container needs a running Docker engine; dump again with -Fp instead"
    )


def test_bad_name_is_refused(server: URL, dumps: dict[str, Path]) -> None:
    proc = run_unify(
        "restore", str(dumps["plain"]), "--database-url", libpq(server), "--name", "Drop Table"
    )
    assert proc.returncode == 2
    assert "--name 'Drop Table': use lowercase letters, digits and _" in proc.stderr
