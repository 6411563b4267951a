"""Pass 4, *models*: which classes are mapped (deriving from ``db.Model``, a declarative
base, ``DeclarativeBase``, another model, or carrying ``__tablename__``) and which are the
mixins they inherit from, as a frozen ``ModelSet``."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from unify.inventory.classes import RawClass
from unify.inventory.graph import ModuleGraph
from unify.inventory.outline import Outline, TopClass
from unify.vocabulary import BASE_FACTORIES, DECLARATIVE_ROOTS, MODEL_ROOTS, last_part


@dataclass(frozen=True, slots=True)
class ClassRef:
    outline: Outline
    top: TopClass

    @property
    def qualname(self) -> str:
        return f"{self.outline.source.module}.{self.top.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSet:
    """Every model class and mixin found, keyed by qualified name."""

    models: dict[str, ClassRef]
    mixins: dict[str, ClassRef]
    parents: dict[str, tuple[str | None, ...]]  # models' and mixins' bases, resolved
    chosen: frozenset[str] | None  # the files given with --models
    bases: frozenset[str]  # names bound to a declarative base anywhere
    declarative: frozenset[str]  # repository classes that are declarative bases
    # members of each repository declarative base (None when one of its own bases is unknown)
    base_members: dict[str, frozenset[str] | None]
    # each model's bases (as written) imported from a module outside the repository (not the
    # standard library's)
    outside: dict[str, tuple[str, ...]]
    # the bases of the classes deriving from a model root bound under another name, that name
    # replaced by the root (``BaseModel`` -> ``db.Model``); other classes: as written
    unaliased: dict[str, tuple[str, ...]]
    # the body of each repository declarative base: the columns and the ``__tablename__``
    # rule (a ``declared_attr``) its models take from it
    declarative_bodies: dict[str, RawClass]

    def bases_of(self, qualname: str, written: tuple[str, ...]) -> tuple[str, ...]:
        """The class's bases as the checks read them (``unaliased``), given them as written."""
        return self.unaliased.get(qualname, written)


def find_models(graph: ModuleGraph, chosen: frozenset[str] | None) -> ModelSet:
    bases = declarative_bases(graph)
    candidates = _unique_classes(graph, chosen)
    resolved = {c.qualname: _resolve_bases(graph, c) for c in candidates}
    aliases = _root_aliases(graph)
    unaliased = {
        c.qualname: found
        for c in candidates
        if aliases and (found := _unaliased(graph, c, aliases)) != c.top.bases
    }
    declarative = frozenset(c.qualname for c in candidates if _is_declarative_base(c, bases))
    models: dict[str, ClassRef] = {}
    changed = True
    while changed:
        changed = False
        for ref in candidates:
            qual = ref.qualname
            effective = unaliased.get(qual, ref.top.bases)
            if qual not in models and _is_model(
                ref, effective, resolved[qual], models, bases, declarative
            ):
                models[qual] = ref
                changed = True
    all_refs = {c.qualname: c for c in candidates}
    mixins: dict[str, ClassRef] = {}
    parents: dict[str, tuple[str | None, ...]] = {}
    todo = list(models)
    while todo:
        qual = todo.pop()
        parents[qual] = resolved[qual]
        for base in resolved[qual]:
            if (
                base
                and base not in models
                and base not in mixins
                and base in all_refs
                and not _is_declarative_base(all_refs[base], bases)
            ):
                mixins[base] = all_refs[base]
                todo.append(base)
    return ModelSet(
        models=models,
        mixins=mixins,
        parents=parents,
        chosen=chosen,
        bases=bases,
        declarative=declarative,
        base_members={
            c.qualname: _declarative_members(c) for c in candidates if c.qualname in declarative
        },
        outside={q: found for q, r in models.items() if (found := _outside_bases(graph, r))},
        unaliased={q: b for q, b in unaliased.items() if q in models or q in mixins},
        declarative_bodies={
            c.qualname: c.top.body for c in candidates if c.qualname in declarative
        },
    )


def _root_aliases(graph: ModuleGraph) -> dict[tuple[str, str], str]:
    """Model roots bound under another name at a module's top level, annotated or not
    (``BaseModel = db.Model``): (file, name) -> the root as written."""
    return {
        (outline.source.rel, name): value.dotted
        for outline in graph.outlines.values()
        for name, value in outline.assigns.items()
        if value.dotted and last_part(value.dotted) in MODEL_ROOTS
    }


def _unaliased(
    graph: ModuleGraph, ref: ClassRef, aliases: dict[tuple[str, str], str]
) -> tuple[str, ...]:
    """The class's bases as written, each one bound to a model root under another name
    replaced by that root, the name followed through the imports (``from app.database import
    BaseModel``; ``database.BaseModel``): a class of that name from elsewhere is not one."""
    out = []
    for base in ref.top.bases:
        head, _, rest = base.partition(".")
        origin = graph.origin(ref.outline, head)
        if origin is not None and rest and not origin[1] and "." not in rest:
            origin = graph.origin(origin[0], rest)  # module.Name
        elif rest:
            origin = None
        root = aliases.get((origin[0].source.rel, origin[1])) if origin else None
        out.append(root or base)
    return tuple(out)


def _outside_bases(graph: ModuleGraph, ref: ClassRef) -> tuple[str, ...]:
    """The bases of ``ref`` (as written) whose first name is imported from a module that is
    neither in the repository nor in the standard library."""
    out = []
    for base in ref.top.bases:
        head = base.partition(".")[0]
        bound = [
            imp
            for imp in ref.outline.imports
            if (imp.asname or imp.name or imp.module.partition(".")[0]) == head
        ]
        if not bound:
            continue
        imp = bound[-1]
        if imp.level or imp.module.partition(".")[0] in sys.stdlib_module_names:
            continue
        written = f"{imp.module}.{imp.name}" if imp.name else imp.module
        if graph.index.resolve(ref.outline.source, imp.module, 0) is None and (
            graph.index.resolve(ref.outline.source, written, 0) is None
        ):
            out.append(base)
    return tuple(out)


def _unique_classes(graph: ModuleGraph, chosen: frozenset[str] | None) -> list[ClassRef]:
    """One class per qualified name: same-named modules of separate apps
    (``examples/*/app/models.py``) would otherwise mix; a chosen file comes first.  The
    classes of an Alembic revision file are history, not models (``Outline.history``)."""
    outlines = sorted(
        (o for o in graph.outlines.values() if not o.history),
        key=lambda o: not chosen or o.source.rel not in chosen,
    )
    found: dict[str, ClassRef] = {}
    for outline in outlines:
        for top in outline.classes.values():
            ref = ClassRef(outline, top)
            found.setdefault(ref.qualname, ref)
    return list(found.values())


def declarative_bases(graph: ModuleGraph) -> frozenset[str]:
    """Names bound to a declarative base anywhere: ``Base = declarative_base()``,
    ``class Base(DeclarativeBase)``."""
    names = set(MODEL_ROOTS)
    for outline in graph.outlines.values():
        for name, value in outline.assigns.items():
            if value.call in BASE_FACTORIES:
                names.add(name)
        for name, top in outline.classes.items():
            if any(last_part(b) in DECLARATIVE_ROOTS for b in top.bases) or any(
                d in BASE_FACTORIES for d in top.decorators
            ):
                names.add(name)
    return frozenset(names)


def _resolve_bases(graph: ModuleGraph, ref: ClassRef) -> tuple[str | None, ...]:
    """Each base as the qualified name of a repository class, or None."""
    out: list[str | None] = []
    for base in ref.top.bases:
        head, _, rest = base.partition(".")
        origin = graph.origin(ref.outline, head)
        if origin is None:
            out.append(None)
            continue
        target, name = origin
        if rest and not name:  # module.Class
            name = rest.split(".")[-1]
            found = graph.origin(target, name) if name in target.defined else None
            target, name = found if found else (target, name)
        out.append(f"{target.source.module}.{name}" if name in target.classes else None)
    return tuple(out)


def _is_declarative_base(ref: ClassRef, bases: frozenset[str]) -> bool:
    """``class Base(DeclarativeBase)`` or a class bound as a declarative base."""
    return ref.top.name in bases and (
        any(last_part(b) in DECLARATIVE_ROOTS for b in ref.top.bases)
        or "as_declarative" in ref.top.decorators
    )


def _declarative_members(ref: ClassRef) -> frozenset[str] | None:
    """What a repository declarative base gives its models: its body's names, or None when
    it also derives from something else (its members unknown)."""
    if any(last_part(b) not in DECLARATIVE_ROOTS for b in ref.top.bases):
        return None
    raw = ref.top.body
    names = {c.attr for c in raw.columns} | {r.attr for r in raw.relationships}
    return frozenset(names | set(raw.members))


def _is_model(
    ref: ClassRef,
    effective: tuple[str, ...],  # the bases, model roots' aliases replaced (``_unaliased``)
    parents: tuple[str | None, ...],
    models: dict[str, ClassRef],
    bases: frozenset[str],
    declarative: frozenset[str],
) -> bool:
    top = ref.top
    if any(p in models for p in parents if p):
        return True
    if top.name in bases and any(last_part(b) in DECLARATIVE_ROOTS for b in top.bases):
        return False  # the declarative base itself
    for base, parent in zip(effective, parents, strict=False):
        if parent is not None and parent not in declarative:
            continue  # a plain repository class that happens to be called ``Model``
        last = last_part(base)
        if last in bases or (last.startswith("BASE") and last.isupper()):
            return True
    # a ``__tablename__`` under a base from elsewhere (a framework's model base) maps; on a
    # plain class (no base but ``object``) it is a mixin's, for the models that use it
    return top.has_tablename and any(b not in _PLAIN_BASES for b in top.bases)


_PLAIN_BASES = frozenset({"object", "builtins.object"})
