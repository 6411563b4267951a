"""``unify analyze`` and ``unify plan``: the inventory and the decisions file it proposes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    FormatOpt,
    ModelsOpt,
    RepoPath,
    app,
    chosen_format,
    folder_exists,
    note,
    progress,
    stdout,
)

if TYPE_CHECKING:
    pass


@app.command(cls=Command)
def analyze(
    path: RepoPath,
    models: ModelsOpt = None,
    fmt: FormatOpt = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", metavar="FILE", help="Write the workbook here.")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", metavar="DIR", help="Write one CSV per sheet here.")
    ] = None,
) -> None:
    """Inventory the model modules statically and report findings (exit 1 on error findings)."""
    from unify import analyze as analyze_stage
    from unify.report import exit_code
    from unify.report import inventory as report

    if xlsx is not None:
        folder_exists(xlsx)
    with progress("files parsed") as tick:
        inventory = analyze_stage.analyze_repo(path, models=tuple(models or ()), progress=tick)
    written = []
    if xlsx is not None:
        written.append(report.write_xlsx(inventory, xlsx))
    if csv is not None:
        written.append(report.write_csv(inventory, csv))
    report.emit_inventory(inventory, chosen_format(fmt), stdout())
    for line in report.written_lines(written, path):
        note(line)
    raise typer.Exit(exit_code(inventory.findings))
