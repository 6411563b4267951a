"""The unified module's text: docstring and imports, then the plan's sections under banners.

The first section holds the ``db`` initialisation and the model bases, then the helpers
kept from the legacy modules; each later section its classes (each after the ``Table``
assignments it names); what is left goes last (with the helpers a decorator of which names
a model).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from unify.builder.classes import ClassBuild
from unify.builder.imports import render_imports
from unify.builder.kept import db_init, kept_helpers, kept_others, kept_tables
from unify.builder.legacy import Legacy
from unify.builder.nodes import chunk
from unify.builder.ordering import order_classes
from unify.builder.reexports import Reexports
from unify.models import Finding, ResolvedPlan

HELPERS_TITLE = "Helpers kept from the legacy modules (not models)"
OTHER_TITLE = "Other statements kept from the legacy modules"
RULE_LINE = "# " + "=" * 77


def render_unified(
    local: frozenset[str],
    naming: ResolvedPlan,
    legacies: Mapping[str, Legacy],
    built: Sequence[ClassBuild],
    renames: Mapping[str, Mapping[str, str]] | None = None,
    reexports: Reexports | None = None,
) -> tuple[str, list[Finding]]:
    """``renames``: per legacy module, the names its imports and constants bind under a
    new name in the unified module; ``reexports``: the names the legacy modules' ancestor
    packages re-export (imported from where they are defined)."""
    sections = naming.sections
    helpers, bases, after_models, findings = kept_helpers(legacies, naming, built, renames)
    tables = kept_tables(legacies, naming)
    imports = render_imports(local, legacies, renames, reexports)
    parts = [_module_docstring(naming, legacies) + "\n\n" + imports]
    parts += [chunk(c) for lg in legacies.values() for c in map(lg.code, lg.preamble)]
    if sections:
        parts.append(_banner(_section_title(sections, sections[0])))
    parts += db_init(legacies)
    parts += bases
    ordered, more = order_classes(built, sections)
    findings += more
    parts += [b.code for b in ordered if sections and b.section == sections[0]]
    if helpers:
        parts += [_banner(HELPERS_TITLE.upper()), *helpers]
    placed: set[str] = set()
    for section in sections[1:]:
        members = [b for b in ordered if b.section == section]
        if not members:
            continue
        parts.append(_banner(_section_title(sections, section)))
        for cls in members:
            for var in sorted(cls.uses_tables & tables.keys() - placed):
                parts.append(tables[var])
                placed.add(var)
            parts.append(cls.code)
    rest = [code for var, code in tables.items() if var not in placed]
    rest += after_models  # a decorator names a model: after every class
    rest += [chunk(c) for c in kept_others(legacies, naming)]
    if rest:
        parts += [_banner(OTHER_TITLE.upper()), *rest]
    text = "\n\n\n".join(chunk(p) for p in parts if p.strip()) + "\n"
    return re.sub(r"(\n# [^\n]*\n# =+)\n\n\n", r"\1\n\n", text), findings


def _banner(title: str) -> str:
    return f"{RULE_LINE}\n# {title}\n{RULE_LINE}"


def _section_title(sections: Sequence[str], section: str) -> str:
    return f"SECTION {sections.index(section) + 1}: {section.upper()}"


def _module_docstring(naming: ResolvedPlan, legacies: Mapping[str, Legacy]) -> str:
    plan = naming.plan
    many = len(legacies) > 4
    sources = (
        f"{len(legacies)} legacy modules" if many else "the legacy modules " + ", ".join(legacies)
    )
    return (
        f'"""Unified models: every model of the application, in the plan\'s sections.\n\n'
        f"Built by `unify build` from {sources}\n"
        f"(decisions in {PurePosixPath(plan.path).name}).  The legacy names stay importable from\n"
        f'{plan.compat_module} until every import points here.\n"""'
    )
