"""Pass 7, *dependents*: every import of a model module anywhere (and of hubs re-exporting
their names), with the status of each name it takes; dynamic imports naming a model module;
then the attribute uses of the files that import one (:mod:`unify.inventory.uses`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from sys import intern

from unify.inventory.bases import ModelSet
from unify.inventory.graph import ModuleGraph, name_status, public_names
from unify.inventory.outline import ImportStatement, Outline
from unify.inventory.references import NO_REFERENCES, References
from unify.inventory.uses import Scope, module_attributes, walk_uses
from unify.models import (
    AttributeUse,
    DynamicImport,
    ImportedName,
    ImportForm,
    ImportRecord,
    ModuleAttribute,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependents:
    imports: tuple[ImportRecord, ...]
    dynamic: tuple[DynamicImport, ...]
    uses: tuple[AttributeUse, ...]
    module_attributes: tuple[ModuleAttribute, ...]


def scan_dependents(
    graph: ModuleGraph,
    found: ModelSet,
    model_paths: set[str],
    references: dict[str, References | None],
) -> Dependents:
    """Imports of model modules (and of modules re-exporting their names), dynamic imports,
    and uses of model attributes, file by file.  Modules are matched by file path.

    ``references``: the candidate references read with the outlines, by path (none: a file
    has none); each file's are taken out of it as they are matched, so that they are freed."""
    targets = model_paths | _hubs(graph, model_paths)
    names = {graph.outlines[p].source.module for p in model_paths}
    scopes = Scope.builder(graph, found)
    imports: list[ImportRecord] = []
    dynamic: list[DynamicImport] = []
    uses: list[AttributeUse] = []
    attributes: list[ModuleAttribute] = []
    for outline in graph.outlines.values():
        found_here = [
            i for i in _file_imports(graph, outline, targets) if _worth(i, model_paths, names)
        ]
        dynamic += _dynamic_imports(graph, outline, model_paths)
        if found_here or outline.source.rel in model_paths:
            scope = scopes(outline, found_here)
            star = any(i.form == "from-star" for i in found_here)
            read = references.pop(outline.source.rel, NO_REFERENCES)
            walked = walk_uses(outline, read, scope, star=star)
            uses += walked.uses
            attributes += module_attributes(graph, outline, scope, walked.refs)
            found_here = [_with_star_names(graph, outline, i, walked.names) for i in found_here]
        imports += found_here
    return Dependents(
        imports=tuple(imports),
        dynamic=tuple(dynamic),
        uses=tuple(uses),
        module_attributes=tuple(attributes),
    )


def _hubs(graph: ModuleGraph, model_paths: set[str]) -> set[str]:
    """Files (not model modules) that import from a model module at their top level and are
    themselves imported from: what they import, others take from them (re-exports such as a
    ``models_bridge``).  Plain dependents nobody imports from are not hubs."""
    importers: set[str] = set()
    imported: set[str] = set()
    for rel, outline in graph.outlines.items():
        for imp in outline.imports:
            if imp.name is None:
                continue
            hit = graph.resolve(outline.source, imp.module, imp.level)
            if hit is None:
                continue
            imported.add(hit.source.rel)
            if hit.source.rel in model_paths and rel not in model_paths:
                importers.add(rel)
    return importers & imported


def _worth(imp: ImportRecord, model_paths: set[str], model_names: set[str]) -> bool:
    """Imports of a model module, or names a hub passes on from one."""
    return imp.target_path in model_paths or any(
        n.provided_by in model_names for n in imp.names if n.status == "reexported"
    )


def _file_imports(
    graph: ModuleGraph, outline: Outline, targets: set[str]
) -> Iterator[ImportRecord]:
    src = outline.source
    for stmt in outline.statements:
        if stmt.is_from:
            yield from _from_import(graph, outline, stmt, targets)
            continue
        for name, asname in stmt.names:
            hit = graph.resolve(src, name, 0)
            if hit is not None and hit.source.rel in targets:
                form: ImportForm = "import-as" if asname else "import"
                yield ImportRecord(
                    path=src.rel,
                    line=stmt.line,
                    target=hit.source.module,
                    target_path=hit.source.rel,
                    written=name,
                    form=form,
                    names=(ImportedName(name=name, asname=asname),),
                    context=stmt.context,
                    importer=src.module,
                )


def _from_import(
    graph: ModuleGraph, outline: Outline, stmt: ImportStatement, targets: set[str]
) -> Iterator[ImportRecord]:
    src = outline.source
    written = intern("." * stmt.level + (stmt.module or ""))  # (one string per module written)
    hit = graph.resolve(src, stmt.module or "", stmt.level)
    base = dict(
        path=src.rel,
        line=stmt.line,
        written=written,
        level=stmt.level,
        context=stmt.context,
        importer=src.module,
    )
    if hit is not None and hit.source.rel in targets:
        target = dict(target=hit.source.module, target_path=hit.source.rel)
        if any(name == "*" for name, _ in stmt.names):
            yield ImportRecord(form="from-star", **base, **target)  # type: ignore[arg-type]
            return
        names = tuple(name_status(graph, hit, n, a) for n, a in stmt.names)
        yield ImportRecord(form="from", names=names, **base, **target)  # type: ignore[arg-type]
        return
    for alias, asname in stmt.names:  # ``from app import models``: a model module as a name
        sub_written = f"{stmt.module}.{alias}" if stmt.module else alias
        sub = graph.resolve(src, sub_written, stmt.level)
        if sub is not None and sub.source.rel in targets:
            name = ImportedName(
                name=alias, asname=asname, status="defined", provided_by=sub.source.module
            )
            yield ImportRecord(
                target=sub.source.module,
                target_path=sub.source.rel,
                form="from",
                names=(name,),
                **base,  # type: ignore[arg-type]
            )


def _with_star_names(
    graph: ModuleGraph, outline: Outline, imp: ImportRecord, used: frozenset[str]
) -> ImportRecord:
    """A star import takes the names the file uses and the module provides."""
    if imp.form != "from-star":
        return imp
    target = graph.outlines.get(imp.target_path or "")
    if target is None:
        return imp
    provided = public_names(target) | graph.star_names(target)
    names = tuple(
        name_status(graph, target, n, None) for n in sorted((used & provided) - outline.defined)
    )
    return replace(imp, names=names)


def _dynamic_imports(
    graph: ModuleGraph, outline: Outline, targets: set[str]
) -> list[DynamicImport]:
    out = []
    for call in outline.dynamic:
        text = call.text
        if text is None and call.name is not None:
            assigned = outline.assigns.get(call.name)
            text = assigned.text if assigned is not None else None
        hit = graph.resolve(outline.source, text, 0) if text else None
        if text and hit is not None and hit.source.rel in targets:
            out.append(
                DynamicImport(
                    path=outline.source.rel,
                    line=call.line,
                    module=hit.source.module,
                    call=call.call,
                    text=text,
                )
            )
    return out
