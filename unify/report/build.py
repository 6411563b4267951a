"""Views of a build: the unified diff, the summary of files, the plan written."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from unify.models import BuildResult, BuiltFile, Plan
from unify.report import dumps, finding_dict, print_findings, sorted_findings


def file_status(built: BuiltFile) -> str:
    if built.previous is None:
        return "new"
    return "unchanged" if built.previous == built.text else "changed"


def render_diff(files: Sequence[BuiltFile]) -> str:
    """A unified diff of every built file against the file it replaces."""
    chunks: list[str] = []
    for built in files:
        before = (built.previous or "").splitlines(keepends=True)
        after = built.text.splitlines(keepends=True)
        source = f"a/{built.rel}" if built.previous is not None else "/dev/null"
        chunks += difflib.unified_diff(before, after, fromfile=source, tofile=f"b/{built.rel}")
    return "".join(chunks)


def build_table(result: BuildResult, dest: Path | None) -> Table:
    title = f"Built into {dest}" if dest else "Build (nothing written)"
    table = Table(title=title)
    for column in ("file", "module", "role", "lines", "status"):
        table.add_column(column)
    for built in result.files:
        lines = str(built.text.count("\n"))
        table.add_row(built.rel, built.module, built.role, lines, file_status(built))
    return table


def build_dict(result: BuildResult, written: Sequence[Path]) -> dict[str, Any]:
    """JSON: ``files`` (rel, module, role, status, lines), ``written`` paths, ``classes``,
    ``merged`` and ``findings``."""
    return {
        "files": [
            {
                "rel": f.rel,
                "module": f.module,
                "role": f.role,
                "status": file_status(f),
                "lines": f.text.count("\n"),
            }
            for f in result.files
        ],
        "written": [str(p) for p in written],
        "classes": result.classes,
        "merged": result.merged,
        "findings": [finding_dict(f) for f in sorted_findings(result.findings)],
    }


def emit_build(
    result: BuildResult, fmt: str, console: Console, *, dest: Path | None, written: Sequence[Path]
) -> None:
    if fmt == "json":
        console.print(dumps(build_dict(result, written)), markup=False, highlight=False)
        return
    if result.files:
        console.print(build_table(result, dest if written else None))
        console.print(
            f"{result.classes} unified classes, {result.merged} legacy classes merged",
            highlight=False,
        )
    print_findings(console, result.findings, title="Build findings", fmt=fmt)


def plan_summary(plan: Plan, path: Path, repo: Path | str = "PATH") -> str:
    return (
        f"wrote {path}: {len(plan.classes)} classes, {len(plan.merges)} merges, "
        f"{len(plan.tables)} table renames, {len(plan.column_types)} key types, "
        f"{len(plan.renames)} renames, {len(plan.backrefs)} backref renames; "
        f"review it, then run: unify build {repo} --plan {path} --dry-run"
    )


def build_next(
    written: Sequence[Path], repo: Path, plan: Path, *, failed: bool, dry_run: bool
) -> list[str]:
    """The last lines of ``build``: the files written, and the next command."""
    if failed:
        return [f"nothing written; fix the findings, then run: unify build {repo} --plan {plan}"]
    if dry_run:
        return [f"nothing written (dry run); to write: unify build {repo} --plan {plan}"]
    return [
        "wrote " + ", ".join(str(path) for path in written),
        f"next: unify rewrite {repo} --plan {plan} --phase compat --dry-run",
    ]
