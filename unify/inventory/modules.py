"""Pass 6, *modules*: the model modules as ``ModelModule`` records: their classes, second
names for models (aliases), helper classes and functions, re-exports and ``Table()``s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from unify.inventory.bases import ModelSet
from unify.inventory.graph import ModuleGraph
from unify.inventory.outline import Outline
from unify.models import ModelAlias, ModelClass, ModelModule, ReExport, Symbol, TableDef


def model_modules(
    graph: ModuleGraph,
    found: ModelSet,
    classes: Mapping[str, ModelClass],
    tables: Sequence[TableDef],
) -> tuple[ModelModule, ...]:
    """The files holding model classes or ``Table()`` objects (or those chosen with
    ``--models``), by path: the same dotted name can exist under two import roots."""
    by_path: dict[str, list[ModelClass]] = defaultdict(list)
    for cls in classes.values():
        by_path[cls.path].append(cls)
    tables_of: dict[str, list[TableDef]] = defaultdict(list)
    for tab in tables:
        tables_of[tab.path].append(tab)
    paths = (
        set(found.chosen)
        if found.chosen is not None
        else {p for p, found_here in by_path.items() if any(not c.mixin for c in found_here)}
        | set(tables_of)
    )
    out = [
        _model_module(graph, found, graph.outlines[p], by_path.get(p, []), tables_of.get(p, []))
        for p in paths
    ]
    return tuple(sorted(out, key=lambda m: (m.name, m.path)))


def _model_module(
    graph: ModuleGraph,
    found: ModelSet,
    outline: Outline,
    classes: list[ModelClass],
    tables: Sequence[TableDef],
) -> ModelModule:
    """``tables``: the ``Table()`` objects of this file."""
    module, rel = outline.source.module, outline.source.rel
    mapped = {c.name for c in classes}
    aliases = _aliases(graph, found, outline)
    alias_names = {a.name for a in aliases}
    other = [
        Symbol(name=n, kind="class", module=module, path=rel, line=t.line, end_line=t.end_line)
        for n, t in outline.classes.items()
        if n not in mapped
        and (t.guarded or n not in alias_names)
        and n not in found.bases
        and f"{module}.{n}" not in found.models  # a model of a same-named module's file
    ]
    functions = [
        Symbol(name=n, kind="function", module=module, path=rel, line=line, end_line=end)
        for n, (line, end) in outline.functions.items()
    ]
    return ModelModule(
        name=module,
        path=rel,
        root=outline.source.root,
        classes=tuple(sorted(classes, key=lambda c: c.line)),
        aliases=tuple(aliases),
        other_classes=tuple(other),
        functions=tuple(functions),
        reexports=tuple(_reexports(graph, outline)),
        exports=tuple(sorted(outline.defined | graph.star_names(outline))),
        tables=tuple(tables),
    )


def _aliases(graph: ModuleGraph, found: ModelSet, outline: Outline) -> list[ModelAlias]:
    module, rel = outline.source.module, outline.source.rel
    out: list[ModelAlias] = []
    for imp in outline.imports:
        if imp.name and imp.asname and imp.asname != imp.name:
            target = graph.qualname(outline, imp.asname)
            if target in found.models:
                out.append(
                    ModelAlias(
                        name=imp.asname,
                        target=target,
                        module=module,
                        path=rel,
                        line=imp.line,
                        kind="import-as",
                        guarded=imp.guarded,
                    )
                )
    for name, value in outline.assigns.items():
        if value.name is not None and name != value.name:
            target = graph.qualname(outline, value.name)
            if target in found.models:
                out.append(
                    ModelAlias(
                        name=name,
                        target=target,
                        module=module,
                        path=rel,
                        line=value.line,
                        kind="assign",
                        guarded=value.guarded,
                    )
                )
    return sorted(out, key=lambda a: a.line)


def _reexports(graph: ModuleGraph, outline: Outline) -> Iterator[ReExport]:
    module = outline.source.module
    for imp in outline.imports:
        if imp.name is None:
            continue
        source = graph.resolve(outline.source, imp.module, imp.level)
        if source is not None:
            yield ReExport(
                name=imp.asname or imp.name,
                module=module,
                source=source.source.module,
                line=imp.line,
            )
