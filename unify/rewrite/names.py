"""Whether the uses of a rebound name can follow it, and which nodes to rename.

A name whose binding changes (``from legacy_models import LegacyUser`` -> ``User``, or
``from neutron.db import models_v2`` -> ``models_unified``) is renamed in the code only when
nothing else binds the old name or the new one where it is used; otherwise the import keeps
the old binding with ``as`` and the code is left alone.

Three paths, cheapest first: a text check (the old name appears only as its imports and as
``name.attr``, the new name not at all); the positions of Python's own parser
(``rewrite.bindings``: the name bound only by these imports, at module level, named in no
string); libcst's ``ScopeProvider`` for everything else -- computed only for files that
need it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import Access, MetadataWrapper, Scope, ScopeProvider

from unify.rewrite.bindings import Bindings, Use, read_bindings
from unify.rewrite.map import Written
from unify.rewrite.plan import Bound, FilePlan, StmtPlan, dotted
from unify.rewrite.skeleton import WholeModuleNeeded
from unify.rewrite.walk import iter_imports
from unify.syntax import ast_nodes


@dataclass(slots=True)
class NameDecisions:
    """What the transformer changes besides the import statements."""

    node_names: dict[int, str] = field(default_factory=dict)  # id(Name) -> new value
    node_attrs: dict[int, dict[str, str]] = field(default_factory=dict)  # id(Name) -> attrs
    fast_names: dict[str, str] = field(default_factory=dict)  # module binding -> new binding
    fast_attrs: dict[str, dict[str, str]] = field(default_factory=dict)  # binding -> attrs
    # uses found by ``rewrite.bindings``: ordinal of the ast.Name -> new name / attrs
    use_names: dict[int, str] = field(default_factory=dict)
    use_attrs: dict[int, dict[str, str]] = field(default_factory=dict)
    dotted: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    kept: set[tuple[int, str]] = field(default_factory=set)  # (id(stmt), binding) keep ``as``
    scoped: bool = False

    @property
    def touches_code(self) -> bool:
        """Whether libcst must walk the code (uses found by scope analysis)."""
        return bool(self.node_names or self.node_attrs)


@dataclass(slots=True)
class _Request:
    binding: str
    wanted: str
    attrs: dict[str, str]
    stmts: list[StmtPlan]
    bounds: list[Bound]
    star: bool = False

    @property
    def consistent(self) -> bool:
        return len({(b.wanted, b.target, b.kind) for b in self.bounds}) == 1


class ScopeCache:
    """The module's scopes, computed at most once per file: the cheap bindings of
    ``rewrite.bindings`` first, libcst's scopes only when those are not certain."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        *,
        tree: ast.Module | None = None,
        partial: bool = False,
    ) -> None:
        """``tree``: the text's ``ast`` tree when already parsed; ``partial``: ``module`` is
        the file's import skeleton (``rewrite.skeleton``), enough for all but the scopes."""
        self.module = module
        self.text = text
        self.partial = partial
        self._scopes: list[Scope] | None = None
        self._bindings: Bindings | None = None
        self._import_index: dict[int, int] | None = None
        self._tree: ast.Module | None = tree
        self._nodes: list[ast.AST] | None = None
        self._parsed = tree is not None

    def bindings(self) -> Bindings | None:
        """The file's bindings from ``ast``, or None when they cannot stand in for libcst's."""
        if self._import_index is None:
            tree = self.tree()
            self._bindings = None if tree is None else read_bindings(tree, self.nodes())
            nodes = list(iter_imports(self.module))
            found = self._bindings
            if found is None or len(found.imports) != len(nodes) or not found.modelled:
                self._bindings = None
            self._import_index = {id(node): i for i, node in enumerate(nodes)}
        return self._bindings

    def tree(self) -> ast.Module | None:
        """The text's ``ast`` tree (None when Python's parser rejects what libcst accepts)."""
        if not self._parsed:
            self._parsed = True
            try:
                self._tree = ast.parse(self.text)
            except (SyntaxError, ValueError):
                self._tree = None
        return self._tree

    def nodes(self) -> list[ast.AST]:
        """The ``ast`` tree's nodes (``rewrite.bindings.ast_nodes``), listed once."""
        if self._nodes is None:
            tree = self.tree()
            self._nodes = [] if tree is None else ast_nodes(tree)
        return self._nodes

    def import_index(self, node: cst.CSTNode) -> int:
        self.bindings()
        assert self._import_index is not None
        return self._import_index.get(id(node), -2)

    def unresolved_among(self, names: frozenset[str]) -> set[str]:
        """Those of ``names`` used in the file with no binding (what a star import supplies)."""
        facts = self.bindings()
        if facts is not None:
            found = facts.unresolved(sorted(names))
            if found is not None:
                return found
        return set(self.unresolved()) & names

    def scopes(self) -> list[Scope]:
        if self._scopes is None:
            if self.partial:
                raise WholeModuleNeeded("libcst's scopes need the whole module")
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            found = wrapper.resolve(ScopeProvider).values()
            self._scopes = list({id(s): s for s in found if s is not None}.values())
        return self._scopes

    def unresolved(self) -> dict[str, list[Access]]:
        """Names used with no binding in the file (what a star import supplies)."""
        out: dict[str, list[Access]] = defaultdict(list)
        for scope in self.scopes():
            for access in scope.accesses:
                if not access.referents and isinstance(access.node, cst.Name):
                    out[access.node.value].append(access)
        return out


def decide_names(text: str, plan: FilePlan, cache: ScopeCache) -> NameDecisions:
    decisions = NameDecisions()
    for request in _requests(plan):
        _decide(text, request, cache, decisions)
    return decisions


def _requests(plan: FilePlan) -> list[_Request]:
    by_binding: dict[str, _Request] = {}
    for stmt, bound in plan.bounds():
        if bound.kind == "dotted" or (bound.binding == bound.wanted and not bound.attrs):
            continue
        request = by_binding.setdefault(
            bound.binding,
            _Request(
                bound.binding, bound.wanted, dict(bound.attrs), [], [], stmt.form == "from-star"
            ),
        )
        request.stmts.append(stmt)
        request.bounds.append(bound)
    return list(by_binding.values())


def dotted_requests(plan: FilePlan, decisions: NameDecisions) -> None:
    """``import a.b.legacy``: uses are the dotted chain itself; no binding changes."""
    for _, bound in plan.bounds():
        if bound.kind == "dotted":
            decisions.dotted[bound.dotted_old] = (bound.dotted_new, dict(bound.attrs))


def _decide(text: str, request: _Request, cache: ScopeCache, decisions: NameDecisions) -> None:
    rebinds = request.binding != request.wanted
    if not request.consistent:
        _keep(request, decisions)
        return
    kind = request.bounds[0].kind
    if kind == "module" and not request.star and _text_safe(text, request):
        if rebinds:
            decisions.fast_names[request.binding] = request.wanted
        if request.attrs:
            decisions.fast_attrs[request.wanted] = request.attrs
        return
    decisions.scoped = True
    certain = _certain_references(text, request, cache)
    if certain is not None:
        _decide_uses(text, request, certain, decisions)
        return
    refs, ok = _references(request, cache)
    ok = ok and not (rebinds and _conflicts(text, request, cache))
    if rebinds and not ok:
        _keep(request, decisions)
    new = request.wanted if rebinds and ok else request.binding
    for access in refs:
        if isinstance(access.node, cst.Name):
            if new != request.binding:
                decisions.node_names[id(access.node)] = new
            if request.attrs:
                decisions.node_attrs[id(access.node)] = request.attrs


def _certain_references(
    text: str, request: _Request, cache: ScopeCache
) -> tuple[list[Use], bool] | None:
    """The uses of the request's imports and whether each refers to them alone, when
    ``rewrite.bindings`` is certain of them (what libcst's scopes would find), else None."""
    facts = cache.bindings()
    if facts is None:
        return None
    binding = request.binding
    if binding != request.wanted and re.search(rf"\b{re.escape(request.wanted)}\b", text):
        return None
    if request.star:
        return (list(facts.uses.get(binding, ())), True) if facts.unbound(binding) else None
    if facts.in_strings(binding):
        return None
    return facts.references(binding, {cache.import_index(s.node) for s in request.stmts})


def _decide_uses(
    text: str, request: _Request, certain: tuple[list[Use], bool], decisions: NameDecisions
) -> None:
    """``_decide`` on certain uses; the wanted name is nowhere in the file, so only a string
    naming the old one is a conflict."""
    uses, ok = certain
    rebinds = request.binding != request.wanted
    quoted = rf"""["']{re.escape(request.binding)}["']"""
    ok = ok and not (rebinds and re.search(quoted, text))
    if rebinds and not ok:
        _keep(request, decisions)
    new = request.wanted if rebinds and ok else request.binding
    for use in uses:
        if new != request.binding:
            decisions.use_names[use.ordinal] = new
        if request.attrs:
            decisions.use_attrs[use.ordinal] = request.attrs


def _keep(request: _Request, decisions: NameDecisions) -> None:
    for stmt in request.stmts:
        decisions.kept.add((id(stmt.node), request.binding))


def _text_safe(text: str, request: _Request) -> bool:
    """The old binding appears only in its imports and as ``binding.attr``; the new name
    nowhere: then every ``binding.attr`` in the code is a use of the import."""
    if request.binding != request.wanted and re.search(rf"\b{re.escape(request.wanted)}\b", text):
        return False
    bare = re.findall(rf"(?<![\w.]){re.escape(request.binding)}\b(?!\s*\.)", text)
    return len(bare) == len(request.bounds)


def _references(request: _Request, cache: ScopeCache) -> tuple[list[Access], bool]:
    """The uses of the request's imports, and whether every one refers to them alone."""
    nodes = {id(s.node) for s in request.stmts}
    refs: list[Access] = []
    if request.star:
        refs = list(cache.unresolved().get(request.binding, []))
    for scope in cache.scopes():
        for assignment in scope.assignments[request.binding]:
            if id(getattr(assignment, "node", None)) in nodes:
                refs.extend(assignment.references)
    ok = all(_only_ours(access, nodes) and isinstance(access.node, cst.Name) for access in refs)
    return refs, ok


def _only_ours(access: Access, nodes: set[int]) -> bool:
    return all(id(getattr(a, "node", None)) in nodes for a in access.referents)


def _conflicts(text: str, request: _Request, cache: ScopeCache) -> bool:
    """True when the new name is bound or used elsewhere, or the old one is named in a
    string (``__all__``) that would go stale."""
    if re.search(rf"""["']{re.escape(request.binding)}["']""", text):
        return True
    bound = request.bounds[0]
    for scope in cache.scopes():
        for assignment in scope.assignments[request.wanted]:
            if not _same_import(assignment, bound):
                return True
        for access in scope.accesses[request.wanted]:
            if not access.referents or not all(_same_import(a, bound) for a in access.referents):
                return True
    return False


def _same_import(assignment: object, bound: Bound) -> bool:
    """An existing import that binds the wanted name to the same object: no conflict."""
    node = getattr(assignment, "node", None)
    if isinstance(node, cst.Import):
        return (
            bound.kind == "module"
            and not bound.module.dotted
            and any(a.asname is None and dotted(a.name) == bound.name for a in node.names)
        )
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return False
    written = Written(dotted(node.module), len(node.relative))
    return written == bound.module and any(
        a.asname is None and dotted(a.name) == bound.name for a in node.names
    )
