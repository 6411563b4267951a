"""``unify build``: the unified and compat modules (and MODELS.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    FormatOpt,
    PlanOpt,
    PythonOpt,
    RepoPath,
    ResumeOpt,
    app,
    chosen_format,
    folder_exists,
    note,
    progress,
    recover,
    stderr,
    stdout,
)
from unify.errors import ExitCode, InputError

if TYPE_CHECKING:
    from unify.models import Inventory, Plan


@app.command(cls=Command)
def plan(
    path: RepoPath,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Decisions file to write.")
    ] = Path("unify.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    target: Annotated[
        str, typer.Option("--target", metavar="MODULE", help="Unified module (dotted).")
    ] = "models",
    compat: Annotated[
        str, typer.Option("--compat", metavar="MODULE", help="Compat module (dotted).")
    ] = "models_compat",
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--models",
            "-m",
            metavar="MODULE",
            help="Plan only these model modules (name or path); repeatable.",
        ),
    ] = None,
) -> None:
    """Write the decisions file, pre-filled with proposals explained in comments."""
    from unify import analyze as analyze_stage
    from unify import decisions
    from unify.report import build as report

    if output.exists() and not force:
        raise InputError(f"{output}: already exists; pass --force to overwrite it")
    folder_exists(output)
    with progress("files parsed") as tick:
        inventory = analyze_stage.analyze_repo(path, models=tuple(models or ()), progress=tick)
    proposal = decisions.propose_plan(
        inventory, target_module=target, compat_module=compat, picked=bool(models)
    )
    decisions.write_plan_file(output, decisions.render_plan_toml(proposal, inventory), force=force)
    note(report.plan_summary(proposal, output, path))
    raise typer.Exit(int(ExitCode.CLEAN))


@app.command(cls=Command)
def build(
    path: RepoPath,
    plan_file: PlanOpt,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Write under this folder, not into the repository."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
    ] = False,
    stubs: Annotated[bool, typer.Option("--stubs", help="Turn legacy modules into stubs.")] = False,
    python: PythonOpt = None,
    fmt: FormatOpt = None,
    docs: Annotated[
        bool, typer.Option("--docs/--no-docs", help="Also write MODELS.md (unify docs).")
    ] = True,
    resume: ResumeOpt = False,
) -> None:
    """Build the unified and compat modules; self-check them; write only when all is well."""
    recover(out if out is not None else path, resume)
    from unify import analyze as analyze_stage
    from unify import build as build_stage
    from unify import decisions
    from unify.report import build as report
    from unify.report import exit_code

    plan_data = decisions.load_plan(plan_file)
    decisions.check_legacy_paths(path, plan_data)
    with progress("files parsed") as tick:
        inventory = analyze_stage.analyze_repo(path, models=plan_data.legacy_paths, progress=tick)
    with progress("build and self-check") as tick:
        result = build_stage.run_build(
            path.resolve(),
            inventory,
            plan_data,
            stubs=stubs,
            python=python or sys.executable,
            progress=tick,
        )
    failed = exit_code(result.findings) != ExitCode.CLEAN
    if dry_run and not failed:
        stdout().print(report.render_diff(result.files), markup=False, highlight=False, end="")
    dest = out if out is not None else path
    written = () if failed or dry_run else build_stage.write_build(dest, result.files)
    console = stderr() if dry_run else stdout()
    report.emit_build(result, chosen_format(fmt), console, dest=dest, written=written)
    if written and docs:
        written = (*written, _write_models_doc(dest, plan_file, plan_data, inventory))
    for line in report.build_next(written, path, plan_file, failed=failed, dry_run=dry_run):
        note(line)
    raise typer.Exit(exit_code(result.findings))


def _write_models_doc(dest: Path, plan_file: Path, plan: Plan, inventory: Inventory) -> Path:
    """MODELS.md from the plan the build just applied (what `unify docs` writes); its path."""
    from unify import diagram as drawing
    from unify.resolve import resolve_plan

    picture = drawing.diagram_from_plan(resolve_plan(plan, inventory), inventory)
    target = dest / drawing.doc_rel(drawing.unified_rel(inventory, plan), drawing.DOC_NAME)
    drawing.write_text(target, drawing.render_models_doc(picture, plan_file.name))
    return target
