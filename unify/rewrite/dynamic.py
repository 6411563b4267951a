"""Strings that name a legacy module (``importlib.import_module("old_models")``, a config
value): reported, never changed."""

from __future__ import annotations

from unify.models import Finding, Rule, Severity
from unify.rewrite.map import RenameIndex

DYNAMIC_LEGACY_REFERENCE = Rule(
    name="dynamic-legacy-reference",
    code="R002",
    severity=Severity.WARNING,
    summary="a string names a legacy module",
)


def dynamic_references(text: str, path: str, names: RenameIndex) -> list[Finding]:
    pattern = names.dynamic
    if pattern is None or not pattern.search(text):
        return []
    out: list[Finding] = []
    for match in pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        module = match.group(2)
        message = (
            f"a string names legacy module {module} (importlib, __import__ or configuration); "
            "not changed: update it by hand"
        )
        out.append(DYNAMIC_LEGACY_REFERENCE.finding(message, path=path, line=line))
    return out
