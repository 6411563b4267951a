"""What stops a run: one ``UnifyError`` hierarchy with one-line messages.

Findings are data (``unify.models.Finding``); these exceptions are for the cases where
unify cannot go on (bad options, unreadable paths, unreachable databases).  They are
picklable, so they survive a process pool.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterable, Iterator
from enum import IntEnum
from types import FrameType


class ExitCode(IntEnum):
    """The documented exit codes of every command."""

    CLEAN = 0  # no error finding, nothing to do
    FINDINGS = 1  # error findings, drift, or a failed self-check
    ERROR = 2  # usage, input or environment error


class UnifyError(Exception):
    """A one-line reason the run stopped.  Subclasses only name the kind."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type[UnifyError], tuple[str]]:
        return (type(self), (self.message,))

    def __str__(self) -> str:
        return self.message


class InputError(UnifyError):
    """A path, file or argument that cannot be used."""


class PlanError(UnifyError):
    """The decisions file is invalid; every problem is gathered into one message."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    def __reduce__(self) -> tuple[type[PlanError], tuple[str, tuple[str, ...]]]:  # type: ignore[override]
        return (type(self), (self.message, self.problems))

    @classmethod
    def gathered(cls, path: str, problems: Iterable[str]) -> PlanError:
        items = tuple(problems)
        return cls(f"{path}: {len(items)} problem(s): " + "; ".join(items), items)


class DatabaseError(UnifyError):
    """A database that cannot be reached or used.  Messages never carry a password."""


class RewriteAborted(UnifyError):
    """A rewrite that wrote nothing because a file failed, changed, or the tree is dirty."""


def reason(exc: BaseException) -> str:
    """Why ``exc`` happened, in the user's words (never the exception's class name): the
    system's reason for an OS error, where decoding or parsing stopped, else its first line."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid {exc.encoding}: {exc.reason} at byte {exc.start}"
    if isinstance(exc, SyntaxError):
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return f"syntax error{where}: {exc.msg}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else "an unexpected failure"


class ArchiveAborted(UnifyError):
    """An archive that changed nothing: a move or deletion failed and what was done was put
    back."""


class Interrupted(UnifyError):
    """A run stopped by SIGINT or SIGTERM; the exit code is the shell's (128 + the signal)."""

    def __init__(self, message: str, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = int(signum)
        self.exit_code = 128 + self.signum  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[Interrupted], tuple[str, int]]:  # type: ignore[override]
        return (type(self), (self.message, self.signum))


@contextlib.contextmanager
def interruptible(note: str = "") -> Iterator[None]:
    """Inside the block SIGTERM raises as SIGINT does, and either becomes ``Interrupted``
    (exit 128 + the signal, its message ending with ``note``), so that the caller cleans up on
    the way out.  Outside the main thread (no signal handlers there) the block runs as is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(f"terminated (SIGTERM){note}", signum=signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted (SIGINT){note}", signum=signal.SIGINT) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
