"""``unify restore`` and ``unify verify``: the restored database and the checks against it."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    DatabaseUrlOpt,
    FormatOpt,
    PlanOpt,
    PythonOpt,
    RepoPath,
    app,
    chosen_format,
    note,
    progress,
    resolved,
    stdout,
)

if TYPE_CHECKING:
    pass


class ScratchChoice(str, Enum):
    postgres = "postgres"
    sqlite = "sqlite"
    container = "container"


@app.command(cls=Command)
def restore(
    dump: Annotated[
        Path,
        typer.Argument(metavar="DUMP", help="A pg_dump file: plain SQL or custom format (-Fc)."),
    ],
    database_url: DatabaseUrlOpt = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Name of the new database (prefixed unify_)."),
    ] = None,
    container: Annotated[
        bool, typer.Option("--container", help="Read a newer archive with PostgreSQL in Docker.")
    ] = False,
) -> None:
    """Restore DUMP into a NEW database that unify creates on the URL's server (default:
    the embedded PostgreSQL).

    Prints the new database's URL (password masked) on stdout; what was skipped on stderr.
    """
    from unify import db
    from unify import restore as restore_stage
    from unify.report import verify as report

    with db.target_server(database_url) as server, progress("restoring") as tick:
        result = restore_stage.restore_dump(dump, server, name, container, progress=tick)
    notes, url = report.restore_lines(result)
    for line in notes:
        note(line)
    stdout().print(url, highlight=False, markup=False)
    note(f"next: unify verify PATH --plan FILE --database-url {url}")


@app.command(cls=Command)
def verify(
    path: RepoPath,
    plan: PlanOpt,
    database_url: DatabaseUrlOpt = None,
    scratch: Annotated[
        ScratchChoice,
        typer.Option(
            "--scratch",
            metavar="KIND",
            help="Where to create the unified schema: postgres, sqlite or container.",
        ),
    ] = ScratchChoice.postgres,
    fmt: FormatOpt = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, metavar="SECONDS", help="Statement timeout per check."),
    ] = 300.0,
    samples: Annotated[
        int, typer.Option("--samples", min=0, metavar="N", help="Sample keys per finding.")
    ] = 5,
    python: PythonOpt = None,
) -> None:
    """Check the unified module against a restored database (exit 0 ready, 1 blocked);
    without --database-url, the newest database restored on the embedded PostgreSQL."""
    from unify import db, decisions, verify_fks
    from unify.report import exit_code
    from unify.report import verify as report

    decided = decisions.load_plan(plan)
    verify_fks.check_built(path, decided)
    with db.target_server(database_url) as url:
        if database_url is None:
            url = db.newest_restored(url)
            note(f"verifying {url.database}, the newest database restored on the embedded PostgreSQL")
        with progress("checks run") as tick:
            result = verify_fks.verify(
                path,
                resolved(path, decided),
                url,
                scratch=scratch.value,
                timeout=timeout,
                samples=samples,
                progress=tick,
                python=python or sys.executable,
            )
    report.emit_verify(result, chosen_format(fmt), stdout())
    raise typer.Exit(exit_code(result.findings))
