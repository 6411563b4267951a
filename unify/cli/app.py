"""The command line's app: the typer app, its shared options, consoles, progress and notes,
the few helpers several commands share, and ``main``.  The commands are in the modules beside
it, one per part of the flow; ``unify.cli`` registers them in the order of ``--help``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from unify.errors import ExitCode, InputError, UnifyError

if TYPE_CHECKING:
    from rich.console import Console


class Group(TyperGroup):
    """typer coerces an absent ``--help`` (``None``) of the group through pydantic, which
    costs about 100 ms on every ``unify COMMAND``: default the flag to ``False`` instead."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option


class Command(TyperCommand):
    """Plain click help: an argument shows as its metavar (``PATH``), not as ``{path}`` in
    the usage line and ``path <path>`` in the list."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(param.metavar or (param.name or "").upper())
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [
            (p.metavar or (p.name or "").upper(), getattr(p, "help", None) or "")
            for p in params
            if p.param_type_name == "argument"
        ]
        options = [p.get_help_record(ctx) for p in params if p.param_type_name == "option"]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl([record for record in options if record is not None])


if TYPE_CHECKING:
    from unify.models import Inventory, Plan, ResolvedPlan

app = typer.Typer(
    name="unify",
    help="Unify drifted SQLAlchemy model modules: analyze, plan, build, rewrite, verify.",
    no_args_is_help=True,
    add_completion=False,  # its --install-completion costs ~250 ms a command; see main()
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's help: typer's rich help loads rich's Markdown stack (~60 ms)
    cls=Group,
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
    concise = "concise"
    json = "json"
    markdown = "markdown"


def chosen_format(fmt: OutputFormat | None) -> str:
    """The format asked for, or ``auto``: tables on a terminal wide enough, else concise."""
    return "auto" if fmt is None else fmt.value


RepoPath = Annotated[
    Path,
    typer.Argument(
        help="Root folder of the repository to work on.", show_default=False, metavar="PATH"
    ),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, concise (one finding a line), json or markdown; default: tables on a "
        "terminal wide enough for them, else concise.",
        show_default=False,
    ),
]
PlanOpt = Annotated[
    Path,
    typer.Option(
        "--plan", "-p", metavar="FILE", help="The decisions file written by `unify plan`."
    ),
]
PythonOpt = Annotated[
    str | None,
    typer.Option(
        "--python",
        metavar="PYTHON",
        help="The app's interpreter, to import its models (default: unify's own).",
        show_default=False,
    ),
]
DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="UNIFY_DATABASE_URL",
        metavar="URL",
        help="SQLAlchemy URL of the database (env UNIFY_DATABASE_URL); default: unify's "
        "embedded PostgreSQL.",
        show_default=False,
    ),
]
ModelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--models",
        "-m",
        metavar="MODULE",
        help="A model module (dotted name or path); repeatable.",
    ),
]

ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Complete an interrupted run's file replacement instead of rolling it back.",
    ),
]

state = {"debug": False, "quiet": False}


def recover(root: Path, resume: bool) -> None:
    """Before anything else: roll back (or complete) a run interrupted while it replaced
    files, and say so on stderr."""
    from unify import journal
    from unify.report.journal import recovery_line

    found = journal.recover(root, resume=resume)
    if found is not None:
        note(recovery_line(found, str(root)))


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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars on stderr.")
    ] = False,
) -> None:
    state["debug"] = debug
    state["quiet"] = quiet


def progress(label: str) -> Any:
    """A progress bar on stderr for a step that may take more than a second; its ``tick``
    (or None: not a terminal, or ``--quiet``) is the stage's ``progress`` callback."""
    from unify.report.progress import progress_bar

    return progress_bar(stderr(), label, quiet=state["quiet"])


def note(text: str) -> None:
    """A line on stderr: what was written, what to run next."""
    stderr().print(text, highlight=False, markup=False, soft_wrap=True)


def folder_exists(output: Path) -> None:
    """Refuse, before the long work, a file to write into a folder that does not exist."""
    if not output.parent.is_dir():
        raise InputError(f"{output}: cannot write it: no folder {output.parent}")


def resolved(path: Path, plan: Plan) -> ResolvedPlan:
    """The plan resolved against the repository's model modules."""
    from unify.resolve import resolve_plan

    return resolve_plan(plan, plan_inventory(path, plan))


def plan_inventory(path: Path, plan: Plan, *, imported_only: bool = False) -> Inventory:
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


def main() -> None:
    """Entry point.  Usage errors are click's (exit 2); a ``UnifyError`` becomes one line with
    its exit code; anything else one line too, with the traceback only under ``--debug``."""
    if "_UNIFY_COMPLETE" in os.environ:  # shell completion (README): typer's shells, on request
        from typer._completion_classes import completion_init

        completion_init()
    try:
        app()  # standalone: click prints usage errors and exits with the command's code
    except KeyboardInterrupt:
        stderr().print("error: interrupted (SIGINT)", highlight=False, markup=False)
        sys.exit(128 + 2)
    except UnifyError as exc:
        if state["debug"]:
            raise
        from rich.markup import escape

        stderr().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True)
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        if state["debug"]:
            raise
        from rich.markup import escape

        stderr().print(
            f"error: internal error: {escape(str(exc)) or 'unexpected failure'} "
            "(run with --debug for the traceback)",
            highlight=False,
        )
        sys.exit(int(ExitCode.ERROR))
