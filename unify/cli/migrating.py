"""``unify migrate``: the Alembic revision that carries the data, and its proven apply."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from unify.models import Plan

from unify.cli.app import (
    Command,
    DatabaseUrlOpt,
    PlanOpt,
    PythonOpt,
    RepoPath,
    app,
    note,
    progress,
    resolved,
    stdout,
)


@app.command(cls=Command)
def migrate(
    path: RepoPath,
    plan: PlanOpt,
    database_url: DatabaseUrlOpt = None,
    revision_dir: Annotated[
        Path | None,
        typer.Option(
            "--revision-dir",
            metavar="DIR",
            help="Where to write the revision when the app has no Alembic migrations folder.",
        ),
    ] = None,
    sql: Annotated[bool, typer.Option("--sql", help="Print the upgrade as SQL (offline).")] = False,
    do_apply: Annotated[
        bool, typer.Option("--apply", help="Run it in one transaction, with the row ledger.")
    ] = False,
    backup: Annotated[
        bool,
        typer.Option(
            "--i-have-a-backup", help="Allow --apply on a database unify restore did not create."
        ),
    ] = False,
    ledger: Annotated[
        Path | None,
        typer.Option("--ledger", metavar="FILE", help="Write the row ledger as JSON."),
    ] = None,
    python: PythonOpt = None,
) -> None:
    """Write the Alembic revision that moves the legacy data into the unified schema.

    With --apply: run it on the database (exit 0 applied or at head, 1 rolled back).
    """
    from unify import db, decisions

    decided = decisions.load_plan(plan)
    with db.target_server(database_url) as url:
        if database_url is None:
            url = db.newest_restored(url)
            note(
                f"migrating {url.database}, the newest database restored on the embedded PostgreSQL"
            )
        code = _migrate(
            path, plan, decided, url, revision_dir, sql, do_apply, backup, ledger, python
        )
    raise typer.Exit(code)


def _migrate(
    path: Path,
    plan: Path,
    decided: Plan,
    url: URL,
    revision_dir: Path | None,
    sql: bool,
    do_apply: bool,
    backup: bool,
    ledger: Path | None,
    python: str | None,
) -> int:
    from unify import migrate as stage
    from unify.report import migrate as report

    if do_apply:
        stage.check_target(url, i_have_a_backup=backup)
    head = stage.database_at_head(path, url, revision_dir)
    if head is not None:
        stdout().print(f"the database is at head ({head}): nothing to do", markup=False)
        return 0
    with progress("mapping"):
        schema, mapping = stage.plan_migration(
            path, resolved(path, decided), url, python=python or sys.executable
        )
    where, revision, down = stage.write_revision(path, schema, mapping, revision_dir=revision_dir)
    note(f"wrote {where} (revision {revision}, after {down or 'none'})")
    if sql:
        stdout().print(stage.offline_sql(where), markup=False, highlight=False, soft_wrap=True)
    if not do_apply:
        note(f"next: unify migrate {path} --plan {plan} --database-url URL --apply")
        return 0
    with progress("migrating"):
        result = stage.apply_revision(url, where, schema, mapping, i_have_a_backup=backup)
    report.emit_migrate(result, stdout())
    if ledger is not None:
        ledger.write_text(report.ledger_json(result), encoding="utf-8")
        note(f"wrote {ledger}")
    return 0 if result.applied or result.at_head else 1
