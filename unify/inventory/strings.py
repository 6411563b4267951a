"""Part of pass 7 (*dependents*): strings in code that name a model module or a model's table.

- a string equal to a model module's dotted name as the file would import it
  (``"shop_models"``, ``"server.shop_models"``) or to ``module.Class`` /
  ``module:Class``: a dynamic reference (``DynamicImport`` with no call);
- a string (or f-string) that looks like SQL and names a model's table: an ``SqlReference``
  with the tables and the columns of those tables it names.

The outline pass noted which files may hold strings naming a module (``Outline.quoted``):
those few files are parsed again here, docstrings left out.  It kept the strings that look
like SQL themselves (``Outline.sql``): which of them name a model's table is told here."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from unify.inventory.graph import ModuleGraph
from unify.inventory.outline import Outline
from unify.literals import (
    CodeString,
    code_strings,
    sql_names,
)
from unify.models import DynamicImport, SqlReference
from unify.scan import read_source


def string_references(
    graph: ModuleGraph, root: Path, model_paths: set[str]
) -> Iterator[DynamicImport]:
    """Every string in code naming a model module (or one of its names), file by file."""
    for outline in graph.outlines.values():
        if not outline.quoted:
            continue
        named = dict(_named_modules(graph, outline, model_paths))
        if not named:
            continue
        for string in _strings(outline, root):
            module = named.get(string.value)
            if module is not None and not string.formatted:
                yield DynamicImport(
                    path=outline.source.rel,
                    line=string.line,
                    module=module,
                    call="",
                    text=string.value,
                )


def _named_modules(
    graph: ModuleGraph, outline: Outline, model_paths: set[str]
) -> Iterator[tuple[str, str]]:
    """(string, model module it names) for the file's quoted names that name one."""
    imported = _bare_imports(outline)
    for value in outline.quoted:
        head, sep, attr = value.partition(":")
        if not sep:
            found = graph.index.resolve_string(outline.source, value, imported)
            hit = graph.outlines.get(found.rel) if found is not None else None
            if hit is not None and hit.source.rel in model_paths:
                yield value, hit.source.module
                continue
            head, _, attr = value.rpartition(".")
        hit = graph.resolve(outline.source, head, 0) if head and attr else None
        if hit is not None and hit.source.rel in model_paths and attr in hit.defined:
            yield value, hit.source.module


def _strings(outline: Outline, root: Path) -> list[CodeString]:
    try:
        text = outline.text if outline.text is not None else read_source(root / outline.source.rel)
        return list(code_strings(ast.parse(text)))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []  # (changed since it was read: the next run sees it)


def sql_references(
    outlines: Iterable[Outline], columns: Mapping[str, frozenset[str]]
) -> Iterator[SqlReference]:
    """Every string that looks like SQL and names a table of ``columns`` (table -> its column
    names): the tables it names and the columns of those tables."""
    if not columns:
        return
    words = re.compile(
        r"\b(?:" + "|".join(re.escape(t) for t in sorted(columns)) + r")\b", re.IGNORECASE
    )
    for outline in outlines:
        for string in outline.sql:
            if not words.search(string.value):
                continue
            found = {n.name for n in sql_names(string.value)}
            tables = tuple(sorted(t for t in columns if t in found or t.lower() in found))
            if not tables:
                continue
            named = {c for t in tables for c in columns[t] if c in found or c.lower() in found}
            yield SqlReference(
                path=outline.source.rel,
                line=string.line,
                tables=tables,
                columns=tuple(sorted(named)),
                formatted=string.formatted,
            )


def _bare_imports(outline: Outline) -> frozenset[str]:
    """The modules the file imports by a bare name (``import person``, ``from person import
    x``): their folder is on its ``sys.path`` (``ModuleIndex.resolve_string``)."""
    names: set[str] = set()
    for stmt in outline.statements:
        if stmt.is_from:
            if not stmt.level and stmt.module and "." not in stmt.module:
                names.add(stmt.module)
        else:
            names.update(name for name, _ in stmt.names if "." not in name)
    return frozenset(names)
