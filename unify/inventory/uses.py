"""Attribute uses in a file that imports a model: ``Model.attr``, ``filter_by(attr=...)`` on a
query of a model, and ``module.Name`` where ``module`` is bound to a model module.

The outline keeps no tree: the candidate references were read while the file was parsed
(:mod:`unify.inventory.references`); here they meet the scope."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from sys import intern

from unify.inventory.bases import ModelSet
from unify.inventory.graph import ModuleGraph, name_status
from unify.inventory.outline import Outline
from unify.inventory.references import (
    Candidate,
    FilterByCall,
    References,
    each_reference,
    read_references,
)
from unify.models import AttributeUse, ImportRecord, ModuleAttribute


@dataclass(frozen=True, slots=True)
class Scope:
    """Local names of a file that stand for model classes or model modules."""

    classes: Mapping[str, str]
    modules: Mapping[str, Mapping[str, str]]
    module_names: Mapping[str, str]

    @staticmethod
    def builder(
        graph: ModuleGraph, found: ModelSet
    ) -> Callable[[Outline, Sequence[ImportRecord]], Scope]:
        """A scope maker for one run, remembering what each model module provides."""
        provided: dict[str, dict[str, str]] = {}

        def build(outline: Outline, imports: Sequence[ImportRecord]) -> Scope:
            return _scope(graph, found, provided, outline, imports)

        return build


def _scope(
    graph: ModuleGraph,
    found: ModelSet,
    cache: dict[str, dict[str, str]],
    outline: Outline,
    imports: Sequence[ImportRecord],
) -> Scope:
    module = outline.source.module
    classes = {n: f"{module}.{n}" for n in outline.classes if f"{module}.{n}" in found.models}
    modules: dict[str, Mapping[str, str]] = {}
    module_names: dict[str, str] = {}
    for imp in imports:
        target = graph.outlines.get(imp.target_path or "")
        if target is None:
            continue
        provided = cache.get(target.source.module)
        if provided is None:
            provided = cache[target.source.module] = _module_classes(graph, found, target)
        if _binds_module(imp, target):
            name = imp.names[0]
            modules[name.asname or name.name] = provided
            module_names[name.asname or name.name] = target.source.rel
        elif imp.form == "from":
            classes.update(
                {n.asname or n.name: provided[n.name] for n in imp.names if n.name in provided}
            )
        elif imp.form == "from-star":
            classes.update({n: q for n, q in provided.items() if n not in classes})
    return Scope(classes, modules, module_names)


def _binds_module(imp: ImportRecord, target: Outline) -> bool:
    """``import m`` / ``import m as a`` / ``from pkg import m``: the name is the module."""
    if imp.form in ("import", "import-as"):
        return True
    first = imp.names[0] if imp.names else None
    return bool(
        imp.form == "from"
        and first is not None
        and first.name == imp.target.rsplit(".", 1)[-1]
        and first.name not in target.defined
    )


def _module_classes(graph: ModuleGraph, found: ModelSet, outline: Outline) -> dict[str, str]:
    """Names of a module that stand for a model class (aliases followed)."""
    out: dict[str, str] = {}
    for name in outline.defined | graph.star_names(outline):
        origin = graph.origin(outline, name)
        value = outline.assigns.get(name)
        if origin is not None and value is not None and value.name and origin[0] is outline:
            origin = graph.origin(outline, value.name)
        qual = f"{origin[0].source.module}.{origin[1]}" if origin else ""
        if qual in found.models:
            out[name] = qual
    return out


@dataclass(slots=True)
class Walked:
    uses: list[AttributeUse] = field(default_factory=list)
    names: frozenset[str] = frozenset()
    refs: list[tuple[int, str, str]] = field(default_factory=list)  # (line, via, name)


def walk_uses(
    outline: Outline, references: References | None, scope: Scope, *, star: bool
) -> Walked:
    """The file's references matched against its scope: ``Model.attr``, ``filter_by(...)``
    on a query of a model, ``module.Name`` where ``module`` is bound to a model module, and
    the names used (for star imports).  Nothing when the text shows none can occur."""
    out = Walked()
    locals_ = (*scope.classes, *scope.module_names)
    if (
        not star
        and not outline.has_filter_by
        and not any(n in outline.dotted_heads for n in locals_)
    ):
        return out
    rel = outline.source.rel
    if references is None:  # not read with the outline: parse the file again
        heads = {*scope.classes, *scope.module_names, *scope.modules}
        tree = ast.parse(outline.text or "", filename=rel)
        references = read_references(tree, heads, star=star)
    out.names = references.names
    classes, modules, module_names = scope.classes, scope.modules, scope.module_names
    uses, refs = out.uses, out.refs
    for line, attr, prefix, name in each_reference(references.events):
        if attr is None:  # a ``filter_by()`` call
            uses += _filter_by_uses(rel, name, scope)
            continue
        if prefix is None:
            qual, via = classes.get(name), name
        else:  # (``_model_of`` inlined: this runs for every reference)
            provided = modules.get(prefix) if modules else None
            qual, via = (provided.get(name) if provided else None), ""
        if qual:
            via = via or intern(f"{prefix}.{name}")
            uses.append(AttributeUse(path=rel, line=line, model=qual, attr=attr, via=via))
        elif module_names:
            via = name if prefix is None else f"{prefix}.{name}"
            if via in module_names:
                refs.append((line, via, attr))
    return out


def _filter_by_uses(rel: str, call: FilterByCall, scope: Scope) -> list[AttributeUse]:
    hit = _query_model(call, scope)
    if hit is None:
        return []
    return [
        AttributeUse(path=rel, line=call.line, model=hit[0], attr=k, via=hit[1], kind="filter_by")
        for k in call.keywords
    ]


def _query_model(call: FilterByCall, scope: Scope) -> tuple[str, str] | None:
    """The model a query chain starts from: ``X.query...`` or ``session.query(X)...``."""
    for candidate, final in call.steps:
        hit = _model_of(candidate, scope)
        if final or hit is not None:
            return hit
    return None


def module_attributes(
    graph: ModuleGraph, outline: Outline, scope: Scope, refs: Sequence[tuple[int, str, str]]
) -> list[ModuleAttribute]:
    """``via.Name`` uses of a model module, with the status of each name."""
    out = []
    for line, via, name in sorted(set(refs)):
        target = graph.outlines.get(scope.module_names[via])
        if target is None or (name.startswith("__") and name.endswith("__")):
            continue
        status = name_status(graph, target, name, None)
        out.append(
            ModuleAttribute(
                path=outline.source.rel,
                line=line,
                module=target.source.module,
                via=via,
                name=name,
                status=status.status,
                provided_by=status.provided_by,
            )
        )
    return out


def _model_of(candidate: Candidate, scope: Scope) -> tuple[str, str] | None:
    """(class, name as written) when ``candidate`` is a name or ``module.Name`` for a model."""
    if candidate is None:
        return None
    prefix, name = candidate
    if prefix is None:
        qual = scope.classes.get(name)
        return (qual, name) if qual else None
    provided = scope.modules.get(prefix) if scope.modules else None
    qual = provided.get(name) if provided else None
    return (qual, intern(f"{prefix}.{name}")) if qual else None
