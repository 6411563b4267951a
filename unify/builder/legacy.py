"""Reading the legacy modules: every top-level statement, parsed once and classified.

Classes, ``Table`` assignments, imports, the ``db`` initialisation, helpers and other
statements are kept; the legacy glue (imports of other legacy modules, lazy ``db``
functions and placeholders, helpers that only bridge legacy modules (``bridges``), aliases
the compat module provides, ``__all__``) is dropped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from unify.builder.bridges import is_bridge
from unify.builder.nodes import callee, code_of, walk
from unify.errors import InputError, reason
from unify.models import Inventory, ModelModule
from unify.scan import read_source
from unify.vocabulary import DB_FACTORIES

Kind = Literal["class", "table", "import", "preamble", "db_init", "helper", "other", "dropped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Legacy:
    """A legacy module parsed once: its statements by kind, with their first line."""

    module: ModelModule
    tree: cst.Module
    lines: Mapping[cst.CSTNode, int]
    legacy_import_lines: frozenset[int]
    import_targets: Mapping[int, str]  # line of an import of a legacy module -> that module
    classes: Mapping[str, cst.ClassDef]
    tables: tuple[tuple[str, cst.SimpleStatementLine], ...]
    imports: tuple[cst.SimpleStatementLine, ...]
    preamble: tuple[cst.CSTNode, ...]
    db_init: tuple[cst.SimpleStatementLine, ...]
    helpers: tuple[tuple[str, cst.CSTNode], ...]
    other: tuple[cst.CSTNode, ...]
    dropped: tuple[str, ...]
    bridges: tuple[tuple[str, int], ...] = ()  # helpers dropped as bridges: (name, line)

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)


@dataclass(frozen=True, slots=True)
class _Source:
    """What classifying a statement reads: the module, its tree and line numbers."""

    module: ModelModule
    tree: cst.Module
    lines: Mapping[cst.CSTNode, int]
    legacy_import_lines: frozenset[int]
    import_targets: Mapping[int, str]
    legacy_names: frozenset[str]

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)

    def line(self, node: cst.CSTNode) -> int:
        return self.lines.get(node, 0)

    def names_legacy(self, node: cst.Import | cst.ImportFrom) -> bool:
        """An import of a legacy module: analyze resolved it so, or it is written as one
        inside a package (``server.models`` for ``models``: an import-retry fallback)."""
        if self.lines.get(node, -1) in self.legacy_import_lines:
            return True
        if isinstance(node, cst.ImportFrom):
            written = [code_of(node.module)] if node.module and not node.relative else []
        else:
            written = [code_of(a.name) for a in node.names]
        return any(
            w == name or w.endswith("." + name) for w in written for name in self.legacy_names
        )


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where one statement goes: ``node`` under ``kind`` (named ``name``), or a note."""

    kind: Kind
    node: cst.CSTNode | None = None
    name: str = ""
    note: str = ""
    line: int = 0


def read_legacy(
    root: Path, inventory: Inventory, module: ModelModule, legacy_names: set[str]
) -> Legacy:
    try:
        tree = cst.parse_module(read_source(root / module.path))
    except (OSError, UnicodeDecodeError, SyntaxError, cst.ParserSyntaxError) as exc:
        raise InputError(f"{module.path}: cannot read the legacy module ({reason(exc)})") from None
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    targets = {
        r.line: r.target
        for r in reversed(inventory.imports)
        if r.path == module.path and r.target in legacy_names
    }
    source = _Source(
        module=module,
        tree=tree,
        lines={node: pos.start.line for node, pos in positions.items()},
        legacy_import_lines=frozenset(targets),
        import_targets=targets,
        legacy_names=frozenset(legacy_names),
    )
    hacks = _bridges(source, _lazy_db_functions(source))
    placed = [
        p
        for index, stmt in enumerate(tree.body)
        if (p := _classify(source, stmt, index == 0, hacks)) is not None
    ]
    return _sorted(source, placed)


def _bridges(source: _Source, lazy_db: set[str]) -> set[str]:
    """Top-level helpers that only bridge legacy modules (and the lazy-db functions), unless
    a statement that stays names them (a bridge named only by glue or by another bridge
    goes)."""
    found = {
        stmt.name.value: stmt
        for stmt in source.tree.body
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef)
        and not any(c.name == stmt.name.value for c in source.module.classes if not c.guarded)
        and (stmt.name.value in lazy_db or is_bridge(stmt, source.names_legacy))
    }
    if not found:
        return set()
    named: set[str] = set()
    for stmt in source.tree.body:
        if any(stmt is f for f in found.values()) or _is_glue_assign(stmt, set(found)):
            continue
        named |= {n.value for n in walk(stmt) if isinstance(n, cst.Name)}
    return set(found) - named


def _is_glue_assign(stmt: cst.CSTNode, bridges: set[str]) -> bool:
    """``db = LazyDb()`` or ``_bridge()``: a statement that only runs or binds a bridge."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return False
    small = stmt.body[0]
    value = small.value if isinstance(small, cst.Assign | cst.Expr) else None
    return isinstance(value, cst.Call) and callee(value) in bridges


def _sorted(source: _Source, placed: list[_Placed]) -> Legacy:
    def nodes(kind: Kind) -> list[cst.CSTNode]:
        return [p.node for p in placed if p.kind == kind and p.node is not None]

    def named(kind: Kind) -> list[tuple[str, cst.CSTNode]]:
        return [(p.name, p.node) for p in placed if p.kind == kind and p.node is not None]

    return Legacy(
        module=source.module,
        tree=source.tree,
        lines=source.lines,
        legacy_import_lines=source.legacy_import_lines,
        import_targets=source.import_targets,
        classes={n: c for n, c in named("class") if isinstance(c, cst.ClassDef)},
        tables=tuple((n, s) for n, s in named("table") if isinstance(s, cst.SimpleStatementLine)),
        imports=tuple(s for s in nodes("import") if isinstance(s, cst.SimpleStatementLine)),
        preamble=tuple(nodes("preamble")),
        db_init=tuple(s for s in nodes("db_init") if isinstance(s, cst.SimpleStatementLine)),
        helpers=tuple(named("helper")),
        other=tuple(nodes("other")),
        dropped=tuple(p.note for p in placed if p.kind == "dropped"),
        bridges=tuple((p.name, p.line) for p in placed if p.kind == "dropped" and p.name),
    )


def _lazy_db_functions(source: _Source) -> set[str]:
    """Functions that fetch ``db`` lazily from another legacy module (``global db`` or an
    import of a legacy module inside): the circular-import trick."""
    names: set[str] = set()
    for stmt in source.tree.body:
        if isinstance(stmt, cst.FunctionDef) and _is_lazy_db(source, stmt):
            names.add(stmt.name.value)
    return names


def _is_lazy_db(source: _Source, func: cst.FunctionDef) -> bool:
    code = source.code(func)
    has_global_db = re.search(r"^\s*global\s+.*\bdb\b", code, re.M) is not None
    imports_legacy = any(source.lines.get(n, -1) in source.legacy_import_lines for n in walk(func))
    return has_global_db or (
        imports_legacy and re.search(r"\bdb\b", code) is not None and "return db" in code
    )


def _dropped(source: _Source, stmt: cst.CSTNode, what: str) -> _Placed:
    return _Placed("dropped", note=f"{source.module.path}:{source.line(stmt)} {what}")


def _classify(source: _Source, stmt: cst.CSTNode, first: bool, hacks: set[str]) -> _Placed | None:
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef) and stmt.name.value in hacks:
        name = stmt.name.value
        note = f"{source.module.path}:{source.line(stmt)} helper {name} bridging legacy modules"
        return _Placed("dropped", name=name, note=note, line=source.line(stmt))
    if isinstance(stmt, cst.ClassDef):
        return _classify_class(source, stmt)
    if isinstance(stmt, cst.FunctionDef):
        return _Placed("helper", stmt, stmt.name.value)
    if isinstance(stmt, cst.SimpleStatementLine):
        return _classify_simple(source, stmt, first, hacks)
    if isinstance(stmt, cst.Try) and _contains_legacy_import(source, stmt):
        return _dropped(source, stmt, "try/except import of a legacy module (placeholders)")
    if isinstance(stmt, cst.If | cst.Try) and _only_imports(stmt):
        if _contains_legacy_import(source, stmt):
            return _dropped(source, stmt, "conditional import of a legacy module")
        return _Placed("preamble", stmt)
    return _Placed("other", stmt)


def _classify_class(source: _Source, stmt: cst.ClassDef) -> _Placed:
    name = stmt.name.value
    if any(c.name == name for c in source.module.classes if not c.guarded):
        return _Placed("class", stmt, name)
    return _Placed("helper", stmt, name)


def _contains_legacy_import(source: _Source, node: cst.CSTNode) -> bool:
    return any(
        isinstance(n, cst.Import | cst.ImportFrom)
        and source.lines.get(n, -1) in source.legacy_import_lines
        for n in walk(node)
    )


def _only_imports(node: cst.If | cst.Try) -> bool:
    simple = [n for n in walk(node) if isinstance(n, cst.SimpleStatementLine)]
    return bool(simple) and all(
        all(isinstance(s, cst.Import | cst.ImportFrom | cst.Pass | cst.Assign) for s in line.body)
        for line in simple
    )


def _classify_simple(
    source: _Source, stmt: cst.SimpleStatementLine, first: bool, hacks: set[str]
) -> _Placed | None:
    small = stmt.body[0] if len(stmt.body) == 1 else None
    if isinstance(small, cst.Import | cst.ImportFrom):
        if source.line(stmt) in source.legacy_import_lines:
            return _dropped(source, stmt, "import of a legacy module")
        return _Placed("import", stmt)
    if (
        first
        and isinstance(small, cst.Expr)
        and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString)
    ):
        return None  # the module docstring
    if isinstance(small, cst.Expr | cst.Assign) and _is_glue_assign(stmt, hacks):
        return _dropped(source, stmt, "call of a helper bridging legacy modules")
    if isinstance(small, cst.Assign) or (isinstance(small, cst.AnnAssign) and small.value):
        return _classify_assign(source, stmt, small)  # ``Base: Any = declarative_base()`` too
    return _Placed("other", stmt)


def _classify_assign(
    source: _Source, stmt: cst.SimpleStatementLine, assign: cst.Assign | cst.AnnAssign
) -> _Placed:
    module = source.module
    target = assign.targets[0].target if isinstance(assign, cst.Assign) else assign.target
    name = target.value if isinstance(target, cst.Name) else ""
    if isinstance(assign.value, cst.Call) and callee(assign.value) in DB_FACTORIES:
        return _Placed("db_init", stmt)
    if name == "db":
        return _dropped(source, stmt, "lazy db placeholder (db = ...)")
    if any(a.name == name and a.kind == "assign" for a in module.aliases):
        return _dropped(source, stmt, f"alias {name} (kept in the compat module)")
    if any(t.name == name for t in module.tables):
        return _Placed("table", stmt, name)
    if name == "__all__":
        return _dropped(source, stmt, "__all__")
    return _Placed("helper", stmt, name)
