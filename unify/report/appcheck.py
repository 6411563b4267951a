"""Rendering of ``unify check``: what the app served, the findings, the snapshot and the next
command."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from unify.models import AppCheckResult
from unify.report import dumps, finding_dict, print_findings


def emit_check(result: AppCheckResult, fmt: str, console: Console) -> None:
    """The findings (a table or one a line, then the counts), or one JSON object."""
    if fmt == "json":
        console.print(dumps(check_dict(result)), markup=False, highlight=False)
        return
    probe = result.probe
    if probe.stage == "ok":
        console.print(
            f"{probe.app}: started; {len(probe.routes)} route(s), "
            f"{len(probe.blueprints)} blueprint(s)",
            highlight=False,
            markup=False,
        )
    print_findings(console, result.findings, title="App check findings", fmt=fmt)


def check_dict(result: AppCheckResult) -> dict[str, Any]:
    """The documented JSON shape: app, started, reason, routes, blueprints, snapshot,
    snapshot_written, findings."""
    probe = result.probe
    return {
        "app": probe.app,
        "started": probe.stage == "ok",
        "reason": probe.reason or None,
        "routes": [
            {"rule": r.rule, "endpoint": r.endpoint, "methods": list(r.methods)}
            for r in probe.routes
        ],
        "blueprints": [{"name": b.name, "import_name": b.import_name} for b in probe.blueprints],
        "snapshot": result.snapshot_rel,
        "snapshot_taken": result.snapshot.taken if result.snapshot else None,
        "snapshot_written": result.snapshot_written,
        "findings": [finding_dict(f) for f in result.findings],
    }


def check_next(result: AppCheckResult, args: str) -> list[str]:
    """The last lines: the snapshot written or compared with, and what to run next.  ``args``
    is ``PATH --app MODULE:FACTORY`` as given."""
    if result.snapshot_written:
        probe = result.probe
        return [
            f"wrote {result.snapshot_rel}: the snapshot of {len(probe.routes)} route(s) and "
            f"{len(probe.blueprints)} blueprint(s)",
            f"next: change the code, then run: unify check {args}",
        ]
    if result.snapshot is not None:
        before = result.snapshot
        return [
            f"compared with {result.snapshot_rel} (taken {before.taken}: "
            f"{len(before.routes)} route(s), {len(before.blueprints)} blueprint(s)); "
            f"to take it again: unify check {args} --update"
        ]
    return [f"no snapshot written (the app did not start); fix it, then run: unify check {args}"]
