"""Replacing many files all or nothing, even when the run is interrupted or killed.

``replace_files`` (used by rewrite and build):

1. takes the repository's lock (``.unify/lock``) and writes the journal
   ``.unify/journal.json`` (state ``staging``: every target, its original sha256, the new
   sha256, the temp file's name), fsynced;
2. stages: each new text in a temp file next to its target (``.NAME.TOKEN.unify``, the
   target's mode), and a backup of each original under ``.unify/backup-TOKEN/`` (a
   hard link, or a copy), then one ``sync``;
3. switches the journal to ``replacing`` and replaces each target (``os.replace``); SIGINT
   and SIGTERM are deferred until this phase ends (the run then stops as the signal asks);
4. commits: removes the journal, then the backups.

An interrupted or failing run before step 3 removes its temp files and backups (SIGINT and
SIGTERM included); a failure during step 3 rolls back.  SIGKILL cannot be caught: ``recover``
(run first by the next ``rewrite`` or ``build``) reads the journal and rolls the run back,
restoring the originals from the backups after checking their digests -- or, with
``resume``, completes it -- and removes stale temp files and backups.

Test hook: ``UNIFY_FAULT_AT=N`` makes the process send itself ``UNIFY_FAULT_SIGNAL`` (``KILL``,
``INT`` or ``TERM``; default ``KILL``) after the N-th step of the write: one step per file
staged, the switch to ``replacing``, one step per file replaced, and the commit
(``fault_steps`` counts them).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from unify.errors import InputError, Interrupted, interruptible

STATE_DIR = ".unify"
JOURNAL = "journal.json"
LOCK = "lock"
TEMP_SUFFIX = ".unify"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileWrite:
    """New bytes for ``rel`` (relative to the root); ``mode`` for a file that does not exist."""

    rel: str
    data: bytes
    mode: int = 0o644


@dataclass(frozen=True, slots=True, kw_only=True)
class Recovery:
    """What ``recover`` did about an interrupted run."""

    command: str
    action: Literal["rolled-back", "completed", "cleaned"]
    files: int  # files restored (rolled back) or replaced (completed)
    temps_removed: int
    started: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Entry:
    path: str
    temp: str
    backup: str | None  # relative to the state folder; None: the file did not exist
    old: str | None
    new: str


def fault_steps(files: int) -> int:
    """How many steps the test hook counts for a write of ``files`` files."""
    return 2 * files + 2


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def replace_files(root: Path, writes: Sequence[FileWrite], *, command: str) -> int:
    """Replace every file, or none; return how many were written."""
    if not writes:
        return 0
    root = root.resolve()
    state = root / STATE_DIR
    with _locked(state):
        _refuse_pending(state)
        token = secrets.token_hex(4)
        entries = [_entry(root, w, token, i) for i, w in enumerate(writes)]
        journal = {"command": command, "started": _now(), "pid": os.getpid(), "token": token}
        fault = _Fault()
        with interruptible("; nothing written"):
            try:
                _save(state, {**journal, "state": "staging", "entries": _dicts(entries)})
                _stage(root, state, entries, writes, fault)
            except BaseException:
                _discard(root, state, entries)
                _remove(state / JOURNAL)
                raise
        with _signals_deferred() as pending:
            _save(state, {**journal, "state": "replacing", "entries": _dicts(entries)})
            fault.step()
            _replace_all(root, state, entries, fault)
            _remove(state / JOURNAL)
            fault.step()
            _fsync_dir(state)
            _discard(root, state, entries, temps=False)  # (each temp file is its target now)
        _reraise(pending, len(writes))
    return len(writes)


def _refuse_pending(state: Path) -> None:
    if (state / JOURNAL).exists():
        raise InputError(
            f"{state / JOURNAL}: an interrupted run was not recovered; run the command again"
        )


def _entry(root: Path, write: FileWrite, token: str, index: int) -> _Entry:
    target = root / write.rel
    temp = target.with_name(f".{target.name}.{token}{TEMP_SUFFIX}")
    if temp.exists() or temp.is_symlink():
        raise InputError(f"{temp}: exists already; remove it and run again")
    try:
        old = _digest(target) if target.exists() else None
    except OSError as exc:
        raise InputError(f"{write.rel}: cannot read it ({exc.strerror or exc})") from None
    return _Entry(
        path=write.rel,
        temp=temp.relative_to(root).as_posix(),
        backup=None if old is None else f"backup-{token}/{index:06d}",
        old=old,
        new=hashlib.sha256(write.data).hexdigest(),
    )


def _stage(
    root: Path, state: Path, entries: list[_Entry], writes: Sequence[FileWrite], fault: _Fault
) -> None:
    try:
        for folder in _backup_folders(entries):
            (state / folder).mkdir(parents=True, exist_ok=True)
        for entry, write in zip(entries, writes, strict=True):
            target = root / entry.path
            mode = target.stat().st_mode & 0o7777 if entry.old is not None else write.mode
            _write_new(root / entry.temp, write.data, mode)
            if entry.backup is not None:
                _backup(target, state / entry.backup)
            fault.step()
        _sync()  # the temp files and backups are on disk before the journal says replacing
    except (OSError, UnicodeError) as exc:
        raise InputError(f"cannot write the new files ({_reason(exc)}); nothing written") from None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        os.fchmod(fd, mode)


def _backup(target: Path, backup: Path) -> None:
    try:
        os.link(target, backup)
    except OSError:  # no hard links here (another file system): a copy
        shutil.copy2(target, backup)


def _replace_all(root: Path, state: Path, entries: list[_Entry], fault: _Fault) -> None:
    done: list[_Entry] = []
    try:
        for entry in entries:
            os.replace(root / entry.temp, root / entry.path)
            done.append(entry)
            fault.step()
        _sync()
    except OSError as exc:
        for entry in done:
            _restore(root, state, entry)
        _discard(root, state, entries)
        _remove(state / JOURNAL)
        raise InputError(
            f"cannot replace {entry.path} ({_reason(exc)}); rolled back, nothing written"
        ) from None


def _reraise(pending: list[int], written: int) -> None:
    if pending:
        name = signal.Signals(pending[0]).name
        raise Interrupted(
            f"interrupted ({name}) while replacing files: all {written} file(s) were written "
            "first, so the repository is consistent",
            signum=pending[0],
        )


# ---------------------------------------------------------------------------
# Recovery
# ---------------------------------------------------------------------------


def recover(root: Path, *, resume: bool = False) -> Recovery | None:
    """Roll back (or, with ``resume``, complete) an interrupted run found under
    ``root/.unify``, and remove its temp files and backups; ``None`` when there was none."""
    state = root.resolve() / STATE_DIR
    if not state.is_dir():
        return None
    with _locked(state), _signals_deferred() as pending:
        found = _recover(root.resolve(), state, resume)
    if pending:
        signal.raise_signal(pending[0])
    return found


def _recover(root: Path, state: Path, resume: bool) -> Recovery | None:
    journal = _load(state)
    if journal is None:
        # only what unify writes there: a journal never completed, backups never removed
        stale = [
            p
            for p in state.iterdir()
            if p.name == JOURNAL + ".tmp" or (p.name.startswith("backup-") and p.is_dir())
        ]
        for path in stale:
            _remove(path)
        return (
            None
            if not stale
            else Recovery(command="unify", action="cleaned", files=0, temps_removed=0, started="")
        )
    entries = [_Entry(**e) for e in journal["entries"]]
    temps = sum((root / e.temp).exists() for e in entries)
    if journal["state"] != "replacing":
        action: Literal["rolled-back", "completed", "cleaned"] = "cleaned"
        files = 0
    elif resume:
        action, files = "completed", sum(_complete(root, e) for e in entries)
    else:
        action, files = "rolled-back", sum(_restore(root, state, e) for e in entries)
    _discard(root, state, entries)
    _remove(state / JOURNAL)
    return Recovery(
        command=str(journal.get("command", "unify")),
        action=action,
        files=files,
        temps_removed=temps if action != "completed" else 0,
        started=str(journal.get("started", "")),
    )


def _restore(root: Path, state: Path, entry: _Entry) -> bool:
    """Put the original back if the target holds the new text; whether it did."""
    target = root / entry.path
    current = _digest(target) if target.exists() else None
    if current == entry.old:
        return False
    if current != entry.new:
        raise InputError(
            f"{entry.path}: changed since the interrupted run; cannot roll it back "
            f"(its original is in {state / entry.backup if entry.backup else 'no backup'})"
        )
    if entry.backup is None:
        target.unlink()
        return True
    backup = state / entry.backup
    if _digest(backup) != entry.old:
        raise InputError(f"{backup}: the backup of {entry.path} does not match its digest")
    os.replace(backup, target)
    return True


def _complete(root: Path, entry: _Entry) -> bool:
    """Put the new text in place if the target still holds the original; whether it did."""
    target, temp = root / entry.path, root / entry.temp
    current = _digest(target) if target.exists() else None
    if current == entry.new:
        return False
    if current != entry.old or not temp.exists() or _digest(temp) != entry.new:
        raise InputError(f"{entry.path}: cannot complete the interrupted run (changed since)")
    os.replace(temp, target)
    return True


def _discard(root: Path, state: Path, entries: list[_Entry], *, temps: bool = True) -> None:
    """Remove the temp files (unless ``temps`` is False) and backups (never the journal)."""
    for entry in entries if temps else ():
        _remove(root / entry.temp)
    for folder in _backup_folders(entries):
        _remove(state / folder)


def _backup_folders(entries: list[_Entry]) -> set[str]:
    """The run's backup folders under the state folder (``backup-TOKEN``)."""
    return {e.backup.split("/")[0] for e in entries if e.backup}


# ---------------------------------------------------------------------------
# The journal, the lock, signals
# ---------------------------------------------------------------------------


def _dicts(entries: list[_Entry]) -> list[dict[str, Any]]:
    return [
        {"path": e.path, "temp": e.temp, "backup": e.backup, "old": e.old, "new": e.new}
        for e in entries
    ]


def _save(state: Path, journal: dict[str, Any]) -> None:
    """Atomically (temp file, fsync, replace, fsync of the folder)."""
    temp = state / (JOURNAL + ".tmp")
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, state / JOURNAL)
    _fsync_dir(state)


def _load(state: Path) -> dict[str, Any] | None:
    try:
        text = (state / JOURNAL).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{state / JOURNAL}: cannot read it ({exc.strerror})") from None
    try:
        journal: dict[str, Any] = json.loads(text)
    except ValueError:
        raise InputError(f"{state / JOURNAL}: not a journal unify wrote") from None
    return journal


@contextlib.contextmanager
def _locked(state: Path) -> Iterator[None]:
    """The folder's write lock (released by the kernel even on SIGKILL); the state folder is
    removed afterwards when nothing is left in it."""
    try:
        state.mkdir(exist_ok=True)
        fd = os.open(state / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"{state}: cannot create it ({_reason(exc)})") from None
    try:
        _lock(fd, state)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield
    finally:
        if not (state / JOURNAL).exists():
            _remove(state / LOCK)
            with contextlib.suppress(OSError):
                state.rmdir()
        os.close(fd)


def _lock(fd: int, state: Path) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise InputError(
            f"{state / LOCK}: another unify run is writing in this folder; wait for it"
        ) from None


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[list[int]]:
    """SIGINT and SIGTERM are recorded, not acted on, until the block ends."""
    pending: list[int] = []
    if not _main_thread():
        yield pending
        return
    signums = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in signums}

    def defer(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    for s in signums:
        signal.signal(s, defer)
    try:
        yield pending
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class _Fault:
    """The ``UNIFY_FAULT_AT`` test hook: counts steps across a process."""

    count = 0

    def __init__(self) -> None:
        self.at = int(os.environ.get("UNIFY_FAULT_AT", "0") or 0)
        self.signum = signal.Signals[f"SIG{os.environ.get('UNIFY_FAULT_SIGNAL', 'KILL')}"]

    def step(self) -> None:
        if not self.at:
            return
        _Fault.count += 1
        if _Fault.count == self.at:
            os.kill(os.getpid(), self.signum)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _sync() -> None:
    """Everything written so far, on disk: one ``sync`` (a file-by-file fsync costs about 4 ms
    a file on ext4)."""
    if hasattr(os, "sync"):
        os.sync()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).splitlines()[0] if str(exc) else "error"


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")
