"""The files some modules need: themselves and the repository modules they import, followed
transitively (what reading their classes' bases, mixins and tables can reach)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from unify.inventory.outline import Outline, outline_file
from unify.inventory.parse import parse_files
from unify.inventory.references import NO_REFERENCES, References
from unify.models import Finding, SourceFile
from unify.scan import ModuleIndex


def import_closure(
    root: Path, index: ModuleIndex, given: tuple[str, ...]
) -> tuple[dict[str, Outline], dict[str, References | None], list[Finding]]:
    """The outlines (and candidate references) of the files ``given`` names (repository
    paths or dotted names) and of every repository module they import, and the parse
    findings of those files."""
    wanted = set(given)
    queue = [f for f in index.files if f.rel in wanted or f.module in wanted]
    seen = {f.rel for f in queue}
    outlines: dict[str, Outline] = {}
    references: dict[str, References | None] = {}
    problems: list[Finding] = []
    while queue:
        batch, queue = queue, []
        for parsed in parse_files(root, batch):
            if isinstance(parsed, Finding):
                problems.append(parsed)
                continue
            outline, read = outline_file(parsed, index.resolve)
            outlines[parsed.source.rel] = outline
            if read is not NO_REFERENCES:
                references[parsed.source.rel] = read
            for hit in _imported(index, outline):
                if hit.rel not in seen:
                    seen.add(hit.rel)
                    queue.append(hit)
    return outlines, references, problems


def _imported(index: ModuleIndex, outline: Outline) -> Iterator[SourceFile]:
    """The repository files the outline's top-level imports name (a module, or a submodule
    imported by ``from package import name``)."""
    for imp in (*outline.imports, *outline.stars):
        written = [imp.module]
        if imp.name and imp.name != "*":
            written.append(f"{imp.module}.{imp.name}" if imp.module else imp.name)
        for name in written:
            hit = index.resolve(outline.source, name, imp.level) if name or imp.level else None
            if hit is not None:
                yield hit
