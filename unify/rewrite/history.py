"""The legacy text of a module that ``unify build`` rewrote in place.

When the unified module takes a legacy module's name (``models.py`` absorbs the others), the
file no longer says what ``from models import *`` supplied before the build.  The newest
version of the file in git that ``unify build`` did not write does; without git (or without
such a version) the answer is unknown and the caller says so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

BUILT_MARK = "Built by `unify build`"
_HISTORY_DEPTH = 50  # versions of the file looked at, newest first


def built_by_unify(text: str) -> bool:
    """Whether the text is a module ``unify build`` wrote (its docstring says so)."""
    return BUILT_MARK in text[:2000]


def legacy_text(root: Path, rel: str) -> str | None:
    """The newest version of ``rel`` in git's history not written by ``unify build`` (the
    work tree's version first when git has none newer), or None."""
    log = _git(root, "log", f"-n{_HISTORY_DEPTH}", "--format=%H", "--", rel)
    if log is None:
        return None
    for commit in log.split():
        text = _git(root, "show", f"{commit}:./{rel}")
        if text is not None and not built_by_unify(text):
            return text
    return None


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")
