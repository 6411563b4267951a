"""Restore a pg_dump (plain SQL or custom format) into a NEW database unify creates.

Never into an existing database: the URL only names the server.  Dumps from newer servers
are tolerated: ``SET`` parameters this server does not know, ``\\restrict`` lines, and
``OWNER TO``/``GRANT`` for roles that do not exist here are filtered out and reported.
A half-restored database is dropped.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify import db
from unify.errors import DatabaseError, InputError
from unify.models import RestoreResult

DumpFormat = Literal["plain", "custom"]
CUSTOM_MAGIC = b"PGDMP"
# archive version (major, minor) -> the PostgreSQL release whose pg_dump first wrote it
ARCHIVE_RELEASE = {(1, 14): 12, (1, 15): 16, (1, 16): 17}
RESTORE_TIMEOUT = 6 * 3600

SET_RE = re.compile(r"^SET\s+(?:SESSION\s+|LOCAL\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=|TO)\s", re.I)
SET_CONFIG_RE = re.compile(r"set_config\(\s*'([A-Za-z_][A-Za-z0-9_.]*)'", re.I)
OWNER_RE = re.compile(r"\bOWNER\s+TO\s+(\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)\s*;\s*$", re.I)
GRANT_RE = re.compile(
    r"^(GRANT|REVOKE)\b.*\b(?:TO|FROM)\s+(\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)", re.I
)
META_RE = re.compile(r"^\\(restrict|unrestrict|connect|c)\b")
DATABASE_RE = re.compile(r"^(CREATE|DROP|ALTER)\s+DATABASE\b", re.I)


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What the target server knows: its settings and roles."""

    settings: frozenset[str]
    roles: frozenset[str]


def restore_dump(
    dump: Path, server: URL, name: str | None = None, container: bool = False
) -> RestoreResult:
    """Create ``unify_<name>`` on the server of ``server`` and restore ``dump`` into it.

    With ``container``, a custom-format archive is read by the pg_restore of a PostgreSQL
    container of the dump's release (Docker), and its SQL restored here like a plain dump.
    """
    fmt = detect_format(dump)
    if not db.is_postgres(server):
        raise InputError(f"--database-url must name a PostgreSQL server, not {db.mask(server)}")
    if container and not db.docker_available():
        raise DatabaseError(
            "--container needs a running Docker engine; dump again with -Fp instead"
        )
    if fmt == "custom" and not container:
        check_archive(dump)
    database = db.checked_name(name) if name else db.new_name(f"restored_{dump.stem}")
    target = db.create_database(server, database)
    try:
        skipped = _restore_into(dump, fmt, target, container)
    except BaseException:
        db.drop_database(server, database)
        raise
    return RestoreResult(
        database=database, url=db.mask(target), dump_format=fmt, skipped=tuple(skipped)
    )


def _restore_into(dump: Path, fmt: DumpFormat, target: URL, container: bool) -> list[str]:
    if fmt == "custom" and not container:
        return run_pg_restore(dump, target)
    facts = server_facts(target)
    if fmt == "custom":
        text = archive_to_sql_in_docker(dump)
    else:
        text = dump.read_text(encoding="utf-8", errors="surrogateescape")
    filtered, skipped = filter_plain_sql(text, facts)
    run_psql(filtered, target)
    return skipped


def detect_format(dump: Path) -> DumpFormat:
    """``custom`` for a pg_dump archive (``PGDMP`` magic), ``plain`` for SQL text."""
    if dump.is_dir():
        raise InputError(f"{dump}: directory-format dumps are not supported; use -Fp or -Fc")
    try:
        with dump.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise InputError(f"{dump}: cannot read ({exc.strerror})") from None
    if head.startswith(CUSTOM_MAGIC):
        return "custom"
    if b"\0" in head:
        raise InputError(f"{dump}: not a pg_dump file (neither plain SQL nor custom format)")
    return "plain"


def archive_version(dump: Path) -> tuple[int, int, int]:
    """The (major, minor, rev) archive version in a custom-format header."""
    with dump.open("rb") as fh:
        head = fh.read(8)
    return head[5], head[6], head[7]


def check_archive(dump: Path) -> None:
    """Ask the local pg_restore to list the archive; a one-line error if it cannot."""
    proc = _run(["pg_restore", "--list", str(dump)], env=None, timeout=600)
    if proc.returncode == 0:
        return
    err = proc.stderr.decode("utf-8", "replace")
    if "unsupported version" in err:
        major, minor, _ = archive_version(dump)
        release = ARCHIVE_RELEASE.get((major, minor), "a newer")
        raise InputError(
            f"{dump}: custom-format archive {major}.{minor} (from PostgreSQL {release}) is newer "
            "than the local pg_restore; dump again with -Fp (plain SQL), use a matching "
            "pg_restore, or pass --container to restore it with PostgreSQL in Docker"
        )
    raise InputError(f"{dump}: pg_restore cannot read it: {_first_line(err)}")


def archive_to_sql_in_docker(dump: Path) -> str:
    """The archive as SQL, written by the pg_restore of ``postgres:<release>`` in Docker."""
    major, minor, _ = archive_version(dump)
    image = f"postgres:{ARCHIVE_RELEASE.get((major, minor), 'latest')}"
    args = ["docker", "run", "--rm", "-i", image, "pg_restore", "--no-owner", "--no-privileges"]
    with dump.open("rb") as fh:
        try:
            proc = subprocess.run(
                [*args, "-f", "-"],
                stdin=fh,
                capture_output=True,
                timeout=RESTORE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DatabaseError(f"docker pg_restore failed: {type(exc).__name__}") from None
    if proc.returncode != 0:
        raise DatabaseError(
            f"{image} pg_restore failed: {_first_error(proc.stderr.decode('utf-8', 'replace'))}"
        )
    return proc.stdout.decode("utf-8", "surrogateescape")


def server_facts(target: URL) -> ServerFacts:
    """The setting names and role names the server knows."""
    engine = db.engine_for(target)
    try:
        with engine.connect() as conn:
            settings = conn.execute(sa.text("SELECT name FROM pg_settings")).scalars().all()
            roles = conn.execute(sa.text("SELECT rolname FROM pg_roles")).scalars().all()
    except sa.exc.DBAPIError as exc:
        raise db.connection_error(target, exc) from None
    finally:
        engine.dispose()
    return ServerFacts(settings=frozenset(s.lower() for s in settings), roles=frozenset(roles))


# ---------------------------------------------------------------------------
# Plain SQL
# ---------------------------------------------------------------------------


def filter_plain_sql(text: str, facts: ServerFacts) -> tuple[str, list[str]]:
    """Drop the lines this server would reject; return the kept text and what was skipped.

    Only whole statements that sit on one line outside ``COPY`` data are considered.
    """
    kept: list[str] = []
    skipped: list[str] = []
    in_copy = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if in_copy:
            in_copy = stripped != "\\."
            kept.append(line)
            continue
        reason = None if stripped.startswith("--") else _skip_reason(stripped, facts)
        if reason:
            skipped.append(f"{reason}: {stripped[:120]}")
            continue
        in_copy = bool(re.match(r"^COPY\b.*\bFROM\s+stdin;\s*$", stripped, re.I))
        kept.append(line)
    return "".join(kept), skipped


def _skip_reason(line: str, facts: ServerFacts) -> str | None:
    if META_RE.match(line):
        return "psql meta-command"
    if DATABASE_RE.match(line):
        return "database-level statement"
    set_match = SET_RE.match(line) or (
        SET_CONFIG_RE.search(line) if line.upper().startswith("SELECT") else None
    )
    setting = set_match.group(1) if set_match else "."
    if "." not in setting and setting.lower() not in facts.settings:
        return "unknown setting"
    owner = OWNER_RE.search(line) if line.upper().startswith("ALTER") else None
    if owner and _role(owner.group(1)) not in facts.roles:
        return "missing role"
    grant = GRANT_RE.match(line)
    if grant and _role(grant.group(2)) not in facts.roles | {"public", "PUBLIC"}:
        return "missing role"
    return None


def _role(token: str) -> str:
    return token[1:-1].replace('""', '"') if token.startswith('"') else token.lower()


def run_psql(sql: str, target: URL) -> None:
    """Run ``sql`` with ``psql -v ON_ERROR_STOP=1`` in one transaction."""
    conninfo, env = db.libpq_url(target)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".sql", encoding="utf-8", errors="surrogateescape"
    ) as fh:
        fh.write(sql)
        fh.flush()
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        proc = _run([*args, "-d", conninfo, "-f", fh.name], env=env, timeout=RESTORE_TIMEOUT)
    if proc.returncode != 0:
        err = _first_error(proc.stderr.decode("utf-8", "replace"))
        raise DatabaseError(f"restore into {db.mask(target)} failed: {err}")


def run_pg_restore(dump: Path, target: URL) -> list[str]:
    """``pg_restore --no-owner --no-privileges`` into ``target``; owners/ACLs are skipped."""
    conninfo, env = db.libpq_url(target)
    args = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    proc = _run([*args, "-d", conninfo, str(dump)], env=env, timeout=RESTORE_TIMEOUT)
    if proc.returncode != 0:
        err = _first_error(proc.stderr.decode("utf-8", "replace"))
        raise DatabaseError(f"restore into {db.mask(target)} failed: {err}")
    return ["owners and privileges (pg_restore --no-owner --no-privileges)"]


def _run(
    args: list[str], env: dict[str, str] | None, timeout: int
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, env=env, timeout=timeout, check=False)
    except FileNotFoundError:
        raise InputError(f"{args[0]} not found on PATH (install the PostgreSQL client)") from None
    except subprocess.TimeoutExpired:
        raise DatabaseError(f"{args[0]} ran longer than {timeout}s") from None


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "ERROR" in ln or "FATAL" in ln or "error" in ln]
    return _first_line("\n".join(errors or lines) or "unknown error")


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "unknown error")
