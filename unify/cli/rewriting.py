"""``unify rewrite``: imports and renamed names across the repository."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    FormatOpt,
    RepoPath,
    ResumeOpt,
    app,
    chosen_format,
    note,
    plan_inventory,
    progress,
    recover,
    stdout,
)

if TYPE_CHECKING:
    pass


class Phase(str, Enum):
    compat = "compat"
    final = "final"


@app.command(cls=Command)
def rewrite(
    path: RepoPath,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan", "-p", metavar="FILE", help="The decisions file (default PATH/unify.toml)."
        ),
    ] = None,
    phase: Annotated[
        Phase,
        typer.Option(
            metavar="PHASE",
            help="compat: imports point at the compat module; final (default): at the "
            "unified module.",
            show_default=False,
        ),
    ] = Phase.final,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; change no byte.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 while a legacy import remains; write nothing.")
    ] = False,
    diff_file: Annotated[
        Path | None,
        typer.Option("--diff-file", metavar="FILE", help="Write the unified diff here."),
    ] = None,
    fmt: FormatOpt = None,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Rewrite files with uncommitted changes.")
    ] = False,
    include_other_suffixes: Annotated[
        bool,
        typer.Option(
            "--include-other-suffixes",
            help="Also rewrite Python kept as *.py.unused, *.backup, ...",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, metavar="N", help="Worker processes (default min(cpu, 4))."
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="PATH",
            help="Rewrite only these files, folders or globs (under PATH); repeatable.",
        ),
    ] = None,
    resume: ResumeOpt = False,
) -> None:
    """Rewrite every import of a legacy module (exit 1 with --check while one remains)."""
    from unify import decisions, rewrite_imports
    from unify.report import rewrite as report
    from unify.resolve import resolve_plan

    recover(path, resume)
    plan_data = decisions.load_plan(plan or path / "unify.toml")
    # the rename map and the plan check need the plan's model modules only
    inventory = plan_inventory(path, plan_data, imported_only=True)
    renames = decisions.rename_map(resolve_plan(plan_data, inventory), phase.value)
    with progress("files rewritten") as tick:
        result = rewrite_imports.rewrite_repo(
            path,
            renames,
            include_other_suffixes=include_other_suffixes,
            jobs=jobs,
            progress=tick,
            legacy_paths=plan_data.legacy_paths,
            compat_module=plan_data.compat_module,
            only=tuple(only or ()),
            plan_findings=rewrite_imports.check_plan_classes(plan_data, inventory),
        )
    if diff_file is not None:
        report.write_diff(result, diff_file)
    apply = not (dry_run or check)
    written = rewrite_imports.apply_rewrites(result, allow_dirty=allow_dirty) if apply else 0
    show_diff = dry_run and diff_file is None
    report.emit_rewrite(
        result, chosen_format(fmt), stdout(), written=written, dry_run=not apply, show_diff=show_diff
    )
    for line in report.rewrite_next(path, plan, diff_file=diff_file, written=written, check=check):
        note(line)
    raise typer.Exit(report.rewrite_exit_code(result, check))
