"""Pass 3, *graph*: the outlines by path and module, with where each name really comes from
(imports and star imports followed).  Lookups are memoised; nothing is filled in later."""

from __future__ import annotations

from collections.abc import Mapping

from unify.inventory.outline import Outline, TopImport
from unify.models import ImportedName, NameStatus, SourceFile
from unify.scan import ModuleIndex


class ModuleGraph:
    """The repository's outlines and the module resolution between them."""

    def __init__(self, index: ModuleIndex, outlines: Mapping[str, Outline]) -> None:
        self.index = index
        self.outlines = outlines
        self._by_module: dict[str, Outline] = {}
        for outline in outlines.values():
            self._by_module.setdefault(outline.source.module, outline)
        self._resolved: dict[tuple[str, str, str, str, int], Outline | None] = {}
        self._stars: dict[str, frozenset[str]] = {}
        self._origins: dict[tuple[str, str], tuple[Outline, str] | None] = {}
        self.statuses: dict[tuple[str, str, str | None], ImportedName] = {}  # ``name_status``

    def module(self, name: str) -> Outline | None:
        return self._by_module.get(name)

    def resolve(self, importer: SourceFile, written: str, level: int) -> Outline | None:
        folder = importer.rel.rpartition("/")[0]
        key = (importer.root, folder, importer.module if level else "", written, level)
        if key not in self._resolved:
            hit = self.index.resolve(importer, written, level)
            self._resolved[key] = self.outlines.get(hit.rel) if hit else None
        return self._resolved[key]

    def star_names(self, outline: Outline) -> frozenset[str]:
        """The names ``from m import *`` statements bring into the module (chains followed);
        a star-import cycle contributes what is known when it closes."""
        rel = outline.source.rel
        cached = self._stars.get(rel)
        if cached is not None:
            return cached
        self._stars[rel] = frozenset()
        names: set[str] = set()
        for star in outline.stars:
            source = self.resolve(outline.source, star.module, star.level)
            if source is not None and source is not outline:
                names |= public_names(source) | self.star_names(source)
        self._stars[rel] = frozenset(names)
        return self._stars[rel]

    def origin(self, outline: Outline, name: str, depth: int = 0) -> tuple[Outline, str] | None:
        """Where ``name`` of ``outline`` is really defined (following imports and stars)."""
        key = (outline.source.rel, name)
        if key not in self._origins:
            self._origins[key] = self._origin(outline, name, depth)
        return self._origins[key]

    def qualname(self, outline: Outline, name: str) -> str:
        """``module.Name`` where ``name`` is defined, or ``""``."""
        found = self.origin(outline, name)
        return f"{found[0].source.module}.{found[1]}" if found else ""

    def _origin(self, outline: Outline, name: str, depth: int) -> tuple[Outline, str] | None:
        if depth > 20:
            return None
        for imp in reversed(outline.imports):
            if imp.name is not None and (imp.asname or imp.name) == name:
                source = self.resolve(outline.source, imp.module, imp.level)
                if source is None or imp.name not in source.defined | self.star_names(source):
                    sub = self._submodule(outline, imp)
                    return (sub, "") if sub else None
                return self.origin(source, imp.name, depth + 1)
        if name in outline.defined:
            return outline, name
        for star in outline.stars:
            source = self.resolve(outline.source, star.module, star.level)
            if source is not None and name in public_names(source) | self.star_names(source):
                return self.origin(source, name, depth + 1)
        return None

    def _submodule(self, outline: Outline, imp: TopImport) -> Outline | None:
        written = f"{imp.module}.{imp.name}" if imp.module else str(imp.name)
        return self.resolve(outline.source, written, imp.level)


def public_names(outline: Outline) -> frozenset[str]:
    """What ``from m import *`` takes from the module: ``__all__``, else its public names."""
    if outline.all_names is not None:
        return frozenset(outline.all_names)
    return frozenset(n for n in outline.defined if not n.startswith("_"))


def name_status(graph: ModuleGraph, target: Outline, name: str, asname: str | None) -> ImportedName:
    """Whether ``target`` defines ``name``, passes it on from another module, or lacks it
    (one record per target, name and alias, shared by every import that takes it)."""
    key = (target.source.rel, name, asname)
    known = graph.statuses.get(key)
    if known is None:
        known = graph.statuses[key] = _name_status(graph, target, name, asname)
    return known


def _name_status(
    graph: ModuleGraph, target: Outline, name: str, asname: str | None
) -> ImportedName:
    status: NameStatus
    if name in target.defined and not any(
        (i.asname or i.name) == name for i in target.imports if i.name
    ):
        return ImportedName(
            name=name, asname=asname, status="defined", provided_by=target.source.module
        )
    origin = graph.origin(target, name)
    if origin is None:
        if target.dynamic_getattr or name in target.defined:
            return ImportedName(name=name, asname=asname, status="defined")
        sub = graph.resolve(target.source, f"{target.source.module}.{name}", 0)
        status = "defined" if sub is not None and target.source.is_package else "missing"
        return ImportedName(name=name, asname=asname, status=status)
    owner = origin[0].source.module
    status = "defined" if owner == target.source.module else "reexported"
    return ImportedName(name=name, asname=asname, status=status, provided_by=owner)
