"""Restore a pg_dump (plain SQL or custom format) into a NEW database unify creates.

Never into an existing database: the URL only names the server.  In order:

1. ``detect_format``: plain SQL or a custom-format archive (``PGDMP``).
2. Before any database is created: a plain dump must be whole (``unify.dump.complete``:
   trailer, ``\\restrict`` closed, COPY data ended, no cut statement); an archive must be
   listable by the local ``pg_restore`` (``check_archive``).
3. A plain dump is filtered (``unify.dump.filter``): what this server would reject (unknown
   ``SET`` parameters, ``\\restrict``/``\\connect``, database-level statements, and grants,
   revokes, default privileges and owners for roles that do not exist here) is skipped whole
   and listed.  An archive is restored with ``pg_restore --no-owner --no-acl``, which says so.
4. ``psql``/``pg_restore`` run in one transaction; their errors name the user's dump and its
   line (``unify.dump.messages``), and the half-restored database is dropped.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify import db
from unify.dump import messages
from unify.dump.complete import checked
from unify.dump.filter import FilteredScript, ServerFacts, filter_plain_sql
from unify.dump.script import split_script
from unify.errors import DatabaseError, InputError
from unify.models import RestoreResult
from unify.server import tool

DumpFormat = Literal["plain", "custom"]
CUSTOM_MAGIC = b"PGDMP"
# archive version (major, minor) -> the PostgreSQL release whose pg_dump first wrote it
ARCHIVE_RELEASE = {(1, 14): 12, (1, 15): 16, (1, 16): 17}
RESTORE_TIMEOUT = 6 * 3600
PG_RESTORE_SKIPS = ("--no-owner", "--no-acl")
FEED_LINES = 20_000  # lines of a plain dump written to psql at a time
# pg_restore --verbose: the line that starts an archive entry, and every line it adds
ENTRY_RE = re.compile(r"^pg_restore: (creating|processing data for|executing) ")
VERBOSE_RE = re.compile(
    r"^pg_restore: (creating|processing|executing|connecting|launching|finished|disabling|"
    r"enabling|dropping|setting|implied|reconnecting|entering|while|from TOC)"
)
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlainScript:
    """A plain dump checked and filtered: what psql runs and how to name its lines."""

    label: str
    text: str
    filtered: FilteredScript
    also_skipped: tuple[str, ...] = ()  # what pg_restore left out turning an archive to SQL

    def skipped(self) -> tuple[str, ...]:
        found = tuple(f"{s.reason}: {s.statement}" for s in self.filtered.skipped)
        return self.also_skipped + found

    def counts(self) -> tuple[tuple[str, int], ...]:
        return self.filtered.counts()


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """A custom-format archive the local pg_restore can list (``toc``: its ``--list``)."""

    path: Path
    toc: str

    def skipped(self) -> tuple[str, ...]:
        return archive_skips(self.toc)

    def counts(self) -> tuple[tuple[str, int], ...]:
        return ()


def restore_dump(
    dump: Path,
    server: URL,
    name: str | None = None,
    container: bool = False,
    *,
    progress: Progress | None = None,
) -> RestoreResult:
    """Create ``unify_<name>`` on the server of ``server`` and restore ``dump`` into it.

    With ``container``, a custom-format archive is read by the pg_restore of a PostgreSQL
    container of the dump's release (Docker), and its SQL restored here like a plain dump.
    ``progress(done, total)`` follows the restore: lines of a plain dump fed to psql (its
    COPY rows included), or the archive's entries pg_restore has processed.
    """
    fmt = detect_format(dump)
    if not db.is_postgres(server):
        raise InputError(f"--database-url must name a PostgreSQL server, not {db.mask(server)}")
    if container and not db.docker_available():
        raise DatabaseError(
            "--container needs a running Docker engine; dump again with -Fp instead"
        )
    facts = server_facts(server)
    source: Archive | PlainScript = (
        prepare_archive(dump, facts)
        if fmt == "custom" and not container
        else prepare_script(dump, fmt, facts)
    )
    database = db.checked_name(name) if name else db.new_name(f"restored_{dump.stem}")
    target = db.create_database(server, database)
    try:
        if isinstance(source, Archive):
            run_pg_restore(source, target, database, progress)
        else:
            run_psql(source, target, database, progress)
    except BaseException:
        db.drop_database(server, database)
        raise
    return RestoreResult(
        database=database,
        url=db.mask(target),
        dump_format=fmt,
        skipped=source.skipped(),
        skipped_counts=source.counts(),
    )


def prepare_archive(dump: Path, facts: ServerFacts) -> Archive | PlainScript:
    """The archive, once pg_restore has listed it.  A server older than pg_restore would
    reject the settings it sends first (``transaction_timeout``): for it, the archive is
    turned to SQL and filtered like a plain dump."""
    toc = check_archive(dump)
    release = client_release()
    if facts.version is None or release is None or facts.version // 10000 >= release:
        return Archive(path=dump, toc=toc)
    text = archive_to_sql(dump)
    return _script(text, f"{dump} (as SQL from pg_restore {release})", facts, archive_skips(toc))


def prepare_script(dump: Path, fmt: DumpFormat, facts: ServerFacts) -> PlainScript:
    """The dump's SQL (a plain dump, or an archive turned to SQL in Docker), checked whole
    and filtered for this server."""
    if fmt == "custom":
        text, label = archive_to_sql_in_docker(dump)
        unlisted = "privileges: every GRANT and REVOKE of the archive (pg_restore --no-acl)"
        return _script(text, label, facts, (*archive_skips("")[:1], unlisted))
    return _script(read_plain(dump), str(dump), facts)


def _script(text: str, label: str, facts: ServerFacts, also: tuple[str, ...] = ()) -> PlainScript:
    pieces = checked(split_script(text), text, label)
    filtered = filter_plain_sql(text, facts, pieces)
    return PlainScript(label=label, text=text, filtered=filtered, also_skipped=also)


def client_release() -> int | None:
    """The major release of the pg_restore unify runs (18 for the embedded wheel's)."""
    proc = _run(["pg_restore", "--version"], env=None, timeout=60)
    found = re.search(rb"\) (\d+)", proc.stdout)
    return int(found.group(1)) if proc.returncode == 0 and found else None


def archive_to_sql(dump: Path) -> str:
    """The archive as SQL, written by pg_restore without owners and privileges."""
    proc = _run(["pg_restore", *PG_RESTORE_SKIPS, "-f", "-", str(dump)], None, RESTORE_TIMEOUT)
    if proc.returncode != 0:
        raise InputError(_unreadable(dump, proc.stderr.decode("utf-8", "replace")))
    return proc.stdout.decode("utf-8", "surrogateescape")


def read_plain(dump: Path) -> str:
    try:
        return dump.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise InputError(f"{dump}: cannot read ({exc.strerror})") from None


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


def check_archive(dump: Path) -> str:
    """The archive's table of contents from the local pg_restore; a one-line error if it
    cannot list it (newer than this pg_restore, truncated, damaged)."""
    proc = _run(["pg_restore", "--list", str(dump)], env=None, timeout=600)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 0:
        return proc.stdout.decode("utf-8", "replace")
    if "unsupported version" in err:
        major, minor, _ = archive_version(dump)
        release = ARCHIVE_RELEASE.get((major, minor))
        origin = f"PostgreSQL {release}" if release else "a newer PostgreSQL"
        raise InputError(
            f"{dump}: custom-format archive {major}.{minor} (from {origin}) is newer "
            "than the local pg_restore; dump again with -Fp (plain SQL), use a matching "
            "pg_restore, or pass --container to restore it with PostgreSQL in Docker"
        )
    raise InputError(_unreadable(dump, err))


def _unreadable(dump: Path, stderr: str) -> str:
    return (
        f"{dump}: pg_restore cannot read this custom-format archive "
        f"({messages.first_error(stderr)}): it is truncated or damaged (dump the database again)"
    )


def archive_to_sql_in_docker(dump: Path) -> tuple[str, str]:
    """The archive as SQL, written by the pg_restore of ``postgres:<release>`` in Docker,
    and the name its lines go by in messages."""
    major, minor, _ = archive_version(dump)
    image = f"postgres:{ARCHIVE_RELEASE.get((major, minor), 'latest')}"
    args = ["docker", "run", "--rm", "-i", image, "pg_restore", *PG_RESTORE_SKIPS]
    with dump.open("rb") as fh:
        try:
            proc = subprocess.run(
                [*args, "-f", "-"],
                stdin=fh,
                capture_output=True,
                timeout=RESTORE_TIMEOUT,
                check=False,
            )
        except OSError as exc:
            raise DatabaseError(f"docker could not run: {exc.strerror}") from None
        except subprocess.TimeoutExpired:
            raise DatabaseError(f"docker pg_restore ran longer than {RESTORE_TIMEOUT}s") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        if messages.is_truncated(err):
            raise InputError(_unreadable(dump, err))
        raise DatabaseError(f"{image} pg_restore failed: {messages.first_error(err)}")
    return proc.stdout.decode("utf-8", "surrogateescape"), f"{dump} (as SQL from {image})"


def server_facts(server: URL) -> ServerFacts:
    """The setting names and role names the server knows (both are server-wide)."""
    engine = db.engine_for(server)
    try:
        with engine.connect() as conn:
            settings = conn.execute(sa.text("SELECT name FROM pg_settings")).scalars().all()
            roles = conn.execute(sa.text("SELECT rolname FROM pg_roles")).scalars().all()
            version = conn.execute(sa.text("SHOW server_version_num")).scalar()
    except sa.exc.DBAPIError as exc:
        raise db.connection_error(server, exc) from None
    finally:
        engine.dispose()
    return ServerFacts(
        settings=frozenset(s.lower() for s in settings),
        roles=frozenset(roles),
        version=int(version) if version else None,
    )


# ---------------------------------------------------------------------------
# Running psql and pg_restore
# ---------------------------------------------------------------------------


def run_psql(
    script: PlainScript, target: URL, database: str, progress: Progress | None = None
) -> None:
    """Feed the filtered script to ``psql -v ON_ERROR_STOP=1`` (one transaction) through
    its standard input, a block of lines at a time."""
    conninfo, env = db.libpq_url(target)
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    lines = script.filtered.text.splitlines(keepends=True)
    blocks = (
        ("".join(lines[i : i + FEED_LINES]).encode("utf-8", "surrogateescape"), i + FEED_LINES)
        for i in range(0, len(lines), FEED_LINES)
    )
    code, stderr = _feed([*args, "-d", conninfo, "-f", "-"], env, blocks, len(lines), progress)
    if code != 0:
        err = stderr.decode("utf-8", "replace")
        located = messages.psql_failure(err, "<stdin>", script.filtered, script.text, script.label)
        if located is None:
            failure = messages.first_error(err)
            raise DatabaseError(f"restore into {db.mask(target)} failed: {failure}")
        raise DatabaseError(f"{located} {_stopped(database)}")


def _stopped(database: str, where: str = " there") -> str:
    return f"(the restore stopped{where}; the new database {database} was dropped)"


def run_pg_restore(
    archive: Archive, target: URL, database: str, progress: Progress | None = None
) -> None:
    """``pg_restore --no-owner --no-acl`` into ``target``, in one transaction; its verbose
    lines count the archive's entries as they are processed."""
    conninfo, env = db.libpq_url(target)
    dump = archive.path
    args = ["pg_restore", *PG_RESTORE_SKIPS, "--exit-on-error", "--single-transaction"]
    total = sum(1 for line in archive.toc.splitlines() if line and not line.startswith(";"))
    code, stderr = _follow(
        [*args, "--verbose", "-d", conninfo, str(dump)], env, total, progress
    )
    if code != 0:
        err = "\n".join(
            line for line in stderr.decode("utf-8", "replace").splitlines()
            if not VERBOSE_RE.match(line)
        )
        if messages.is_truncated(err):
            raise InputError(f"{_unreadable(dump, err)}; the new database {database} was dropped")
        raise DatabaseError(f"{dump}: {messages.first_error(err)} {_stopped(database, '')}")


def archive_skips(toc: str) -> tuple[str, ...]:
    """What ``--no-owner --no-acl`` leave out of the archive whose ``--list`` is ``toc``."""
    owners = "owners: every object is owned by the restoring user (pg_restore --no-owner)"
    acls = [_acl_entry(line) for line in toc.splitlines() if " ACL " in line]
    entries = [a for a in acls if a]
    if not entries:
        return (owners,)
    listed = ", ".join(entries)
    return (owners, f"privileges: {len(entries)} ACL entries (pg_restore --no-acl): {listed}")


def _acl_entry(line: str) -> str:
    """``TABLE owned (public)`` from ``3354; 0 0 ACL public TABLE owned ghost``."""
    if line.startswith(";"):
        return ""
    rest = line.partition(" ACL ")[2]
    namespace, _, tag_owner = rest.partition(" ")
    tag = tag_owner.rpartition(" ")[0] or tag_owner
    return tag if namespace == "-" else f"{tag} ({namespace})"


def _feed(
    args: list[str],
    env: dict[str, str] | None,
    blocks: Iterator[tuple[bytes, int]],
    total: int,
    progress: Progress | None,
) -> tuple[int, bytes]:
    """Run ``args`` writing ``blocks`` (bytes, lines done) to its standard input; its exit
    code and standard error (read by a thread, so that neither side blocks)."""
    proc = _start(args, env, stdin=subprocess.PIPE)
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    assert proc.stdin is not None
    try:
        for data, done in blocks:
            proc.stdin.write(data)
            if progress is not None:
                progress(min(done, total), total)
        proc.stdin.close()
    except BrokenPipeError:  # psql stopped at an error: its stderr says which
        pass
    code = _wait(proc, args[0])
    reader.join()
    return code, b"".join(errors)


def _follow(
    args: list[str], env: dict[str, str] | None, total: int, progress: Progress | None
) -> tuple[int, bytes]:
    """Run ``args``, counting its verbose lines that start an archive entry as progress."""
    proc = _start(args, env, stdin=subprocess.DEVNULL)
    assert proc.stderr is not None
    kept: list[bytes] = []
    done = 0
    for line in proc.stderr:
        kept.append(line)
        if ENTRY_RE.match(line.decode("utf-8", "replace")):
            done += 1
            if progress is not None:
                progress(min(done, total), total)
    return _wait(proc, args[0]), b"".join(kept)


def _start(args: list[str], env: dict[str, str] | None, *, stdin: int) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            [tool(args[0]), *args[1:]], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
        )
    except FileNotFoundError:
        raise InputError(f"{args[0]} not found on PATH (install the PostgreSQL client)") from None


def _wait(proc: subprocess.Popen[bytes], tool: str) -> int:
    try:
        return proc.wait(timeout=RESTORE_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise DatabaseError(f"{tool} ran longer than {RESTORE_TIMEOUT}s") from None


def _run(
    args: list[str], env: dict[str, str] | None, timeout: int
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [tool(args[0]), *args[1:]],
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise InputError(f"{args[0]} not found on PATH (install the PostgreSQL client)") from None
    except subprocess.TimeoutExpired:
        raise DatabaseError(f"{args[0]} ran longer than {timeout}s") from None
