"""Rendering of ``unify status``: one line per phase, or one JSON object for CI."""

from __future__ import annotations

from typing import Any

from unify.models import StatusReport

MARKS = {"done": "done", "todo": "TODO", "not-checked": "-"}


def status_lines(report: StatusReport) -> list[str]:
    """``phase  state  detail`` per phase, with ``-> next command`` when there is one; the
    verdict last."""
    width = max(len(p.phase) for p in report.phases)
    lines = []
    for p in report.phases:
        line = f"{p.phase:<{width}}  {MARKS[p.state]:<4}  {p.detail}"
        lines.append(f"{line}\n{'':<{width}}        -> {p.next}" if p.next else line)
    todo = [p.phase for p in report.phases if p.state == "todo"]
    verdict = "every phase done" if not todo else f"{len(todo)} phase(s) to do: {', '.join(todo)}"
    return [*lines, verdict]


def status_dict(report: StatusReport) -> dict[str, Any]:
    """The documented JSON shape of ``unify status --format json``."""
    return {
        "root": report.root,
        "plan": report.plan,
        "done": report.done,
        "phases": [
            {"phase": p.phase, "state": p.state, "detail": p.detail, "next": p.next or None}
            for p in report.phases
        ],
    }
