"""Strings that name a legacy module (``importlib.import_module("old_models")``, a constant
``SHOP = "server.shop_models"``, a configuration value ``"old_models.User"``): reported,
never changed.  A string counts when it equals the module's dotted name as the file would
import it, or that name and one more name (``module.Class``, ``module:Class``); docstrings
and comments do not count."""

from __future__ import annotations

import ast

from unify.literals import code_strings
from unify.models import Finding, Rule, Severity, SourceFile
from unify.rewrite.map import RenameIndex, Written

DYNAMIC_LEGACY_REFERENCE = Rule(
    name="dynamic-legacy-reference",
    code="R002",
    severity=Severity.WARNING,
    summary="a string names a legacy module",
)


def dynamic_references(
    text: str, path: str, importer: SourceFile, names: RenameIndex
) -> list[Finding]:
    pattern = names.dynamic
    if pattern is None or not pattern.search(text):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    imported = _bare_imports(tree)
    out: list[Finding] = []
    for string in code_strings(tree):
        if string.formatted:
            continue
        module = _legacy_named(string.value, importer, names, imported)
        if module is not None:
            message = (
                f"the string '{string.value}' names legacy module {module} (importlib, "
                "__import__ or configuration); not changed: update it by hand"
            )
            out.append(DYNAMIC_LEGACY_REFERENCE.finding(message, path=path, line=string.line))
    return out


def _legacy_named(
    value: str, importer: SourceFile, names: RenameIndex, imported: frozenset[str]
) -> str | None:
    """The leaving legacy module ``value`` names (itself, or with one name after it); a bare
    word only as ``RenameIndex.legacy_module_named`` reads it."""
    if len(value) > 200 or not value.replace(".", "").replace(":", "").replace("_", "").isalnum():
        return None
    head, sep, _ = value.partition(":")
    candidates = [head] if sep else [value, value.rpartition(".")[0]]
    for dotted in candidates:
        if not dotted or not dotted.replace(".", "").replace("_", "").isalnum():
            continue
        if dotted == value:
            module = names.legacy_module_named(importer, dotted, imported)
        else:
            module = names.legacy_module(importer, Written(dotted))
        if module is not None and module in names.dynamic_modules:
            return module
    return None


def _bare_imports(tree: ast.Module) -> frozenset[str]:
    """The modules the file imports by a bare name (``import person``, ``from person import
    x``), at any depth."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if "." not in a.name)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            if module and "." not in module:
                names.add(module)
    return frozenset(names)
