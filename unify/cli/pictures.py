"""``unify diagram`` and ``unify docs``: the schema drawn, and MODELS.md."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    PlanOpt,
    RepoPath,
    app,
    plan_inventory,
    stderr,
)
from unify.errors import ExitCode, InputError

if TYPE_CHECKING:
    from unify.diagram import Diagram


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


@app.command(cls=Command)
def diagram(
    path: RepoPath,
    plan_file: PlanOpt,
    fmt: Annotated[
        DiagramFormat | None,
        typer.Option("--format", "-f", help="mermaid (Markdown), dot, svg or png (need `dot`)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here (default stdout).")
    ] = None,
    section: Annotated[
        str | None, typer.Option("--section", metavar="NAME", help="Draw this section only.")
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


@app.command(cls=Command)
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
    inventory = plan_inventory(path, plan_data)
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
