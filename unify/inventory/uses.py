"""Attribute uses in a file that imports a model: ``Model.attr``, ``filter_by(attr=...)`` on a
query of a model, and ``module.Name`` where ``module`` is bound to a model module.

The outline keeps no tree: a file whose text shows a use can occur is parsed again here,
walked once, and let go."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from unify.inventory.bases import ModelSet
from unify.inventory.exprs import dotted, last
from unify.inventory.graph import ModuleGraph, name_status
from unify.inventory.outline import Outline
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
    names: set[str] = field(default_factory=set)
    refs: list[tuple[int, str, str]] = field(default_factory=list)  # (line, via, name)


def walk_uses(outline: Outline, scope: Scope, *, star: bool) -> Walked:
    """One walk over the file's tree: names used (for star imports), ``Model.attr``,
    ``filter_by(...)`` on a query of a model, and ``module.Name`` where ``module`` is bound
    to a model module.  Skipped (and the file not parsed again) when the text shows none of
    these can occur."""
    out = Walked()
    text = outline.text
    locals_ = (*scope.classes, *scope.module_names)
    if not star and "filter_by" not in text and not any(f"{n}." in text for n in locals_):
        return out
    rel = outline.source.rel
    for node in _nodes(ast.parse(text, filename=rel)):
        kind = node.__class__
        if kind is ast.Name:
            out.names.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            _note_attribute(out, rel, node, scope)  # type: ignore[arg-type]
        elif kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if func.__class__ is ast.Attribute and func.attr == "filter_by":
                out.uses += _filter_by_uses(rel, node, scope)  # type: ignore[arg-type]
    return out


def _note_attribute(out: Walked, rel: str, node: ast.Attribute, scope: Scope) -> None:
    if node.ctx.__class__ is not ast.Load:
        return
    hit = _model_of(node.value, scope)
    if hit is not None:
        use = AttributeUse(path=rel, line=node.lineno, model=hit[0], attr=node.attr, via=hit[1])
        out.uses.append(use)
    elif scope.module_names:
        value = node.value
        if value.__class__ is ast.Name:
            via: str | None = value.id
        else:
            via = dotted(value) if value.__class__ is ast.Attribute else None
        if via is not None and via in scope.module_names:
            out.refs.append((node.lineno, via, node.attr))


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but the ``Load``/``Store`` markers, breadth first: ``ast.walk``
    without its per-node generators (a list iterated while it grows)."""
    out: list[ast.AST] = [tree]
    node_type = ast.AST
    child_fields = _CHILD_FIELDS
    for node in out:
        kind = node.__class__
        names = child_fields.get(kind)
        if names is None:
            names = child_fields[kind] = tuple(f for f in kind._fields if f != "ctx")
        for name in names:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, node_type):
                        out.append(item)
            elif isinstance(value, node_type):
                out.append(value)
    return out


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _filter_by_uses(rel: str, node: ast.Call, scope: Scope) -> list[AttributeUse]:
    assert isinstance(node.func, ast.Attribute)
    hit = _query_model(node.func.value, scope)
    if hit is None:
        return []
    return [
        AttributeUse(
            path=rel, line=node.lineno, model=hit[0], attr=kw.arg, via=hit[1], kind="filter_by"
        )
        for kw in node.keywords
        if kw.arg
    ]


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


def _model_of(node: ast.expr, scope: Scope) -> tuple[str, str] | None:
    """(class, name as written) when ``node`` is a name or ``module.Name`` for a model."""
    if node.__class__ is ast.Name:
        qual = scope.classes.get(node.id)
        return (qual, node.id) if qual else None
    if isinstance(node, ast.Attribute) and scope.modules:
        prefix = dotted(node.value)
        provided = scope.modules.get(prefix) if prefix else None
        qual = provided.get(node.attr) if provided else None
        return (qual, f"{prefix}.{node.attr}") if qual else None
    return None


def _query_model(node: ast.expr, scope: Scope) -> tuple[str, str] | None:
    """The model a query chain starts from: ``X.query...`` or ``session.query(X)...``."""
    for _ in range(30):
        if isinstance(node, ast.Attribute):
            if node.attr == "query":
                hit = _model_of(node.value, scope)
                if hit is not None:
                    return hit
            node = node.value
        elif isinstance(node, ast.Call):
            if last(node.func) == "query" and node.args:
                return _model_of(node.args[0], scope)
            node = node.func
        else:
            return None
    return None
