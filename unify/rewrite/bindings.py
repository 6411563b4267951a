"""Where a file binds and uses each name, read with Python's own parser: the cheap answer to
the scope questions of ``rewrite.names``, given only when it is certain.

libcst's ``ScopeProvider`` answers every scope question but costs several times a parse.
Most files ask about a name that is bound only by the imports being rewritten, at module
level, and named in no string; for such a name the answers follow from positions alone:

- a use inside a function, lambda, class body or comprehension refers to those imports;
- a use at module level refers to them when it comes after the first of them;
- a name bound nowhere is unresolved (what a star import supplies) unless it is a builtin.

``Bindings.certain(name)`` says whether that reasoning holds for a name; otherwise the
caller asks libcst.  Uses are identified by their ordinal among the file's ``ast.Name``
nodes, which import statements never contain: the ordinal survives the rewrite of the
import lines, so ``rewrite.uses`` finds the same node in the new text.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from unify.syntax import ast_nodes, child_nodes

ImportNode = ast.Import | ast.ImportFrom
_BINDING_SCOPES = frozenset({"module", "function"})
# constructs whose scope rules the position reasoning does not model
_UNMODELLED = (ast.Match, ast.NamedExpr, ast.Global, ast.Nonlocal)


@dataclass(frozen=True, slots=True)
class Use:
    """One ``ast.Name`` read (or deleted) in the code."""

    ordinal: int  # position among every ast.Name of the file, in ``ast.walk`` order
    scope: int  # index into ``Bindings.scopes``
    position: tuple[int, int]  # (line, column)


@dataclass(frozen=True, slots=True)
class Binder:
    """One binding of a name: ``where`` is the import's index in ``Bindings.imports``, or -1
    for any other kind of binding."""

    where: int
    scope: int
    position: tuple[int, int]
    end: tuple[int, int]  # end of its statement: a use after it comes after the binding


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    """A scope as libcst models it: its parent, and whether children see its names (a class
    body's names are invisible to the functions inside it)."""

    parent: int  # -1 for the module
    kind: str  # module, function, lambda, class, comprehension


@dataclass(slots=True)
class Bindings:
    """The file's bindings and uses by name; ``imports`` in ``rewrite.walk.iter_imports``
    order (the order libcst's import nodes are matched by)."""

    imports: list[ImportNode]
    scopes: list[ScopeInfo] = field(default_factory=lambda: [ScopeInfo(parent=-1, kind="module")])
    uses: dict[str, list[Use]] = field(default_factory=lambda: defaultdict(list))
    binders: dict[str, list[Binder]] = field(default_factory=lambda: defaultdict(list))
    strings: list[str] = field(default_factory=list)
    modelled: bool = True

    def in_strings(self, name: str) -> bool:
        word = re.compile(rf"\b{re.escape(name)}\b")
        return any(word.search(s) for s in self.strings)

    def unbound(self, name: str) -> bool:
        """Bound nowhere in the file, and not a builtin: libcst finds it unresolved."""
        return not self.binders.get(name) and not hasattr(builtins, name)

    def unresolved(self, names: Sequence[str]) -> set[str] | None:
        """Those of ``names`` that libcst's scopes leave unresolved at one of their uses at
        least (what a star import supplies); None when the positions cannot tell (a binding
        in a class body, lambda or comprehension; a use inside its binding statement)."""
        out: set[str] = set()
        for name in names:
            if name not in self.uses or hasattr(builtins, name):
                continue
            binders = self.binders.get(name, [])
            if any(self.scopes[b.scope].kind not in _BINDING_SCOPES for b in binders):
                return None
            by_scope: dict[int, list[Binder]] = defaultdict(list)
            for binder in binders:
                by_scope[binder.scope].append(binder)
            for use in self.uses[name]:
                referents = self._referents(use, by_scope)
                if referents is None:
                    return None
                if not referents:
                    out.add(name)
                    break
        return out

    def references(self, name: str, ours: set[int]) -> tuple[list[Use], bool] | None:
        """The uses libcst's scopes would list as references of the imports ``ours`` (indices
        into ``imports``), and whether each refers to them alone; None when the positions
        cannot tell (a binding in a class body, lambda or comprehension; a use inside its
        binding statement)."""
        binders = self.binders.get(name, [])
        if hasattr(builtins, name) or not any(b.where in ours for b in binders):
            return None
        if any(self.scopes[b.scope].kind not in _BINDING_SCOPES for b in binders):
            return None
        by_scope: dict[int, list[Binder]] = defaultdict(list)
        for binder in binders:
            by_scope[binder.scope].append(binder)
        refs: list[Use] = []
        alone = True
        for use in self.uses.get(name, []):
            referents = self._referents(use, by_scope)
            if referents is None:
                return None
            if any(b.where in ours for b in referents):
                refs.append(use)
                alone = alone and all(b.where in ours for b in referents)
        return refs, alone

    def _referents(self, use: Use, by_scope: dict[int, list[Binder]]) -> list[Binder] | None:
        """libcst: the binders of the nearest visible scope binding the name; in the use's
        own scope only those before it, else (none before it) the next scope's."""
        own = by_scope.get(use.scope, [])
        if any(b.position < use.position < b.end for b in own):
            return None
        before = [b for b in own if b.end <= use.position]
        outer = self._outer(use.scope, by_scope)
        if before:
            # a use between two bindings of its scope: libcst also lists it under the outer ones
            return None if len(before) < len(own) and outer else before
        return outer

    def _outer(self, scope: int, by_scope: dict[int, list[Binder]]) -> list[Binder]:
        while scope != -1:
            scope = self._visible_parent(scope)
            if scope in by_scope:
                return by_scope[scope]
        return []

    def _visible_parent(self, scope: int) -> int:
        parent = self.scopes[scope].parent
        while parent != -1 and self.scopes[parent].kind == "class":
            parent = self.scopes[parent].parent
        return parent


def read_bindings(tree: ast.Module, nodes: list[ast.AST] | None = None) -> Bindings:
    """``nodes``: the tree's ``ast_nodes``, when the caller has them."""
    facts = Bindings(imports=list(_imports_in(tree.body)))
    index = {id(node): i for i, node in enumerate(facts.imports)}
    every = ast_nodes(tree) if nodes is None else nodes
    ordinals = {id(n): i for i, n in enumerate(n for n in every if isinstance(n, ast.Name))}
    _Reader(facts, index, ordinals).statements(tree.body, scope=0)
    return facts


def _imports_in(statements: Sequence[ast.stmt]) -> Iterator[ImportNode]:
    """Import statements at any depth, in the order ``rewrite.walk.iter_imports`` yields the
    libcst nodes: compound statements by body, orelse, handlers, finalbody, cases."""
    for stmt in statements:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt
            continue
        for name in ("body", "orelse", "handlers", "finalbody", "cases"):
            value = getattr(stmt, name, None)
            if not isinstance(value, list):
                continue
            for item in value:
                if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                    yield from _imports_in(item.body)
                elif isinstance(item, ast.stmt):
                    yield from _imports_in([item])


class _Reader:
    """One pass over the tree, tracking whether the code is at module level (libcst's
    global scope: decorators, defaults, annotations and bases of top-level definitions and
    the first iterable of a comprehension included)."""

    def __init__(self, facts: Bindings, index: dict[int, int], ordinals: dict[int, int]) -> None:
        self.facts = facts
        self.index = index
        self.ordinals = ordinals
        self.statement: ast.AST | None = None

    def statements(self, body: Sequence[ast.AST], scope: int) -> None:
        for node in body:
            self.node(node, scope)

    def node(self, node: ast.AST, scope: int) -> None:
        if isinstance(node, _UNMODELLED):
            self.facts.modelled = False
        if isinstance(node, ast.stmt):
            outer, self.statement = self.statement, node
            self._node(node, scope)
            self.statement = outer
        else:
            self._node(node, scope)

    def _node(self, node: ast.AST, scope: int) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(node, scope)
        elif isinstance(node, ast.Lambda):
            inner = self._scope(scope, "lambda")
            self._arguments(node.args, scope, inner)
            self.node(node.body, inner)
        elif isinstance(node, ast.ClassDef):
            self._bind(node.name, -1, scope, node)
            for child in (*node.decorator_list, *node.bases, *node.keywords):
                self.node(child, scope)
            self.statements(node.body, self._scope(scope, "class"))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self._comprehension(node, scope)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, scope)
        else:
            self._leaf(node, scope)
            for child in child_nodes(node):
                self.node(child, scope)

    def _leaf(self, node: ast.AST, scope: int) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                self._bind(node.id, -1, scope, node)
            else:
                use = Use(self.ordinals[id(node)], scope, _position(node))
                self.facts.uses[node.id].append(use)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.facts.strings.append(node.value)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._bind(node.name, -1, scope, node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: int) -> None:
        self._bind(node.name, -1, scope, node)
        for child in node.decorator_list:
            self.node(child, scope)
        inner = self._scope(scope, "function")
        self._arguments(node.args, scope, inner)
        if node.returns is not None:
            self.node(node.returns, scope)
        self.statements(node.body, inner)

    def _arguments(self, args: ast.arguments, scope: int, inner: int) -> None:
        """Parameters bind in the function's scope; defaults and annotations are read in the
        enclosing one."""
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            self._bind(arg.arg, -1, inner, arg)
            if arg.annotation is not None:
                self.node(arg.annotation, scope)
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self.node(default, scope)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, scope: int
    ) -> None:
        first, *rest = node.generators
        self.node(first.iter, scope)
        inner = self._scope(scope, "comprehension")
        self.node(first.target, inner)
        for condition in first.ifs:
            self.node(condition, inner)
        for generator in rest:
            self.node(generator, inner)
        parts = (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)
        for part in parts:
            self.node(part, inner)

    def _import(self, node: ImportNode, scope: int) -> None:
        where = self.index.get(id(node), -1)
        for alias in node.names:
            if alias.name == "*":
                continue
            self._bind(alias.asname or alias.name.split(".")[0], where, scope, node)

    def _bind(self, name: str, where: int, scope: int, node: ast.AST) -> None:
        whole = node if isinstance(node, ast.arg) else self.statement or node
        end = (getattr(whole, "end_lineno", 0) or 0, getattr(whole, "end_col_offset", 0) or 0)
        self.facts.binders[name].append(Binder(where, scope, _position(node), end))

    def _scope(self, parent: int, kind: str) -> int:
        self.facts.scopes.append(ScopeInfo(parent=parent, kind=kind))
        return len(self.facts.scopes) - 1


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
