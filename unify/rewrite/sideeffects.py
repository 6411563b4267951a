"""Imports of legacy modules made only for their side effects: ``from server import
old_models, shop_models`` in a migrations ``env.py``, whose names the file never uses (the
import registers the modules' tables).  Once the unified module defines every table, they are
redundant: the rewrite turns them into one import of the unified module, and says so."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from unify.models import Finding, Rule, Severity, SourceFile
from unify.rewrite.map import RenameIndex, Written
from unify.syntax import ast_nodes

REDUNDANT_SIDE_EFFECT_IMPORT = Rule(
    name="redundant-side-effect-import",
    code="R012",
    severity=Severity.INFO,
    summary="legacy modules imported only for their side effects",
)


def side_effect_imports(
    tree: ast.Module,
    path: str,
    importer: SourceFile,
    names: RenameIndex,
    nodes: list[ast.AST] | None = None,
) -> list[Finding]:
    """One finding per import statement that binds legacy modules the file never uses;
    ``nodes`` is the tree's node listing (``rewrite.bindings.ast_nodes``) when already made."""
    if nodes is None:
        nodes = ast_nodes(tree)
    imports = [
        (node, bound)
        for node in nodes
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and (bound := list(_module_bindings(node, importer, names)))
    ]
    if not imports:
        return []
    used = {node.id for node in nodes if isinstance(node, ast.Name)}
    out: list[Finding] = []
    for node, bound in imports:
        unused = [
            (legacy, target)
            for binding, legacy in bound
            if binding not in used and (target := names.module_target(legacy)) is not None
        ]
        if unused:
            out.append(_finding(path, node.lineno, unused))
    return out


def _module_bindings(
    node: ast.Import | ast.ImportFrom, importer: SourceFile, names: RenameIndex
) -> Iterator[tuple[str, str]]:
    """(name bound, legacy module) for each alias of ``node`` that binds a legacy module."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            legacy = names.legacy_module(importer, Written(alias.name))
            if legacy is not None:
                yield alias.asname or alias.name.partition(".")[0], legacy
        return
    package = node.module or ""
    if names.legacy_module(importer, Written(package, node.level)) is not None:
        return  # ``from legacy import X``: names, not modules
    for alias in node.names:
        full = f"{package}.{alias.name}" if package else alias.name
        legacy = names.legacy_module(importer, Written(full, node.level))
        if legacy is not None:
            yield alias.asname or alias.name, legacy


def _finding(path: str, line: int, unused: list[tuple[str, str]]) -> Finding:
    legacy = ", ".join(dict.fromkeys(m for m, _ in unused))
    targets = ", ".join(dict.fromkeys(t for _, t in unused))
    message = (
        f"{legacy} imported only for their side effects (no name of them is used here): "
        f"now redundant, {targets} defines their tables; rewritten to an import of {targets} "
        f"(remove it if the file imports {targets} already)"
    )
    return REDUNDANT_SIDE_EFFECT_IMPORT.finding(message, path=path, line=line)
