"""Rendering what ``unify.journal.recover`` did about an interrupted run (one line, stderr)."""

from __future__ import annotations

from unify.journal import Recovery


def recovery_line(found: Recovery, root: str) -> str:
    when = f" (started {found.started})" if found.started else ""
    head = f"{root}: an interrupted {found.command} run was found in .unify/{when}"
    if found.action == "rolled-back":
        what = f"rolled back: {found.files} file(s) restored from their backups"
    elif found.action == "completed":
        what = f"completed (--resume): {found.files} more file(s) replaced"
    else:
        what = "it had not replaced any file; cleaned up"
    temps = f", {found.temps_removed} temp file(s) removed" if found.temps_removed else ""
    return f"{head}; {what}{temps}"
