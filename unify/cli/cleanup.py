"""``unify archive`` and ``unify status``: phase 5, and where a unification stands."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from unify.cli.app import (
    Command,
    PlanOpt,
    RepoPath,
    app,
    stdout,
)
from unify.errors import ExitCode


@app.command(cls=Command)
def archive(
    path: RepoPath,
    plan_file: PlanOpt,
    dest: Annotated[
        str, typer.Option("--dest", metavar="DIR", help="Archive folder, inside PATH (later scans skip it).")
    ] = "archives",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would move; change nothing.")
    ] = False,
    remove_compat: Annotated[
        bool, typer.Option("--remove-compat", help="Also delete the compat module.")
    ] = False,
) -> None:
    """Move the legacy modules to DEST/<module>_pre_merge_<YYYYMMDD>.py (git mv), all or
    nothing; exit 1 while a file still imports one (or, with --remove-compat, the compat)."""
    from unify import analyze as analyze_stage
    from unify import archive as archive_stage
    from unify import decisions
    from unify.report import archive as report

    plan_data = decisions.load_plan(plan_file)
    files = archive_stage.module_files(path, plan_data)
    inventory = analyze_stage.analyze_repo(path, models=tuple(files.values()))
    todo = archive_stage.plan_archive(
        path, plan_data, inventory, files, dest=dest, remove_compat=remove_compat
    )
    changed = 0 if dry_run or todo.blockers else archive_stage.apply_archive(todo)
    args = f"{path} --plan {plan_file}"
    for line in report.archive_lines(todo, dry_run=dry_run, changed=changed, args=args):
        stdout().print(line, highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.FINDINGS if todo.blockers else ExitCode.CLEAN))


class StatusFormat(str, Enum):
    table = "table"
    json = "json"


@app.command(cls=Command)
def status(
    path: RepoPath,
    plan_file: PlanOpt,
    fmt: Annotated[
        StatusFormat, typer.Option("--format", "-f", help="table (one line a phase) or json.")
    ] = StatusFormat.table,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            envvar="UNIFY_DATABASE_URL",
            help="The restored database to verify (env UNIFY_DATABASE_URL); else not checked.",
        ),
    ] = None,
) -> None:
    """Where the unification stands, one line per phase (exit 0 only when all are done)."""
    from unify import status as status_stage
    from unify.report import dumps
    from unify.report import status as report

    result = status_stage.gather_status(path, plan_file, database_url=database_url)
    if fmt is StatusFormat.json:
        stdout().print(dumps(report.status_dict(result)), highlight=False, markup=False)
    else:
        for line in report.status_lines(result):
            stdout().print(line, highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.CLEAN if result.done else ExitCode.FINDINGS))
