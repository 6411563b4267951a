"""Walking and rebuilding only the statement structure of a libcst module.

libcst's visitors rebuild (and re-validate) every node they pass, even when nothing
changes: for a file whose only edits are import statements that costs as much as parsing
it.  These helpers follow compound statements by their suites only, and rebuild a node only
when something under it changed; untouched subtrees are shared, not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import libcst as cst

SUITE_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")

ImportNode = cst.Import | cst.ImportFrom


def iter_imports(module: cst.Module) -> Iterator[ImportNode]:
    """Every import statement of the module, in source order, at any depth."""
    yield from _imports_in(module.body)


def _imports_in(statements: Sequence[cst.CSTNode]) -> Iterator[ImportNode]:
    for stmt in statements:
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from (s for s in stmt.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        else:
            yield from _imports_in(list(children_of(stmt)))


def children_of(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statements (or suites, handlers, branches) directly under a compound node."""
    if isinstance(node, cst.IndentedBlock):
        yield from node.body
        return
    for field in SUITE_FIELDS:
        value = getattr(node, field, None)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            yield from value


Lines = Callable[
    [cst.SimpleStatementLine], "cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | None"
]
Suite = Callable[[cst.SimpleStatementSuite], "cst.SimpleStatementSuite | None"]
Body = Callable[[list[cst.BaseStatement]], "list[cst.BaseStatement] | None"]
Enter = Callable[[cst.CSTNode, bool], None]
Compound = Callable[[cst.CSTNode], None]


class StructureRebuilder:
    """Rebuild the module with ``line``/``suite`` replacements; ``body`` post-processes each
    rebuilt statement list (merging imports); ``enter(block, entering)`` tracks depth and
    ``compound(node)`` sees every compound statement (after its children)."""

    def __init__(
        self, line: Lines, suite: Suite, body: Body, enter: Enter, compound: Compound
    ) -> None:
        self.line = line
        self.suite = suite
        self.body = body
        self.enter = enter
        self.compound = compound
        self.origins: dict[int, cst.CSTNode] = {}  # id(rebuilt block or compound) -> original

    def module(self, module: cst.Module) -> cst.Module:
        body = self._statements(module.body)
        return module if body is None else module.with_changes(body=body)

    def _statements(
        self, statements: Sequence[cst.BaseStatement]
    ) -> list[cst.BaseStatement] | None:
        out: list[cst.BaseStatement] = []
        changed = False
        for stmt in statements:
            new = self._node(stmt)
            if new is None:
                out.append(stmt)
                continue
            changed = True
            out.extend(new.nodes if isinstance(new, cst.FlattenSentinel) else [new])
        if not changed:
            return None
        return self.body(out) or out

    def _node(self, node: cst.CSTNode) -> Any:
        if isinstance(node, cst.SimpleStatementLine):
            return self.line(node)
        if isinstance(node, cst.SimpleStatementSuite):
            return self.suite(node)
        if isinstance(node, cst.IndentedBlock):
            self.enter(node, True)
            body = self._statements(node.body)
            self.enter(node, False)
            return None if body is None else self._rebuilt(node, body=body)
        return self._compound(node)

    def _compound(self, node: cst.CSTNode) -> cst.CSTNode | None:
        changes: dict[str, Any] = {}
        for field in SUITE_FIELDS:
            value = getattr(node, field, None)
            if isinstance(value, cst.CSTNode):
                new = self._node(value)
                if new is not None:
                    changes[field] = new
            elif isinstance(value, (tuple, list)) and value:
                items = [self._node(v) for v in value]
                if any(i is not None for i in items):
                    changes[field] = [
                        n if n is not None else v for n, v in zip(items, value, strict=True)
                    ]
        self.compound(node)
        return self._rebuilt(node, **changes) if changes else None

    def _rebuilt(self, node: cst.CSTNode, **changes: Any) -> cst.CSTNode:
        new = node.with_changes(**changes)
        self.origins[id(new)] = node
        return new
