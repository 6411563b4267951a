"""Helpers shared by the tests that talk to PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL


def admin(url: URL, *statements: str) -> list[object]:
    """Run statements in autocommit; the first column of every row they return."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            results = [conn.execute(sa.text(s)) for s in statements]
            return [row[0] for r in results if r.returns_rows for row in r]
    finally:
        engine.dispose()


def drop(server: URL, name: str) -> None:
    admin(
        server,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
    )


def unify_databases(server: URL, *, with_tests: bool = False) -> set[str]:
    """Databases named ``unify_*`` (those of the tests, ``unify_test_*``, only if asked)."""
    names = admin(server, "SELECT datname FROM pg_database WHERE datname LIKE 'unify\\_%'")
    return {str(n) for n in names if with_tests or not str(n).startswith("unify_test_")}


def tool(name: str) -> str:
    """The PostgreSQL client ``name`` unify itself runs (the embedded wheel's)."""
    from unify.server import tool as unify_tool

    return unify_tool(name)


def libpq(url: URL) -> str:
    """The URL as psql and pg_dump take it (password included: tests use trust auth)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
