"""The embedded PostgreSQL: the default server of ``restore`` and ``verify`` when no
``--database-url`` is given, started on demand, shared by unify processes running at the same
time, stopped when the last one exits (errors and signals included)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import run_unify
from pgtools import admin, drop
from sqlalchemy.engine import URL

from unify import db, server

pytestmark = pytest.mark.postgres

TRAILER = "\n--\n-- PostgreSQL database dump complete\n--\n\n"


def plain_dump(path: Path, *statements: str) -> Path:
    path.write_text("".join(f"{s};\n" for s in statements) + TRAILER)
    return path


def running(folder: Path) -> bool:
    return server.running(folder)


@pytest.fixture(scope="module")
def own_folder(embedded_pg: URL) -> Iterator[Path]:
    """A folder of the module's own for an embedded server the tests start and stop (the
    session's server, which the session holds, is never stopped by a command)."""
    folder = Path(tempfile.mkdtemp(prefix="unify-test-own-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own(own_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``UNIFY_PG_DIR`` points at the module's own folder for this test's commands."""
    monkeypatch.setenv(server.DIR_ENV, str(own_folder))
    assert not running(own_folder)
    return own_folder


def test_restore_and_verify_default_to_the_embedded_server(
    embedded_pg: URL, built_example_copy: Path
) -> None:
    root = built_example_copy
    restored = run_unify("restore", root / "legacy_dump.sql")
    assert restored.returncode == 0, restored.stderr
    url = db.parse_url(restored.stdout.strip())
    assert server.folder_of(url) == Path(os.environ[server.DIR_ENV])
    assert str(url.database).startswith("unify_restored_legacy_dump_")
    try:
        checked = run_unify("verify", root, "--plan", root / "unify.toml", "-f", "json")
        # the example's plan decides every planted problem: ready, with warnings
        assert checked.returncode == 0, checked.stderr
        assert json.loads(checked.stdout)["ready"] is True
        assert checked.stderr.splitlines()[0] == (
            f"verifying {url.database}, the newest database restored on the embedded PostgreSQL"
        )
        assert json.loads(checked.stdout)["database"] == db.mask(url)
    finally:
        drop(embedded_pg, str(url.database))


def test_the_server_stops_when_the_command_ends(own: Path, tmp_path: Path) -> None:
    dump = plain_dump(tmp_path / "d.sql", "CREATE TABLE t (id integer)", "INSERT INTO t VALUES (7)")
    first = run_unify("restore", dump, "--name", "first")
    assert first.returncode == 0, first.stderr
    assert not running(own)
    assert not list((own / "users").iterdir())
    # the URL it printed names the embedded server: a later command starts it again
    url = db.parse_url(first.stdout.strip())
    assert url.query["host"] == str(own / "run")
    second = run_unify("restore", dump, "--database-url", first.stdout.strip(), "--name", "second")
    assert second.returncode == 0, second.stderr
    assert not running(own)
    with db.target_server(url) as target:
        assert running(own)
        assert admin(target, "SELECT id FROM t") == [7]
        drop(target.set(database="postgres"), "unify_first")
        drop(target.set(database="postgres"), "unify_second")
    assert not running(own)


def test_a_server_in_use_by_another_process_is_left_running(own: Path, tmp_path: Path) -> None:
    dump = plain_dump(tmp_path / "d.sql", "CREATE TABLE t (id integer)")
    with server.embedded(own) as started:
        base = db.parse_url(started)
        proc = run_unify("restore", dump, "--name", "shared")
        assert proc.returncode == 0, proc.stderr
        assert running(own)  # this process still uses it
        drop(base, "unify_shared")
    assert not running(own)


def test_a_user_that_died_does_not_keep_the_server_running(own: Path, tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (own / "users").mkdir(exist_ok=True)
    (own / "users" / dead.stdout.strip()).touch()  # a unify process killed outright
    dump = plain_dump(tmp_path / "d.sql", "CREATE TABLE t (id integer)")
    proc = run_unify("restore", dump, "--name", "after_death")
    assert proc.returncode == 0, proc.stderr
    assert not running(own)
    with server.embedded(own) as started:
        base = db.parse_url(started)
        drop(base, "unify_after_death")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_server_and_drops_the_new_database(
    own: Path, tmp_path: Path, signum: int, code: int
) -> None:
    dump = plain_dump(tmp_path / "slow.sql", "CREATE TABLE t (id integer)", "SELECT pg_sleep(120)")
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "unify", "restore", str(dump), "--name", "slow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait_for_sleep(own, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=180)
    finally:
        proc.kill()
    stopped = not running(own)
    with server.embedded(own) as started:
        base = db.parse_url(started)
        left = "unify_slow" in admin(base, "SELECT datname FROM pg_database")
        drop(base, "unify_slow")  # so that a failure here does not fail the next case
    assert (proc.returncode, err) == (code, f"error: {_INTERRUPTED[code]}\n")
    assert stopped
    assert not left


_INTERRUPTED = {130: "interrupted (SIGINT)", 143: "terminated (SIGTERM)"}


def _wait_for_sleep(folder: Path, proc: subprocess.Popen[str]) -> None:
    """Until the restore's psql runs its pg_sleep on the embedded server of ``folder``."""
    url = db.parse_url(server.server_url(folder))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if running(folder):
            try:
                found = admin(
                    url,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()",
                )
            except sa.exc.OperationalError:
                found = [0]
            if found != [0]:
                return
        time.sleep(0.2)
    pytest.fail("the restore never reached its pg_sleep")
