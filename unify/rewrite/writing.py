"""Applying a rewrite: every file or none.

Each file is checked unchanged since it was read, written to a temporary file in its own
folder (with the target's mode), then all are moved into place with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import tempfile
from pathlib import Path

from unify.errors import RewriteAborted, reason
from unify.models import Failed, RewriteResult, Rewritten


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
            f"{outcome.path}: cannot read it again ({reason(exc)}); nothing written"
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
            f"cannot write the rewritten files ({reason(exc)}); nothing written"
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
