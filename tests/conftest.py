"""Shared fixtures.  PostgreSQL is found, in order, through:

1. ``UNIFY_TEST_DATABASE_URL`` (a server URL whose user may CREATE DATABASE),
2. the local server at ``postgresql://postgres@127.0.0.1:5432/postgres``,
3. a testcontainers PostgreSQL (needs a Docker engine).

When none answers, PostgreSQL tests are skipped, except in CI (``CI=true``), where that
is a failure.  Every test database is named ``unify_test_<random>`` and dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import BuiltExample, run_unify
from sqlalchemy.engine import URL, make_url

TEST_DB_PREFIX = "unify_test_"
LOCAL_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "unify" / "examples" / "seqpt_legacy"


def _answers(url: str) -> bool:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[URL]:
    """A server-level URL (maintenance database) of a reachable PostgreSQL."""
    env = os.environ.get("UNIFY_TEST_DATABASE_URL")
    if env:
        if not _answers(env):
            pytest.fail(f"UNIFY_TEST_DATABASE_URL does not answer: {make_url(env)!r}")
        yield make_url(env)
        return
    if _answers(LOCAL_URL):
        yield make_url(LOCAL_URL)
        return
    try:
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16") as container:
            yield make_url(container.get_connection_url())
            return
    except Exception as exc:  # no Docker engine, no image
        reason = f"no PostgreSQL: set UNIFY_TEST_DATABASE_URL ({type(exc).__name__}: {exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


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
