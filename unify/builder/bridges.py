"""Helpers that only bridge legacy modules: a lazy ``db`` proxy, an import-retry shim, a
function that fetches a name from another legacy module on first use.

Such a helper does nothing but import names of legacy modules (inside its body, so that two
modules importing each other still load) and hand them on: it returns them, stores them in a
global or on ``self``, or delegates attribute access to them (``getattr``).  In the unified
module every one of those names is defined beside it, so the helper has nothing left to
bridge: it is dropped and reported, unless a statement that stays still names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import libcst as cst

from unify.builder.nodes import code_of, is_docstring, walk
from unify.models import Finding, Rule, Severity

LEGACY_BRIDGE_DROPPED = Rule(
    name="legacy-bridge-dropped",
    code="B011",
    severity=Severity.WARNING,
    summary="a helper that only reached names of other legacy modules is dropped (the unified module defines them)",
)

# what a bridge may call: attribute access and importing, nothing of the app's own logic
_BRIDGE_CALLS = frozenset({"getattr", "setattr", "hasattr", "import_module", "__import__"})
_BRIDGE_NAMES = frozenset({"None", "True", "False", "self", "cls", "importlib", *_BRIDGE_CALLS})
_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})

IsLegacyImport = Callable[[cst.Import | cst.ImportFrom], bool]


def is_bridge(node: cst.CSTNode, legacy_import: IsLegacyImport) -> bool:
    """A function or a (non-model) class that only reaches names of legacy modules."""
    if isinstance(node, cst.FunctionDef):
        return _bridge_function(node, legacy_import)
    if isinstance(node, cst.ClassDef):
        methods = [s for s in node.body.body if isinstance(s, cst.FunctionDef)]
        others = [s for s in node.body.body if not isinstance(s, cst.FunctionDef)]
        if any(not (is_docstring(s) or _is_pass(s)) for s in others):
            return False
        bridges = [m for m in methods if _bridge_function(m, legacy_import)]
        trivial = [m for m in methods if m not in bridges and _only_stores_constants(m)]
        return bool(bridges) and len(bridges) + len(trivial) == len(methods)
    return False


def _bridge_function(func: cst.FunctionDef, legacy_import: IsLegacyImport) -> bool:
    if func.decorators:
        return False
    imports = [n for n in walk(func.body) if isinstance(n, cst.Import | cst.ImportFrom)]
    if not imports or not any(legacy_import(i) for i in imports):
        return False
    allowed = set(_BRIDGE_NAMES) | _EXCEPTIONS | {p.name.value for p in _params(func)}
    allowed |= _bound_names(func)
    return all(_bridge_statement(s, allowed, legacy_import) for s in func.body.body)


def _params(func: cst.FunctionDef) -> Iterable[cst.Param]:
    p = func.params
    extra = [x for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param)]
    return [*p.posonly_params, *p.params, *p.kwonly_params, *extra]


def _bound_names(func: cst.FunctionDef) -> set[str]:
    """Names the body binds: by import, by assignment, or declared ``global``."""
    out: set[str] = set()
    for node in walk(func.body):
        if isinstance(node, cst.Import):
            for alias in node.names:
                out.add(
                    code_of(alias.asname.name)
                    if alias.asname
                    else code_of(alias.name).split(".")[0]
                )
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            out |= {code_of(a.asname.name) if a.asname else code_of(a.name) for a in node.names}
        elif isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name):
            out.add(node.target.value)
        elif isinstance(node, cst.Global | cst.Nonlocal):
            out |= {n.name.value for n in node.names}
    return out


def _bridge_statement(stmt: cst.CSTNode, allowed: set[str], legacy_import: IsLegacyImport) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(_bridge_small(s, allowed, legacy_import) for s in stmt.body)
    if isinstance(stmt, cst.If):
        branches: list[cst.CSTNode] = [stmt.body]
        if stmt.orelse is not None:
            branches.append(stmt.orelse)
        return _only_names(stmt.test, allowed) and all(
            _bridge_block(b, allowed, legacy_import) for b in branches
        )
    if isinstance(stmt, cst.Try):
        blocks: list[cst.CSTNode] = [stmt.body, *(h.body for h in stmt.handlers)]
        blocks += [b.body for b in (stmt.orelse, stmt.finalbody) if b is not None]
        handled = all(h.type is None or _only_names(h.type, _EXCEPTIONS) for h in stmt.handlers)
        return handled and all(_bridge_block(b, allowed, legacy_import) for b in blocks)
    if isinstance(stmt, cst.Else):
        return _bridge_block(stmt.body, allowed, legacy_import)
    return False


def _bridge_block(block: cst.CSTNode, allowed: set[str], legacy_import: IsLegacyImport) -> bool:
    body = getattr(block, "body", ())
    if isinstance(block, cst.If | cst.Else):
        return _bridge_statement(block, allowed, legacy_import)
    return all(_bridge_statement(s, allowed, legacy_import) for s in body)


def _bridge_small(
    small: cst.BaseSmallStatement, allowed: set[str], legacy_import: IsLegacyImport
) -> bool:
    if isinstance(small, cst.Import | cst.ImportFrom):
        return legacy_import(small) or _imports_importlib(small)
    if isinstance(small, cst.Pass | cst.Global | cst.Nonlocal):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString) or _only_names(small.value, allowed)
    if isinstance(small, cst.Return):
        return small.value is None or _only_names(small.value, allowed)
    if isinstance(small, cst.Raise):
        return small.exc is None
    if isinstance(small, cst.Assign):
        return all(_only_names(t.target, allowed) for t in small.targets) and _only_names(
            small.value, allowed
        )
    return False


def _imports_importlib(node: cst.Import | cst.ImportFrom) -> bool:
    if isinstance(node, cst.Import):
        return all(code_of(a.name) == "importlib" for a in node.names)
    return node.module is not None and code_of(node.module) == "importlib"


def _only_names(expr: cst.CSTNode, allowed: set[str] | frozenset[str]) -> bool:
    """``expr`` reads only ``allowed`` names (attributes of them too), constants, and calls
    only the bridge calls."""
    for node in walk(expr):
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else code_of(func)
            if name not in _BRIDGE_CALLS:
                return False
        elif isinstance(node, cst.Attribute) and not _on_self(node):
            return False  # reading an attribute of what was imported is the app's logic
        elif isinstance(node, cst.Lambda | cst.BaseComp | cst.Await | cst.Yield) or (
            isinstance(node, cst.Name)
            and node.value not in allowed
            and not _is_attr_name(expr, node)
        ):
            return False
    return True


def _on_self(node: cst.Attribute) -> bool:
    """``self._db``, ``importlib.import_module``: the proxy's own state or the importer."""
    value: cst.BaseExpression = node
    while isinstance(value, cst.Attribute):
        value = value.value
    return isinstance(value, cst.Name) and value.value in ("self", "cls", "importlib")


def _is_attr_name(root: cst.CSTNode, name: cst.Name) -> bool:
    """``name`` is the attribute part of an ``a.name`` under ``root``."""
    return any(isinstance(n, cst.Attribute) and n.attr is name for n in walk(root))


def _only_stores_constants(func: cst.FunctionDef) -> bool:
    """``__init__(self): self._db = None``: a method that keeps no logic of its own."""
    for stmt in func.body.body:
        if is_docstring(stmt) or _is_pass(stmt):
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if not (
                isinstance(small, cst.Assign)
                and all(isinstance(t.target, cst.Attribute) for t in small.targets)
                and isinstance(small.value, cst.Name)
                and small.value.value in ("None", "True", "False")
            ):
                return False
    return True


def _is_pass(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Pass) for s in stmt.body
    )


def bridge_findings(dropped: Iterable[tuple[str, str, int]]) -> list[Finding]:
    """One finding per dropped bridge: ``(qualname, path, line)``."""
    return [
        LEGACY_BRIDGE_DROPPED.finding(
            f"{qualname} only reaches names of legacy modules (a lazy proxy or an import shim); "
            f"dropped: the unified module defines those names itself",
            path=path,
            line=line,
            objects=(qualname,),
        )
        for qualname, path, line in dropped
    ]
