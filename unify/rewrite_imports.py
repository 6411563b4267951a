"""``unify rewrite``: rewrite every import of a legacy module across a repository.

Flow: list the repository's files (``unify.scan``) -> cheap text prefilter -> parse and
rewrite the candidates (a process pool for large repositories; workers return new text and
never write) -> one ``FileOutcome`` per candidate -> ``apply_rewrites`` writes all of them or
none: each file is checked unchanged since it was read, written to a temporary file in its
own folder, then moved into place with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import subprocess
import tempfile
import tokenize
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import libcst as cst

from unify.errors import RewriteAborted
from unify.models import (
    Failed,
    FileOutcome,
    Finding,
    RenameMap,
    RewriteResult,
    Rewritten,
    Skipped,
    SourceFile,
    Unchanged,
)
from unify.rewrite_map import RenameIndex, build_rename_index, prefilter
from unify.rewrite_plan import module_exports
from unify.rewrite_transform import RULES, finding, rewrite_source
from unify.scan import ModuleIndex, describe_files, list_repo_files

__all__ = ["RULES", "apply_rewrites", "dirty_files", "pending", "rewrite_repo"]

Progress = Callable[[int, int], None]
POOL_THRESHOLD = 40  # candidates below this are rewritten in-process


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def rewrite_repo(
    root: Path,
    rename_map: RenameMap,
    *,
    include_other_suffixes: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    legacy_paths: tuple[str, ...] = (),
    compat_module: str | None = None,
) -> RewriteResult:
    """Compute every candidate file's outcome; nothing is written.  ``legacy_paths`` (the
    plan's legacy files, repo-relative) limits the legacy modules to those files;
    ``compat_module`` names the plan's compat module in findings."""
    files = list_repo_files(root)
    # a plan's legacy file already deleted keeps its place in the index, so that its
    # importers (and only they) still resolve to it
    absent = tuple(sorted(set(legacy_paths) - set(files.python)))
    described = describe_files(files.root, [*files.python, *absent])
    sources = tuple(f for f in described if f.rel not in absent)
    names = build_rename_index(rename_map, ModuleIndex(described), legacy_paths, absent)
    extra = _other_sources(files.other_python) if include_other_suffixes else ()
    pattern = prefilter(names.tokens)
    candidates = [f for f in (*sources, *extra) if _mentions(files.root / f.rel, pattern)]
    outcomes = list(_skipped(candidates, names))
    todo = [
        f for f in candidates if f.rel not in names.legacy_files and f.rel not in names.target_files
    ]
    outcomes.extend(_run(files.root, todo, names, jobs or default_jobs(), progress))
    outcomes.sort(key=lambda o: o.path)
    return RewriteResult(
        root=str(files.root),
        outcomes=tuple(outcomes),
        findings=tuple(
            [
                *_run_findings(names, files.other_python, include_other_suffixes, compat_module),
                *_unreadable(outcomes),
            ]
        ),
        files_scanned=len(sources) + len(extra),
        candidates=len(candidates),
        other_python_files=files.other_python,
    )


def _other_sources(rels: Iterable[str]) -> tuple[SourceFile, ...]:
    """Files kept under another suffix, named as the ``.py`` file they would be."""
    out: list[SourceFile] = []
    for rel in rels:
        p = PurePosixPath(rel)
        stem = p.name.split(".py", 1)[0] if ".py" in p.name else p.stem
        named = describe_files(Path("."), [str(p.with_name(stem + ".py"))])[0]
        out.append(SourceFile(rel=rel, module=named.module, root=named.root))
    return tuple(out)


def _mentions(path: Path, pattern: re.Pattern[bytes] | None) -> bool:
    if pattern is None:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return True  # reported as skipped when read for real
    return pattern.search(data) is not None


def _skipped(candidates: list[SourceFile], names: RenameIndex) -> Iterator[FileOutcome]:
    for f in candidates:
        module = names.legacy_files.get(f.rel) or names.target_files.get(f.rel)
        if f.rel in names.target_files:
            reason = f"target module {module} (written by unify build)"
        elif module in names.moves:
            reason = f"legacy module {module} (to delete)"
        elif module is not None:
            reason = f"module {module} keeps its file; its renamed names are written by unify build"
        else:
            continue
        yield Skipped(path=f.rel, reason=reason)


def _run_findings(
    names: RenameIndex, other: tuple[str, ...], included: bool, compat: str | None
) -> list[Finding]:
    out = [_missing(m, m == compat) for m in names.missing]
    targets = set(names.moves.values()) | {m for m, _ in names.renames.values()}
    out += [
        finding(
            "target-module-missing", f"target module {m} has no file yet (run unify build first)"
        )
        for m in sorted(targets - set(names.target_files.values()))
    ]
    if not included:
        out += [
            finding(
                "python-under-other-suffix",
                "Python kept under another suffix; not rewritten (pass --include-other-suffixes)",
                rel,
            )
            for rel in other
        ]
    return out


def _missing(module: str, is_compat: bool) -> Finding:
    if is_compat:
        message = (
            f"compat module {module} has no file in the repository; "
            "imports of it are rewritten all the same"
        )
    else:
        message = f"legacy module {module} has no file in the repository"
    return finding("legacy-module-missing", message)


def _unreadable(outcomes: list[FileOutcome]) -> Iterator[Finding]:
    """Files skipped because they cannot be read or parsed: their imports were not checked."""
    for o in outcomes:
        if isinstance(o, Skipped) and o.reason.startswith(("does not parse", "cannot read")):
            yield finding("unparsable-file", f"{o.reason}; its imports were not rewritten", o.path)


# ---------------------------------------------------------------------------
# Per-file work (in-process or in a pool)
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Job:
    root: Path
    names: RenameIndex
    exports: dict[str, frozenset[str] | None]

    def lookup(self, module: str) -> frozenset[str] | None:
        if module not in self.exports:
            self.exports[module] = _exports_of(self, module, set())
        return self.exports[module]


_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _JOB
    _JOB = job


def _work(source: SourceFile) -> FileOutcome:
    assert _JOB is not None
    return rewrite_file(_JOB, source)


def _run(
    root: Path, todo: list[SourceFile], names: RenameIndex, jobs: int, progress: Progress | None
) -> Iterator[FileOutcome]:
    job = _Job(root=root, names=names, exports={})
    if jobs <= 1 or len(todo) < POOL_THRESHOLD:
        _init_worker(job)
        for i, source in enumerate(todo, 1):
            yield rewrite_file(job, source)
            if progress:
                progress(i, len(todo))
        return
    chunk = max(1, len(todo) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(job,)) as pool:
        for i, outcome in enumerate(pool.map(_work, todo, chunksize=chunk), 1):
            yield outcome
            if progress:
                progress(i, len(todo))


def rewrite_file(job: _Job, source: SourceFile) -> FileOutcome:
    """One file's outcome; never raises."""
    path = job.root / source.rel
    try:
        data = path.read_bytes()
        encoding, text = decode(data)
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        return Skipped(path=source.rel, reason=f"cannot read: {_one_line(exc)}")
    try:
        result = rewrite_source(text, source.rel, source, job.names, job.lookup)
    except cst.ParserSyntaxError as exc:
        return Skipped(
            path=source.rel, reason=f"does not parse (line {exc.raw_line}): {exc.message}"
        )
    except Exception as exc:  # a bug must not stop the other files: report it
        return Failed(path=source.rel, error=f"{type(exc).__name__}: {_one_line(exc)}")
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


def _one_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _exports_of(job: _Job, module: str, seen: set[str]) -> frozenset[str] | None:
    rel = next((r for r, m in job.names.legacy_files.items() if m == module), None)
    if rel is None or module in seen:
        return None
    seen.add(module)
    source = job.names.index.by_rel[rel]
    try:
        text = decode((job.root / rel).read_bytes())[1]

        def star(written: str, level: int) -> frozenset[str]:
            hit = job.names.index.resolve(source, written, level)
            found = _exports_of(job, hit.module, seen) if hit else None
            return found or frozenset()

        return module_exports(text, star)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------------------
# Applying: all or nothing
# ---------------------------------------------------------------------------


def pending(result: RewriteResult) -> list[Rewritten]:
    return [o for o in result.outcomes if isinstance(o, Rewritten)]


def apply_rewrites(result: RewriteResult, *, allow_dirty: bool = False) -> int:
    """Write every rewritten file, or none; return how many were written."""
    failed = [o for o in result.outcomes if isinstance(o, Failed)]
    if failed:
        raise RewriteAborted(
            f"{len(failed)} file(s) failed, nothing written: {failed[0].path}: {failed[0].error}"
        )
    todo = pending(result)
    root = Path(result.root)
    if not allow_dirty:
        dirty = dirty_files(root, [o.path for o in todo])
        if dirty:
            raise RewriteAborted(
                f"{len(dirty)} file(s) to rewrite have uncommitted changes ({dirty[0]}); "
                "commit or stash them, or pass --allow-dirty"
            )
    for outcome in todo:
        _check_unchanged(root, outcome)
    staged = _stage(root, todo)
    for temp, target in staged:
        os.replace(temp, target)
    return len(staged)


def _check_unchanged(root: Path, outcome: Rewritten) -> None:
    try:
        data = (root / outcome.path).read_bytes()
    except OSError as exc:
        raise RewriteAborted(
            f"{outcome.path}: cannot read it again ({_one_line(exc)}); nothing written"
        ) from None
    if hashlib.sha256(data).hexdigest() != outcome.digest:
        raise RewriteAborted(
            f"{outcome.path} changed since it was read; nothing written (run again)"
        )


def _stage(root: Path, todo: list[Rewritten]) -> list[tuple[str, Path]]:
    """Temporary files next to their targets, with the targets' mode; removed on failure."""
    staged: list[tuple[str, Path]] = []
    try:
        for outcome in todo:
            target = (root / outcome.path).resolve()
            fd, temp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".unify", dir=target.parent
            )
            staged.append((temp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(outcome.new_text.encode(outcome.encoding))
            os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
    except (OSError, UnicodeEncodeError) as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise RewriteAborted(
            f"cannot write the rewritten files ({_one_line(exc)}); nothing written"
        ) from None
    return staged


def dirty_files(root: Path, rels: list[str]) -> list[str]:
    """Those of ``rels`` with uncommitted changes; empty outside a git work tree."""
    if not rels:
        return []
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "-z", "--", *rels],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if proc.returncode != 0:
        return []
    entries = [e for e in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if e]
    # untracked files count too: git could not give their content back
    return sorted(e[3:] for e in entries if len(e) > 3 and e[2] == " ")
