"""Databases: URLs with masked passwords, scratch databases unify owns, read-only sessions.

The one rule: unify runs DDL (``CREATE``/``DROP``/``create_all``) only on a database it
created itself.  That is enforced by types: ``create_schema`` takes a ``ScratchDatabase``,
which only ``scratch_database`` makes, and ``drop_database`` refuses a name without the
``unify_`` prefix.  Everything else reaches a database through ``read_only``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from unify import server
from unify.errors import DatabaseError, InputError, reason
from unify.models import ScratchKind

PREFIX = "unify_"
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
CONNECT_TIMEOUT = 10


def parse_url(url: str | URL) -> URL:
    """A SQLAlchemy URL, or ``InputError`` (the message never shows the password).

    ``postgresql://`` without a driver gets the installed one (psycopg, else psycopg2).
    """
    if not isinstance(url, URL):
        try:
            url = make_url(url)
        except sa.exc.ArgumentError:
            raise InputError(
                "--database-url: not a database URL (e.g. postgresql://user@host/db)"
            ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=f"postgresql+{_postgres_driver()}")
    return url


def _postgres_driver() -> str:
    for module in ("psycopg", "psycopg2"):
        if importlib.util.find_spec(module) is not None:
            return module
    return "psycopg2"


def mask(url: str | URL) -> str:
    """The URL as text with the password replaced by ``***``."""
    return parse_url(url).render_as_string(hide_password=True)


def is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A URL for psql/pg_restore (no driver, no password) and the environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def engine_for(url: URL, **kwargs: object) -> Engine:
    """An engine that fails fast when the server does not answer."""
    url = parse_url(url)
    if is_postgres(url):
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT})
    try:
        return sa.create_engine(url, **kwargs)
    except (sa.exc.ArgumentError, ImportError, sa.exc.NoSuchModuleError) as exc:
        raise InputError(f"{mask(url)}: cannot use this URL ({reason(exc)})") from None


def connection_error(url: URL, exc: BaseException) -> DatabaseError:
    """One line naming the database (password masked) and the server's first message line."""
    orig = getattr(exc, "orig", None) or exc
    first = reason(orig)
    if url.password:
        first = first.replace(str(url.password), "***")
    return DatabaseError(f"{mask(url)}: {first}")


@contextmanager
def target_server(url: str | URL | None) -> Iterator[URL]:
    """The server (or database) to work on: ``url`` parsed; or, when none is given, the
    embedded PostgreSQL's ``postgres`` database.  The embedded server (also when ``url``
    names one of its databases, as ``restore`` printed it) is started here and stopped on
    exit unless another unify process still uses it."""
    if url is None:
        with server.embedded() as base:
            yield parse_url(base)
        return
    parsed = parse_url(url)
    if server.is_embedded(parsed):
        with server.embedded(server.folder_of(parsed)):
            yield parsed
    else:
        yield parsed


def ping(url: URL) -> None:
    """Connect once; ``DatabaseError`` (one line, password masked) when that fails."""
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as exc:
        raise connection_error(url, exc) from None
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------
# Databases unify creates
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScratchDatabase:
    """A database unify created for itself and will drop: the only target of DDL."""

    url: URL
    kind: ScratchKind


def new_name(purpose: str) -> str:
    """``unify_<purpose>_<random>``, a valid unquoted PostgreSQL identifier."""
    slug = re.sub(r"[^a-z0-9]+", "_", purpose.lower()).strip("_")[:30] or "db"
    return f"{PREFIX}{slug}_{secrets.token_hex(4)}"


def checked_name(name: str) -> str:
    """A database name given by the user, prefixed with ``unify_`` and validated."""
    full = name if name.startswith(PREFIX) else PREFIX + name
    if not NAME_RE.match(full):
        raise InputError(f"--name {name!r}: use lowercase letters, digits and _ (max 63)")
    return full


def create_database(server: URL, name: str) -> URL:
    """``CREATE DATABASE name`` on the server of ``server``; the new database's URL."""
    if not name.startswith(PREFIX) or not NAME_RE.match(name):
        raise InputError(f"refusing to create {name!r}: unify creates only {PREFIX}* databases")
    _admin_execute(server, f'CREATE DATABASE "{name}"')
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    """Terminate the backends of ``name`` and drop it; only ``unify_*`` names."""
    if not name.startswith(PREFIX) or not NAME_RE.match(name):
        raise InputError(f"refusing to drop {name!r}: unify drops only {PREFIX}* databases")
    engine = engine_for(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            version = int(conn.execute(sa.text("SHOW server_version_num")).scalar() or 0)
            if version >= 130000:  # ends its sessions and drops it at once: no race
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    except sa.exc.DBAPIError as exc:
        raise connection_error(server, exc) from None
    finally:
        engine.dispose()


def _admin_execute(server: URL, *statements: str) -> None:
    engine = engine_for(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    except sa.exc.DBAPIError as exc:
        raise connection_error(server, exc) from None
    finally:
        engine.dispose()


@contextmanager
def scratch_database(server: URL, purpose: str, kind: ScratchKind) -> Iterator[ScratchDatabase]:
    """A fresh empty database for ``purpose``, dropped on exit, even on error or Ctrl-C.

    ``postgres``: ``CREATE DATABASE unify_<purpose>_<random>`` on the server of ``server``;
    ``sqlite``: a temporary file; ``container``: a testcontainers PostgreSQL (Docker).
    """
    if kind == "sqlite":
        with _sqlite_scratch() as scratch:
            yield scratch
    elif kind == "container":
        with _container_scratch() as scratch:
            yield scratch
    else:
        if not is_postgres(server):
            raise InputError(f"--scratch postgres needs a PostgreSQL URL, not {mask(server)}")
        name = new_name(purpose)
        try:
            url = create_database(server, name)
        except DatabaseError as exc:
            raise DatabaseError(f"{exc} (no scratch database: try --scratch sqlite)") from None
        try:
            yield ScratchDatabase(url=url, kind="postgres")
        finally:
            drop_database(server, name)


@contextmanager
def _sqlite_scratch() -> Iterator[ScratchDatabase]:
    folder = tempfile.mkdtemp(prefix="unify_scratch_")
    try:
        path = Path(folder) / "scratch.db"
        yield ScratchDatabase(url=URL.create("sqlite", database=str(path)), kind="sqlite")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def docker_available() -> bool:
    """True when a Docker engine answers (not only a client on PATH)."""
    if shutil.which("docker") is None:
        return False
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@contextmanager
def _container_scratch() -> Iterator[ScratchDatabase]:
    if not docker_available():
        raise DatabaseError(
            "--scratch container needs a running Docker engine; use postgres or sqlite"
        )
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16") as container:
        yield ScratchDatabase(url=make_url(container.get_connection_url()), kind="container")


def create_schema(scratch: ScratchDatabase, metadata: sa.MetaData) -> None:
    """``create_all`` on a database unify created (the only DDL unify runs on a schema)."""
    engine = engine_for(scratch.url)
    try:
        metadata.create_all(engine)
    except sa.exc.DBAPIError as exc:
        raise connection_error(scratch.url, exc) from None
    except sa.exc.CompileError as exc:
        first = str(exc).splitlines()[0]
        raise DatabaseError(
            f"the unified schema cannot be created on {scratch.kind}: {first}"
        ) from None
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------
# Reading a database that is not ours
# ---------------------------------------------------------------------------


@contextmanager
def read_only(url: URL, timeout_seconds: float) -> Iterator[Connection]:
    """A connection inside one READ ONLY, REPEATABLE READ transaction with a statement
    timeout; rolled back at the end.  Nothing can be written through it."""
    if not is_postgres(url):
        raise InputError(f"{mask(url)}: the verified database must be PostgreSQL")
    engine = engine_for(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            ms = max(1, int(timeout_seconds * 1000))
            conn.execute(sa.text(f"SET LOCAL statement_timeout = {ms}"))
            try:
                yield conn
            finally:
                conn.execute(sa.text("ROLLBACK"))
    except sa.exc.OperationalError as exc:
        raise _timeout_or_connection(url, exc, timeout_seconds) from None
    except sa.exc.DBAPIError as exc:
        raise connection_error(url, exc) from None
    finally:
        engine.dispose()


def _timeout_or_connection(url: URL, exc: sa.exc.DBAPIError, timeout: float) -> DatabaseError:
    if "statement timeout" in str(exc.orig):
        return DatabaseError(
            f"{mask(url)}: a check ran longer than --timeout {timeout:g}s; raise --timeout"
        )
    return connection_error(url, exc)


# the newest databases ``unify restore`` made (verify's scratch databases left out)
RESTORED_DATABASES = r"""
SELECT datname FROM pg_database
WHERE datname LIKE 'unify\_%' AND datname NOT LIKE 'unify\_verify\_%'
ORDER BY oid DESC LIMIT 3
"""


def newest_restored(server: URL) -> URL:
    """The URL of the newest database ``unify restore`` made on ``server``."""
    with read_only(server, 60) as conn:
        restored = conn.execute(sa.text(RESTORED_DATABASES)).scalars().first()
    if restored is None:
        raise InputError(
            f"{mask(server)}: no restored database here; run `unify restore DUMP` first "
            "(or give --database-url)"
        )
    return server.set(database=restored)
