"""``unify analyze``: the static inventory of a repository's model modules.

Nothing is imported or executed.  Each pass returns a frozen record (the parts live in
:mod:`unify.inventory`, one concern a file):

1. *parse* (``inventory.parse``): every ``.py`` file, one at a time; a syntax error or
   undecodable bytes becomes a ``parse-error`` finding, the rest is still analysed;
2. *outline* (``inventory.outline``, ``inventory.references``): per file, its top-level
   statements (classes with their bodies read, the names it binds, its imports, ``Table()``
   objects, descending into ``if``/``try``/``with`` blocks), its import statements at any
   depth and, for files likely to use a model, the candidate references (attribute reads,
   ``filter_by()`` calls); then the syntax tree is let go;
3. *models* (``inventory.bases``): which classes are mapped, and the mixins they use (an
   Alembic revision file's classes and tables are history, not models: its tables are kept
   apart, as ``Inventory.history_tables``, for the foreign-key checks);
4. *records* (``inventory.records``, ``inventory.modules``): ``ModelClass`` and
   ``ModelModule`` records;
5. *dependents* (``inventory.dependents``, ``inventory.uses``): every import of a model
   module anywhere, with the status of each name; dynamic imports naming a model module;
   ``Model.attr`` and ``filter_by(attr=...)`` in files that import a model (the references
   matched against the file's scope; a file whose references were not read is parsed again);
   strings naming a model module (``inventory.strings``: the few files the outline marked
   are parsed again) and the strings looking like SQL the outline kept that name a model's
   table;
6. *links* (``inventory.links``): bases and known members of each class;
7. *findings* (``inventory.rules``): the checks read the finished ``Inventory`` alone.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from unify.errors import InputError
from unify.inventory.bases import find_models
from unify.inventory.closure import import_closure
from unify.inventory.dependents import scan_dependents
from unify.inventory.digests import with_member_digests
from unify.inventory.graph import ModuleGraph
from unify.inventory.links import class_links
from unify.inventory.modules import model_modules
from unify.inventory.outline import Outline, outline_file
from unify.inventory.parse import parse_files
from unify.inventory.records import build_classes
from unify.inventory.references import NO_REFERENCES, References
from unify.inventory.rules import RULES, check_inventory
from unify.inventory.select import chosen_modules, module_name_clashes
from unify.inventory.strings import sql_references, string_references
from unify.models import DynamicImport, Finding, Inventory, ModelModule, TableDef
from unify.scan import ModuleIndex, describe_files, list_repo_files

Progress = Callable[[int, int], None]  # (files done, files in all)

__all__ = ["RULES", "analyze_repo", "check_inventory"]


def analyze_repo(
    path: Path,
    *,
    models: tuple[str, ...] = (),
    progress: Progress | None = None,
    imported_only: bool = False,
) -> Inventory:
    """Inventory the model modules of the repository at ``path`` (static: nothing runs).

    ``models`` names the model modules (dotted names or paths) instead of finding them;
    ``progress(done, total)`` is called as files are parsed.  ``imported_only`` (with
    ``models``) reads only those modules and the repository modules they import: the model
    records a plan is resolved against, at a fraction of the cost (the dependents and the
    findings then cover those files alone).  Raises ``InputError`` for a missing path, a
    file, a symlink loop or a folder without Python files.
    """
    with _gc_paused():
        return _analyze(path, models, progress, imported_only and bool(models))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The passes make many small records and no cycles; reference counting frees them, and
    full collections over millions of objects would only cost time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze(
    path: Path, models: tuple[str, ...], progress: Progress | None, imported_only: bool
) -> Inventory:
    files = list_repo_files(path)
    if not files.python:
        raise InputError(f"{path}: no Python files found (give the repository's root folder)")
    index = ModuleIndex(describe_files(files.root, files.python))
    outlines: dict[str, Outline] = {}
    references: dict[str, References | None] = {}  # files with candidate references

    problems: list[Finding] = []
    if imported_only:
        outlines, references, problems = import_closure(files.root, index, models)
    total = len(index.files)
    stems = frozenset(f.module.rpartition(".")[2] for f in index.files)
    for done, parsed in enumerate(() if imported_only else parse_files(files.root, index.files)):
        if progress is not None and done % 50 == 0:
            progress(done, total)
        if isinstance(parsed, Finding):
            problems.append(parsed)
        else:
            outline, read = outline_file(parsed, index.resolve, stems)
            outlines[outline.source.rel] = outline
            if read is not NO_REFERENCES:
                references[outline.source.rel] = read
    if progress is not None:
        progress(total, total)
    graph = ModuleGraph(index, outlines)
    chosen = chosen_modules(graph, models, files.root) if models else None
    found = find_models(graph, chosen)
    classes = with_member_digests(build_classes(found), files.root)
    tables = tuple(t for o in outlines.values() if not o.history for t in o.tables)
    modules = model_modules(graph, found, classes, tables)
    deps = scan_dependents(graph, found, {m.path for m in modules}, references)
    references.clear()
    strings = string_references(graph, files.root, {m.path for m in modules})
    dynamic = _without_calls_named(deps.dynamic, strings)
    sql = sql_references(outlines.values(), _table_columns(modules, tables))
    inventory = Inventory(
        root=str(files.root),
        import_roots=index.roots,
        modules=modules,
        imports=deps.imports,
        findings=(),
        files_scanned=len(index.files),
        top_level_modules=tuple(sorted({f.module.partition(".")[0] for f in index.files})),
        dynamic_imports=dynamic,
        other_python_files=files.other_python,
        attribute_uses=deps.uses,
        module_attributes=deps.module_attributes,
        classes=tuple(classes.values()),
        tables=tables,
        class_links=class_links(found, classes),
        class_names=tuple(sorted({n for o in outlines.values() for n in o.classes})),
        module_clashes=module_name_clashes(graph, found.models) if chosen is None else (),
        sql_references=tuple(sorted(sql, key=lambda r: (r.path, r.line))),
        history_tables=_history_tables(outlines.values()),
    )
    return replace(inventory, findings=(*problems, *check_inventory(inventory)))


def _without_calls_named(
    calls: tuple[DynamicImport, ...], strings: Iterable[DynamicImport]
) -> tuple[DynamicImport, ...]:
    """The import calls, then the strings that are not their literal arguments."""
    seen = {(d.path, d.line, d.module) for d in calls}
    named = sorted(strings, key=lambda s: (s.path, s.line))
    return (*calls, *(s for s in named if (s.path, s.line, s.module) not in seen))


def _history_tables(outlines: Iterable[Outline]) -> tuple[TableDef, ...]:
    """The tables the Alembic revision files define: their ``Table()`` objects, and their
    classes with a ``__tablename__`` as tables of the columns they declare."""
    found: list[TableDef] = []
    for outline in outlines:
        if not outline.history:
            continue
        found += outline.tables
        src = outline.source
        found += [
            TableDef(
                name=c.name,
                table=c.body.table,
                module=src.module,
                path=src.rel,
                line=c.line,
                columns=c.body.columns,
            )
            for c in outline.classes.values()
            if c.body.table
        ]
    return tuple(sorted(found, key=lambda t: (t.table, t.path, t.line)))


def _table_columns(
    modules: tuple[ModelModule, ...], tables: tuple[TableDef, ...]
) -> dict[str, frozenset[str]]:
    """The model modules' tables (mapped classes' and ``Table()`` objects') -> column names."""
    out: dict[str, set[str]] = {}
    for module in modules:
        for cls in module.classes:
            if cls.table and not cls.mixin:
                out.setdefault(cls.table, set()).update(c.name for c in cls.columns)
    names = {m.name for m in modules}
    for table in tables:
        if table.module in names:
            out.setdefault(table.table, set()).update(c.name for c in table.columns)
    return {t: frozenset(c) for t, c in out.items()}
