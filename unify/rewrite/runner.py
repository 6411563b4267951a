"""Per-file work: read, rewrite, check it compiles -- in-process or in a process pool.

Workers return one ``FileOutcome`` per file and never write; a file that cannot be read or
parsed is skipped, a bug is reported as ``Failed``: one file never stops the others.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import tokenize
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from unify.errors import reason
from unify.models import Failed, FileOutcome, Rewritten, Skipped, SourceFile, Unchanged
from unify.rewrite.history import built_by_unify, legacy_text
from unify.rewrite.map import RenameIndex
from unify.rewrite.source import rewrite_source
from unify.rewrite.stars import Exports, module_exports

Progress = Callable[[int, int], None]
POOL_THRESHOLD = 40  # candidates below this are rewritten in-process


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(slots=True)
class Job:
    """What every worker shares: the repository, the resolved rename map, and the names each
    legacy module supplies to a star import (looked up once per worker)."""

    root: Path
    names: RenameIndex
    exports: dict[str, Exports | None]
    pooled: bool = False  # run in a pool worker (a process of its own)

    def lookup(self, module: str) -> Exports | None:
        if module not in self.exports:
            self.exports[module] = _exports_of(self, module, set())
        return self.exports[module]


_JOB: Job | None = None


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job
    if job.pooled:
        _tune_gc()


def _tune_gc() -> None:
    """In a pool worker: the modules imported so far stay for the worker's life, so they
    are moved out of the collector's sight (``gc.freeze``), and young collections run every
    100,000 allocations instead of 700.  Each file's trees are freed by reference counting
    (libcst's nodes hold no cycles); the collector still runs, only less often."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)


def _work(source: SourceFile) -> FileOutcome:
    assert _JOB is not None
    return rewrite_file(_JOB, source)


def run_files(
    root: Path, todo: list[SourceFile], names: RenameIndex, jobs: int, progress: Progress | None
) -> Iterator[FileOutcome]:
    """Each file's outcome, in order; a pool of ``jobs`` workers for many files."""
    job = Job(root=root, names=names, exports={})
    if jobs <= 1 or len(todo) < POOL_THRESHOLD:
        _init_worker(job)
        for i, source in enumerate(todo, 1):
            yield rewrite_file(job, source)
            if progress:
                progress(i, len(todo))
        return
    chunk = max(1, len(todo) // (jobs * 32))
    job.pooled = True
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(job,)) as pool:
        for i, outcome in enumerate(pool.map(_work, todo, chunksize=chunk), 1):
            yield outcome
            if progress:
                progress(i, len(todo))


def rewrite_file(job: Job, source: SourceFile) -> FileOutcome:
    """One file's outcome; never raises."""
    path = job.root / source.rel
    try:
        data = path.read_bytes()
        encoding, text = decode(data)
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        return Skipped(path=source.rel, reason=f"cannot read: {reason(exc)}")
    try:
        result = rewrite_source(text, source.rel, source, job.names, job.lookup)
    except cst.ParserSyntaxError as exc:
        return Skipped(
            path=source.rel, reason=f"does not parse (line {exc.raw_line}): {exc.message}"
        )
    except Exception as exc:  # a bug must not stop the other files: report it
        return Failed(
            path=source.rel, error=f"unify could not rewrite it ({reason(exc)}); please report it"
        )
    if result.text == text:
        return Unchanged(path=source.rel, findings=result.findings)
    try:
        compile(result.text, source.rel, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) else ""
        return Failed(path=source.rel, error=f"the rewritten file would not compile: {exc}{where}")
    return Rewritten(
        path=source.rel,
        old_text=text,
        new_text=result.text,
        changes=result.changes,
        encoding=encoding,
        digest=hashlib.sha256(data).hexdigest(),
        findings=result.findings,
    )


def decode(data: bytes) -> tuple[str, str]:
    """The encoding (``utf-8-sig`` when there is a BOM) and the text, as Python reads it."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding, data.decode(encoding)


def _exports_of(job: Job, module: str, seen: set[str]) -> Exports | None:
    """What ``from module import *`` supplied: the names of its legacy version (its last
    version in git before ``unify build`` rewrote it, when it did)."""
    rel = next((r for r, m in job.names.legacy_files.items() if m == module), None)
    if rel is None or module in seen:
        return None
    seen.add(module)
    source = job.names.index.by_rel[rel]

    def star(written: str, level: int) -> frozenset[str]:
        hit = job.names.index.resolve(source, written, level)
        found = _exports_of(job, hit.module, seen) if hit else None
        return found.names if found else frozenset()

    try:
        text = decode((job.root / rel).read_bytes())[1]
        now = module_exports(text, star)
        if not built_by_unify(text):
            return Exports(names=now)
        old = legacy_text(job.root, rel)
        if old is None:
            return Exports(names=now, now=now, known=False)
        return Exports(names=module_exports(old, star), now=now)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
