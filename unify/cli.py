"""The command line: parse options, call one library function, render, return an exit code.

This is the only module that wires the stages together.  ``UnifyError`` is caught in one
place (``main``); tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from unify.errors import ExitCode, InputError, UnifyError

if TYPE_CHECKING:
    from rich.console import Console


class _Group(TyperGroup):
    """typer coerces an absent ``--help`` (``None``) of the group through pydantic, which
    costs about 100 ms on every ``unify COMMAND``: default the flag to ``False`` instead."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option


if TYPE_CHECKING:
    from unify.diagram import Diagram
    from unify.models import Inventory, Plan, ResolvedPlan

app = typer.Typer(
    name="unify",
    help="Unify drifted SQLAlchemy model modules: analyze, plan, build, rewrite, verify.",
    no_args_is_help=True,
    add_completion=False,  # its --install-completion costs ~250 ms a command; see main()
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's help: typer's rich help loads rich's Markdown stack (~60 ms)
    cls=_Group,
)


@cache
def _console(to_stderr: bool) -> Console:
    """The console of stdout or stderr, made on first use (rich.console is slow to import)."""
    from rich.console import Console

    return Console(stderr=to_stderr, soft_wrap=True)


def stdout() -> Console:
    return _console(to_stderr=False)


def stderr() -> Console:
    return _console(to_stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


RepoPath = Annotated[
    Path, typer.Argument(help="Root folder of the repository to work on.", show_default=False)
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table (terminal), json or markdown.")
]
PlanOpt = Annotated[
    Path, typer.Option("--plan", "-p", help="The decisions file written by `unify plan`.")
]
DatabaseUrlOpt = Annotated[
    str,
    typer.Option(
        "--database-url",
        envvar="UNIFY_DATABASE_URL",
        help="SQLAlchemy URL of the database (env UNIFY_DATABASE_URL).",
    ),
]

_state = {"debug": False}


def _show_version(value: bool) -> None:
    """``--version``: the distribution's name and version from its metadata (read only here,
    so ``unify --help`` does not pay for importlib.metadata)."""
    if value:
        from unify import DISTRIBUTION, installed_version

        typer.echo(f"{DISTRIBUTION} {installed_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug


# ---------------------------------------------------------------------------
# analyze
# ---------------------------------------------------------------------------


@app.command()
def analyze(
    path: RepoPath,
    models: Annotated[
        list[str] | None,
        typer.Option("--models", "-m", help="A model module (dotted name or path); repeatable."),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the workbook here.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one CSV per sheet here.")] = None,
) -> None:
    """Inventory the model modules statically and report findings (exit 1 on error findings)."""
    from unify import analyze as analyze_stage
    from unify.report import exit_code
    from unify.report import inventory as report

    inventory = analyze_stage.analyze_repo(path, models=tuple(models or ()))
    if xlsx is not None:
        report.write_xlsx(inventory, xlsx)
    if csv is not None:
        report.write_csv(inventory, csv)
    report.emit_inventory(inventory, fmt.value, stdout())
    raise typer.Exit(exit_code(inventory.findings))


# ---------------------------------------------------------------------------
# plan / build  (unify.decisions, unify.build)
# ---------------------------------------------------------------------------


@app.command()
def plan(
    path: RepoPath,
    output: Annotated[Path, typer.Option("--output", "-o", help="Decisions file to write.")] = Path(
        "unify.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    target: Annotated[str, typer.Option("--target", help="Unified module (dotted).")] = "models",
    compat: Annotated[
        str, typer.Option("--compat", help="Compat module (dotted).")
    ] = "models_compat",
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--models", "-m", help="Plan only these model modules (name or path); repeatable."
        ),
    ] = None,
) -> None:
    """Write the decisions file, pre-filled with proposals explained in comments."""
    from unify import analyze as analyze_stage
    from unify import decisions
    from unify.report import build as report

    if output.exists() and not force:
        raise InputError(f"{output}: already exists; pass --force to overwrite it")
    inventory = analyze_stage.analyze_repo(path, models=tuple(models or ()))
    proposal = decisions.propose_plan(
        inventory, target_module=target, compat_module=compat, picked=bool(models)
    )
    decisions.write_plan_file(output, decisions.render_plan_toml(proposal, inventory), force=force)
    stderr().print(report.plan_summary(proposal, output), highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.CLEAN))


@app.command()
def build(
    path: RepoPath,
    plan_file: PlanOpt,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write under this folder, not into the repository.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
    ] = False,
    stubs: Annotated[bool, typer.Option("--stubs", help="Turn legacy modules into stubs.")] = False,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter of the app for the self-check.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    docs: Annotated[
        bool, typer.Option("--docs/--no-docs", help="Also write MODELS.md (unify docs).")
    ] = True,
) -> None:
    """Build the unified and compat modules; self-check them; write only when all is well."""
    from unify import analyze as analyze_stage
    from unify import build as build_stage
    from unify import decisions
    from unify.report import build as report
    from unify.report import exit_code

    plan_data = decisions.load_plan(plan_file)
    decisions.check_legacy_paths(path, plan_data)
    inventory = analyze_stage.analyze_repo(path, models=plan_data.legacy_paths)
    result = build_stage.run_build(
        path.resolve(), inventory, plan_data, stubs=stubs, python=python or sys.executable
    )
    failed = exit_code(result.findings) != ExitCode.CLEAN
    if dry_run and not failed:
        stdout().print(report.render_diff(result.files), markup=False, highlight=False, end="")
    dest = out if out is not None else path
    written = () if failed or dry_run else build_stage.write_build(dest, result.files)
    console = stderr() if dry_run else stdout()
    report.emit_build(result, fmt.value, console, dest=dest, written=written)
    if written and docs:
        _write_models_doc(dest, plan_file, plan_data, inventory)
    raise typer.Exit(exit_code(result.findings))


def _write_models_doc(dest: Path, plan_file: Path, plan: Plan, inventory: Inventory) -> None:
    """MODELS.md from the plan the build just applied (what `unify docs` writes)."""
    from unify import diagram as drawing
    from unify.resolve import resolve_plan

    picture = drawing.diagram_from_plan(resolve_plan(plan, inventory), inventory)
    target = dest / drawing.doc_rel(drawing.unified_rel(inventory, plan), drawing.DOC_NAME)
    drawing.write_text(target, drawing.render_models_doc(picture, plan_file.name))
    stderr().print(f"wrote {target}", highlight=False, markup=False)


# ---------------------------------------------------------------------------
# rewrite  (unify.rewrite_imports)
# ---------------------------------------------------------------------------


class Phase(str, Enum):
    compat = "compat"
    final = "final"


@app.command()
def rewrite(
    path: RepoPath,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", "-p", help="The decisions file (default PATH/unify.toml)."),
    ] = None,
    phase: Annotated[
        Phase,
        typer.Option(
            help="compat: imports point at the compat module; final: at the unified module."
        ),
    ] = Phase.final,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; change no byte.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 while a legacy import remains; write nothing.")
    ] = False,
    diff_file: Annotated[
        Path | None, typer.Option("--diff-file", help="Write the unified diff here.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
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
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default min(cpu, 4))."),
    ] = None,
) -> None:
    """Rewrite every import of a legacy module (exit 1 with --check while one remains)."""
    from unify import decisions, rewrite_imports
    from unify.report import rewrite as report

    plan_data = decisions.load_plan(plan or path / "unify.toml")
    # the rename map needs the plan's model modules only, not the whole repository's
    renames = decisions.rename_map(_resolved(path, plan_data, imported_only=True), phase.value)
    with report.progress_bar(stderr()) as tick:
        result = rewrite_imports.rewrite_repo(
            path,
            renames,
            include_other_suffixes=include_other_suffixes,
            jobs=jobs,
            progress=tick,
            legacy_paths=plan_data.legacy_paths,
            compat_module=plan_data.compat_module,
        )
    if diff_file is not None:
        report.write_diff(result, diff_file)
    apply = not (dry_run or check)
    written = rewrite_imports.apply_rewrites(result, allow_dirty=allow_dirty) if apply else 0
    show_diff = dry_run and diff_file is None
    report.emit_rewrite(
        result, fmt.value, stdout(), written=written, dry_run=not apply, show_diff=show_diff
    )
    raise typer.Exit(report.rewrite_exit_code(result, check))


def _resolved(path: Path, plan: Plan, *, imported_only: bool = False) -> ResolvedPlan:
    """The plan resolved against the repository's model modules."""
    from unify.resolve import resolve_plan

    return resolve_plan(plan, _plan_inventory(path, plan, imported_only=imported_only))


def _plan_inventory(path: Path, plan: Plan, *, imported_only: bool = False) -> Inventory:
    """The inventory of the plan's files that still exist (or of every model module).  A
    folder analyze refuses gives an empty inventory: what the plan alone says still
    resolves, and the stage then says what is wrong with the folder.  ``imported_only``:
    only the plan's model modules (its files, else its legacy modules) and what they
    import are read."""
    from unify import analyze as analyze_stage
    from unify.models import Inventory

    present = tuple(p for p in plan.legacy_paths if (path / p).is_file())
    models = (present or plan.legacy_modules) if imported_only else present
    try:
        return analyze_stage.analyze_repo(path, models=models, imported_only=imported_only)
    except InputError:
        return Inventory(
            root=str(path), import_roots=(), modules=(), imports=(), findings=(), files_scanned=0
        )


# ---------------------------------------------------------------------------
# restore / verify  (unify.restore, unify.verify_fks)
# ---------------------------------------------------------------------------


class ScratchChoice(str, Enum):
    postgres = "postgres"
    sqlite = "sqlite"
    container = "container"


@app.command()
def restore(
    dump: Annotated[Path, typer.Argument(help="A pg_dump file: plain SQL or custom format (-Fc).")],
    database_url: DatabaseUrlOpt,
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the new database (prefixed unify_).")
    ] = None,
    container: Annotated[
        bool, typer.Option("--container", help="Read a newer archive with PostgreSQL in Docker.")
    ] = False,
) -> None:
    """Restore DUMP into a NEW database unify creates on the server of --database-url.

    Prints the new database's URL (password masked) on stdout; what was skipped on stderr.
    """
    from unify import db
    from unify import restore as restore_stage
    from unify.report import verify as report

    result = restore_stage.restore_dump(dump, db.parse_url(database_url), name, container)
    notes, url = report.restore_lines(result)
    for note in notes:
        stderr().print(note, highlight=False, markup=False)
    stdout().print(url, highlight=False, markup=False)


@app.command()
def verify(
    path: RepoPath,
    plan: PlanOpt,
    database_url: DatabaseUrlOpt,
    scratch: Annotated[
        ScratchChoice, typer.Option("--scratch", help="Where to create the unified schema.")
    ] = ScratchChoice.postgres,
    fmt: FormatOpt = OutputFormat.table,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Statement timeout (seconds) per check.")
    ] = 300.0,
    samples: Annotated[int, typer.Option("--samples", min=0, help="Sample keys per finding.")] = 5,
) -> None:
    """Check the unified module against a restored database (exit 0 ready, 1 blocked)."""
    from unify import db, decisions, verify_fks
    from unify.report import exit_code
    from unify.report import verify as report

    decided = decisions.load_plan(plan)
    result = verify_fks.verify(
        path,
        _resolved(path, decided),
        db.parse_url(database_url),
        scratch=scratch.value,
        timeout=timeout,
        samples=samples,
    )
    report.emit_verify(result, fmt.value, stdout())
    raise typer.Exit(exit_code(result.findings))


# ---------------------------------------------------------------------------
# diagram / docs  (unify.diagram)
# ---------------------------------------------------------------------------


class DiagramFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    png = "png"


class DiagramSource(str, Enum):
    auto = "auto"
    built = "built"
    plan = "plan"


SourceOpt = Annotated[
    DiagramSource,
    typer.Option(
        "--from",
        help="built: the built unified module (exact); plan: the plan before the build; "
        "auto: built once `unify build` wrote it.",
    ),
]
_SUFFIX_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".md": "mermaid"}


@app.command()
def diagram(
    path: RepoPath,
    plan_file: PlanOpt,
    fmt: Annotated[
        DiagramFormat | None,
        typer.Option("--format", "-f", help="mermaid (Markdown), dot, svg or png (need `dot`)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default stdout).")
    ] = None,
    section: Annotated[
        str | None, typer.Option("--section", help="Draw this section only.")
    ] = None,
    legacy: Annotated[
        bool, typer.Option("--legacy", help="Draw the legacy modules, conflicts marked.")
    ] = False,
    source: SourceOpt = DiagramSource.auto,
) -> None:
    """Draw an ER diagram of the unified schema (or, with --legacy, of the legacy one)."""
    from unify import diagram as drawing

    chosen = fmt.value if fmt else _SUFFIX_FORMATS.get(output.suffix if output else "", "mermaid")
    if chosen == "png" and output is None:
        raise InputError("--format png writes binary: give -o FILE")
    if chosen in drawing.IMAGE_FORMATS:
        drawing.require_graphviz(chosen)
    picture, _ = _picture(path, plan_file, legacy=legacy, source=source.value)
    if section is not None:
        picture = drawing.select_section(picture, section)
    data = drawing.render(picture, chosen)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        output.write_bytes(data)
        stderr().print(f"wrote {output} ({chosen}, {picture.source})", highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.CLEAN))


@app.command()
def docs(
    path: RepoPath,
    plan_file: PlanOpt,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when MODELS.md is missing or stale.")
    ] = False,
    source: SourceOpt = DiagramSource.auto,
) -> None:
    """Write the model document MODELS.md next to the unified module."""
    from unify import diagram as drawing

    picture, unified = _picture(path, plan_file, legacy=False, source=source.value)
    text = drawing.render_models_doc(picture, plan_file.name)
    target = path / drawing.doc_rel(unified, drawing.DOC_NAME)
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        state = "current" if current == text else "missing" if current is None else "stale"
        hint = "" if state == "current" else f"; run `unify docs {path} --plan {plan_file}`"
        stderr().print(f"{target}: {state}{hint}", highlight=False, markup=False)
        raise typer.Exit(int(ExitCode.CLEAN if state == "current" else ExitCode.FINDINGS))
    drawing.write_text(target, text)
    stderr().print(f"wrote {target} ({picture.source})", highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.CLEAN))


def _picture(path: Path, plan_file: Path, *, legacy: bool, source: str) -> tuple[Diagram, str]:
    """The picture to draw, and the unified module's file (relative to ``path``)."""
    from unify import analyze as analyze_stage
    from unify import decisions, verify_fks
    from unify import diagram as drawing
    from unify.models import Finding
    from unify.resolve import resolve_plan

    plan_data = decisions.load_plan(plan_file)
    inventory = _plan_inventory(path, plan_data)
    unified = drawing.unified_rel(inventory, plan_data)
    built = drawing.is_built(path / unified)
    if legacy:
        if built and plan_data.target_module in plan_data.legacy_modules:
            raise InputError(f"--legacy: {unified} is already the unified module (built)")
        return drawing.diagram_from_inventory(inventory, plan_data.legacy_modules), unified
    if source == "built" and not built:
        raise InputError(f"--from built: {unified} is not built yet; run `unify build` first")
    resolved = resolve_plan(plan_data, inventory)
    if source == "plan" or not built:
        return drawing.diagram_from_plan(resolved, inventory), unified
    schema = verify_fks.load_schema(path, plan_data.target_module)
    if isinstance(schema, Finding):
        raise InputError(f"{unified}: {schema.message}")
    found = [m for m in inventory.modules if m.name == plan_data.target_module]
    modules = found or analyze_stage.analyze_repo(path, models=(unified,)).modules
    return drawing.diagram_from_schema(schema, resolved, modules[0].classes), unified


# ---------------------------------------------------------------------------
# example
# ---------------------------------------------------------------------------


@app.command()
def example(
    dest: Annotated[Path, typer.Argument(help="Folder to create with a copy of the example.")],
) -> None:
    """Copy the bundled legacy example app to DEST, to try unify on."""
    from unify import bundled

    copied = bundled.copy_example(dest)
    stdout().print(str(copied), highlight=False)


def main() -> None:
    """Entry point.  Usage errors are click's (exit 2); a ``UnifyError`` becomes one line with
    its exit code; anything else one line too, with the traceback only under ``--debug``."""
    if "_UNIFY_COMPLETE" in os.environ:  # shell completion (README): typer's shells, on request
        from typer._completion_classes import completion_init

        completion_init()
    try:
        app()  # standalone: click prints usage errors and exits with the command's code
    except UnifyError as exc:
        if _state["debug"]:
            raise
        from rich.markup import escape

        stderr().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True)
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        if _state["debug"]:
            raise
        from rich.markup import escape

        stderr().print(
            f"error: internal error: {type(exc).__name__}: {escape(str(exc))} (run with --debug)",
            highlight=False,
        )
        sys.exit(int(ExitCode.ERROR))
