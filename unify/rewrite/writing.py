"""Applying a rewrite: every file or none.

Each file is checked unchanged since it was read; then ``unify.journal`` replaces them all or
none: temp files next to their targets (with the targets' mode), a journal and backups under
``.unify/``, one ``os.replace`` each, rolled back (or completed with ``--resume``) by the next
run when this one is killed.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from unify.errors import InputError, RewriteAborted, reason
from unify.journal import FileWrite, replace_files
from unify.models import Failed, RewriteResult, Rewritten, Severity


def pending(result: RewriteResult) -> list[Rewritten]:
    return [o for o in result.outcomes if isinstance(o, Rewritten)]


def apply_rewrites(result: RewriteResult, *, allow_dirty: bool = False) -> int:
    """Write every rewritten file, or none; return how many were written.  An error finding
    (the plan names a class that is not there) writes nothing."""
    if any(f.severity is Severity.ERROR for f in result.findings):
        return 0
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
    real_root = root.resolve()
    writes = [_write(root, real_root, o) for o in todo]
    if len({w.rel for w in writes}) < len(writes):
        raise RewriteAborted("two rewritten files are one file (a symlink); nothing written")
    try:
        return replace_files(root, writes, command="rewrite")
    except InputError as exc:
        raise RewriteAborted(exc.message) from None


def _write(root: Path, real_root: Path, outcome: Rewritten) -> FileWrite:
    """The new bytes, for the file itself (a symlink's target inside the root)."""
    target = (root / outcome.path).resolve()
    try:
        data = outcome.new_text.encode(outcome.encoding)
    except UnicodeEncodeError as exc:
        raise RewriteAborted(
            f"{outcome.path}: cannot encode the rewritten text ({reason(exc)}); nothing written"
        ) from None
    return FileWrite(rel=target.relative_to(real_root).as_posix(), data=data)


def _check_unchanged(root: Path, outcome: Rewritten) -> None:
    try:
        data = (root / outcome.path).read_bytes()
    except OSError as exc:
        raise RewriteAborted(
            f"{outcome.path}: cannot read it again ({reason(exc)}); nothing written"
        ) from None
    if hashlib.sha256(data).hexdigest() != outcome.digest:
        raise RewriteAborted(
            f"{outcome.path} changed since it was read; nothing written (run again)"
        )


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
