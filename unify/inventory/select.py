"""Which files are the model modules when ``--models`` names them, and model module names
that several files share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from unify.errors import InputError
from unify.inventory.graph import ModuleGraph
from unify.inventory.outline import Outline
from unify.models import ModuleClash


def chosen_modules(graph: ModuleGraph, given: Sequence[str], root: Path) -> frozenset[str]:
    """The files ``--models`` names (dotted names or paths); InputError for an unknown one."""
    chosen: set[str] = set()
    for item in given:
        outline = _outline_for(graph, item, root)
        if outline is None:
            raise InputError(f"--models {item}: no such module or file in {root}")
        chosen.add(outline.source.rel)
    return frozenset(chosen)


def _outline_for(graph: ModuleGraph, item: str, root: Path) -> Outline | None:
    if item.endswith(".py") or "/" in item:
        candidate = Path(item)
        full = candidate if candidate.is_absolute() else (Path.cwd() / candidate)
        for rel in (item, _relative(full, root)):
            if rel and rel in graph.outlines:
                return graph.outlines[rel]
        return None
    hits = sorted(o.source.rel for o in graph.outlines.values() if o.source.module == item)
    if len(hits) > 1:
        shown = ", ".join(hits[:3]) + (", ..." if len(hits) > 3 else "")
        raise InputError(
            f"--models {item}: {len(hits)} files have that name ({shown}); give the path of one"
        )
    return graph.outlines[hits[0]] if hits else None


def _relative(full: Path, root: Path) -> str | None:
    try:
        return full.resolve().relative_to(root).as_posix()
    except (OSError, ValueError):
        return None


def module_name_clashes(graph: ModuleGraph, models: Iterable[str]) -> tuple[ModuleClash, ...]:
    """Model module names (of the classes ``models``) that two or more files with classes
    share, by name."""
    files: dict[str, list[str]] = defaultdict(list)
    for outline in graph.outlines.values():
        if outline.classes:
            files[outline.source.module].append(outline.source.rel)
    names = {qual.rsplit(".", 1)[0] for qual in models}
    return tuple(
        ModuleClash(name=n, paths=tuple(sorted(files[n])))
        for n in sorted(names)
        if len(files[n]) > 1
    )
