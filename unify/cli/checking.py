"""``unify check``: the app smoke check, before and after a change."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unify.cli.app import (
    Command,
    FormatOpt,
    PythonOpt,
    RepoPath,
    app,
    chosen_format,
    note,
    recover,
    stdout,
)
from unify.errors import InputError


@app.command(cls=Command)
def check(
    path: RepoPath,
    app_spec: Annotated[
        str | None,
        typer.Option(
            "--app",
            metavar="MODULE:FACTORY",
            help="The app factory (or app object) to start; default: [unify] app of the plan.",
            show_default=False,
        ),
    ] = None,
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            "-p",
            metavar="FILE",
            help="The decisions file whose [unify] app names the app (default: PATH/unify.toml).",
            show_default=False,
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update", "--snapshot", help="Take the snapshot again instead of comparing with it."
        ),
    ] = False,
    python: PythonOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Start the app and compare its routes with the snapshot (exit 1 on a route lost).

    In a subprocess: the factory, configure_mappers(), the blueprints and routes.  The first
    run keeps them as the snapshot; later runs fail on a route or blueprint lost, an import
    error the app swallowed, or a factory that raises."""
    recover(path, resume=False)
    from unify import appcheck
    from unify.report import appcheck as report
    from unify.report import exit_code

    spec = _app_spec(path, app_spec, plan_file)
    result = appcheck.check_app(path, spec, python=python or sys.executable, update=update)
    report.emit_check(result, chosen_format(fmt), stdout())
    for line in report.check_next(result, f"{path} --app {spec}"):
        note(line)
    raise typer.Exit(exit_code(result.findings))


def _app_spec(path: Path, given: str | None, plan_file: Path | None) -> str:
    """``--app``, else the plan's ``[unify] app``; neither: an input error."""
    from unify import appcheck

    if given is not None:
        return appcheck.checked_app(given)
    plan_path = plan_file if plan_file is not None else path / "unify.toml"
    if plan_file is None and not plan_path.is_file():
        raise InputError(
            f"{path}: no app to check: pass --app MODULE:FACTORY or set app in the [unify] "
            f"table of {plan_path}"
        )
    from unify import decisions

    plan = decisions.load_plan(plan_path)
    if not plan.app:
        raise InputError(f"{plan_path}: [unify] has no app; pass --app MODULE:FACTORY")
    return plan.app
