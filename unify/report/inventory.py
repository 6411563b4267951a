"""Views of an ``Inventory``: Rich tables, JSON, Markdown, an xlsx workbook and CSV files.

The workbook and the CSV folder hold the same seven sheets (``SHEETS``), built once by
:func:`sheets`.  The JSON object is documented in :func:`inventory_dict`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from unify.errors import InputError
from unify.models import (
    ColumnSpec,
    ImportRecord,
    Inventory,
    ModelClass,
    ModelModule,
    Severity,
    TableDef,
)
from unify.report import (
    dumps,
    finding_dict,
    finding_line,
    findings_table,
    needed_width,
    print_concise,
    print_findings,
    sorted_findings,
    summary_line,
    wants_concise,
)
from unify.report.tables import TABLE_HEADER, table_entries, table_rows

SHEETS = (
    "Models", "Tables", "Columns", "ForeignKeys", "Relationships", "Findings", "Imports",
)  # fmt: skip
Cell = str | int | bool | None
Sheet = tuple[tuple[str, ...], list[tuple[Cell, ...]]]


def emit_inventory(inventory: Inventory, fmt: str, console: Console) -> None:
    """Print the inventory in ``fmt`` on ``console``: table, concise (one finding a line),
    auto (tables when they fit the terminal, else concise), json or markdown."""
    if fmt == "json":  # straight to the stream: no markup, emoji codes or wrapping
        write_json(inventory, console.file)
    elif fmt == "markdown":
        console.file.write(render_markdown(inventory))
    elif fmt == "concise" or (fmt == "auto" and _too_narrow(inventory, console)):
        print_concise(console, inventory.findings)
        console.print(summary_line(inventory.findings), highlight=False)
        _print_counts(inventory, console)
    else:
        print_tables(inventory, console)


def _too_narrow(inventory: Inventory, console: Console) -> bool:
    if not console.is_terminal:  # piped: concise, without building a table
        return True
    tables = (models_table(inventory), imports_table(inventory))
    return wants_concise(console, "auto", *tables, findings_table(inventory.findings))


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def inventory_dict(inventory: Inventory) -> dict[str, Any]:
    """The documented JSON object.

    Keys: ``root``, ``import_roots``, ``files_scanned``, ``summary`` (counts: ``models`` the
    mapped classes, ``mixins`` the mixins and abstract bases, ``tables``), ``modules``
    (one per model module: name, path, root, aliases, other_classes, functions, reexports,
    exports, tables), ``models`` (one per class, mixins included, with its ``columns``,
    ``foreign_keys``, ``relationships`` and ``constraints``), ``tables`` (one per table: see
    :func:`unify.report.tables.table_entries`), ``imports`` (one per import statement of a model module, with the
    ``names`` it takes and their ``status``: defined / reexported / missing),
    ``dynamic_imports``, ``other_python_files``, ``attribute_uses`` (``Model.attr`` and
    ``filter_by(attr=)`` uses), ``module_attributes`` (``module.Name`` uses), ``sql_references``
    (strings of SQL naming a model's table) and ``findings`` (each
    with ``rule``, ``code``, ``severity``, ``path``, ``line``, ``message``, ...).
    """
    data = _json_object(inventory)
    for key in _RECORD_LISTS:
        data[key] = [record_dict(r) for r in data[key]]
    return data


# the keys of the JSON object that hold (possibly many) records, left as tuples of records by
# ``_json_object``
_RECORD_LISTS = (
    "imports",
    "dynamic_imports",
    "attribute_uses",
    "module_attributes",
    "sql_references",
)


def _json_object(inventory: Inventory) -> dict[str, Any]:
    counts = Counter(f.severity for f in inventory.findings)
    modules = [_module_dict(m) for m in inventory.modules]
    tables = table_entries(inventory)
    return {
        "root": inventory.root,
        "import_roots": list(inventory.import_roots),
        "files_scanned": inventory.files_scanned,
        "summary": {
            "modules": len(inventory.modules),
            "models": model_count(inventory),
            "mixins": sum(len(m.classes) for m in inventory.modules) - model_count(inventory),
            "tables": len(tables),
            "imports": len(inventory.imports),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "info": counts[Severity.INFO],
        },
        "modules": modules,
        "models": [
            record_dict(c) | {"qualname": c.qualname} for m in inventory.modules for c in m.classes
        ],
        "tables": tables,
        "imports": inventory.imports,
        "dynamic_imports": inventory.dynamic_imports,
        "other_python_files": list(inventory.other_python_files),
        "attribute_uses": inventory.attribute_uses,
        "module_attributes": inventory.module_attributes,
        "sql_references": inventory.sql_references,
        "findings": [finding_dict(f) for f in sorted_findings(inventory.findings)],
    }


def model_count(inventory: Inventory) -> int:
    """The mapped classes of the model modules (mixins and abstract bases left out)."""
    return sum(_kind(c) in ("model", "placeholder") for m in inventory.modules for c in m.classes)


def record_dict(record: Any) -> dict[str, Any]:
    """A frozen record as JSON-ready data (``dataclasses.asdict`` without its deep copies,
    which dominate on large inventories)."""
    return {name: _plain(getattr(record, name)) for name in _field_names(type(record))}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if is_dataclass(value):
        return record_dict(value)
    return value


PRETTY_LIMIT = 20_000


def render_json(inventory: Inventory) -> str:
    """The JSON object as text: indented up to ``PRETTY_LIMIT`` records (imports and
    attribute uses), compact beyond (json's C encoder does not indent; large repositories
    would spend more time printing than analysing)."""
    if _pretty(inventory):
        return dumps(inventory_dict(inventory))
    return "".join(_compact_json(inventory))


def write_json(inventory: Inventory, out: IO[str]) -> None:
    """``render_json``'s text and a newline written to ``out``; a large (compact) object
    piece by piece, so that its text is never held whole."""
    if _pretty(inventory):
        out.write(render_json(inventory) + "\n")
        return
    for piece in _compact_json(inventory):
        out.write(piece)
    out.write("\n")


def _pretty(inventory: Inventory) -> bool:
    return len(inventory.imports) + len(inventory.attribute_uses) <= PRETTY_LIMIT


_CHUNK = 2_000  # records encoded at a time


def _compact_json(inventory: Inventory) -> Iterator[str]:
    """``json.dumps(inventory_dict(inventory), separators=(",", ":"))`` in pieces: the lists
    of records are written a chunk at a time by ``_value_json`` (no dict per record kept,
    no whole text)."""
    for number, (key, value) in enumerate(_json_object(inventory).items()):
        yield ("{" if number == 0 else ",") + _encode(key) + ":"
        if key not in _RECORD_LISTS:
            yield _encode(value)
            continue
        yield "["
        for start in range(0, len(value), _CHUNK):
            text = ",".join([_value_json(r) for r in value[start : start + _CHUNK]])
            yield text if start == 0 else "," + text
        yield "]"
    yield "}"


# json's own text for a string (``ensure_ascii``, as ``json.dumps`` writes it)
_quote: Callable[[str], str] = json.encoder.encode_basestring_ascii
_TRUE_FALSE = ("false", "true")


def _value_json(value: Any) -> str:
    """What ``_encode`` writes for ``value``, with the common cases written here (json's C
    encoder would call back into Python for every record anyway): strings, numbers, tuples
    and records, a record by a function made for its type (``_record_writer``)."""
    kind = value.__class__
    if kind is str:
        return _quote(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return _TRUE_FALSE[value]
    if kind is tuple:
        return "[" + ",".join([_value_json(v) for v in value]) + "]"
    write = _WRITERS.get(kind)
    if write is None:
        if not is_dataclass(value) or isinstance(value, type):
            return _encode(value)
        write = _WRITERS[kind] = _record_writer(kind)
    return write(value)


# per record type: a function writing one record as a JSON object
_WRITERS: dict[type, Callable[[Any], str]] = {}


def _record_writer(kind: type) -> Callable[[Any], str]:
    """The text of one ``kind`` record, as one expression over its fields (generated once
    per type, the way ``dataclasses`` makes ``__init__``): a string field is quoted in place,
    anything else goes to ``_value_json``.  The field names are the record's identifiers."""
    names = _field_names(kind)
    if not names:
        return lambda record: "{}"
    template = "{" + ",".join(_quote(name).replace("%", "%%") + ":%s" for name in names) + "}"
    body = [f"    f{i} = record.{name}" for i, name in enumerate(names)]
    values = ", ".join(
        f"quote(f{i}) if f{i}.__class__ is str else value(f{i})" for i in range(len(names))
    )
    source = "\n".join(["def write(record):", *body, f"    return {template!r} % ({values},)"])
    namespace: dict[str, Any] = {"quote": _quote, "value": _value_json}
    exec(source, namespace)  # (the text is made above from field names only)
    return namespace["write"]  # type: ignore[no-any-return]


def _record_data(record: Any) -> dict[str, Any]:
    """A record's fields for the JSON encoder (``record_dict`` with the encoder itself
    descending into tuples and nested records)."""
    if not is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"Object of type {type(record).__name__} is not JSON serializable")
    return {name: getattr(record, name) for name in _field_names(type(record))}


_encode = json.JSONEncoder(separators=(",", ":"), default=_record_data).encode


def _module_dict(module: ModelModule) -> dict[str, Any]:
    data = record_dict(module)
    data["classes"] = [c.name for c in module.classes]
    return data


# ---------------------------------------------------------------------------
# Sheets (xlsx and CSV)
# ---------------------------------------------------------------------------


def sheets(inventory: Inventory) -> dict[str, Sheet]:
    """The seven sheets: header and rows each."""
    classes = [(m, c) for m in inventory.modules for c in m.classes]
    tables = [t for m in inventory.modules for t in m.tables]
    return {
        "Models": (_MODEL_HEADER, list(_model_rows(inventory))),
        "Tables": (TABLE_HEADER, list(table_rows(table_entries(inventory)))),
        "Columns": (
            _COLUMN_HEADER,
            [r for _, c in classes for r in _column_rows(c)]
            + [r for t in tables for r in _table_column_rows(t)],
        ),
        "ForeignKeys": (_FK_HEADER, list(_fk_rows(inventory))),
        "Relationships": (_REL_HEADER, [r for _, c in classes for r in _rel_rows(c)]),
        "Findings": (_FINDING_HEADER, _finding_rows(inventory)),
        "Imports": (_IMPORT_HEADER, [r for i in inventory.imports for r in _import_rows(i)]),
    }


_MODEL_HEADER = (
    "module", "name", "kind", "table", "table_explicit", "bases", "columns", "foreign_keys",
    "relationships", "extend_existing", "table_args", "alias_of", "path", "line",
)  # fmt: skip


def _model_rows(inventory: Inventory) -> Iterator[tuple[Cell, ...]]:
    for m in inventory.modules:
        for c in m.classes:
            yield (
                m.name, c.name, _kind(c), c.table, c.table_explicit, ", ".join(c.bases),
                len(c.columns), len(c.foreign_keys), len(c.relationships), c.extend_existing,
                "; ".join(c.table_args), None, c.path, c.line,
            )  # fmt: skip
        for t in m.tables:
            yield (m.name, t.name, "table", t.table, True, "", len(t.columns),
                   len(t.foreign_keys), 0, False, "", None, t.path, t.line)  # fmt: skip
        for a in m.aliases:
            yield (m.name, a.name, f"alias ({a.kind})", None, False, "", None, None, None,
                   False, "", a.target, a.path, a.line)  # fmt: skip
        for s in (*m.other_classes, *m.functions):
            yield (m.name, s.name, f"non-model {s.kind}", None, False, "", None, None, None,
                   False, "", None, s.path, s.line)  # fmt: skip


def _kind(cls: ModelClass) -> str:
    if cls.guarded:
        return "placeholder"
    if cls.mixin:
        return "mixin"
    return "abstract" if cls.abstract else "model"


_COLUMN_HEADER = (
    "module", "class", "table", "attr", "name", "type", "primary_key", "nullable", "unique",
    "index", "has_default", "foreign_key", "style", "from_mixin", "line",
)  # fmt: skip


def _column_rows(c: ModelClass) -> Iterator[tuple[Cell, ...]]:
    for col in c.columns:
        yield (
            c.module, c.name, c.table, col.attr, col.name, _column_type(col), col.primary_key,
            col.nullable, col.unique, col.index, col.has_default, col.foreign_key, col.style,
            col.from_mixin, col.line,
        )  # fmt: skip


def _table_column_rows(t: TableDef) -> Iterator[tuple[Cell, ...]]:
    for col in t.columns:
        yield (
            t.module, t.name, t.table, col.attr, col.name, _column_type(col), col.primary_key,
            col.nullable, col.unique, col.index, col.has_default, col.foreign_key, col.style,
            col.from_mixin, col.line,
        )  # fmt: skip


def _column_type(col: ColumnSpec) -> str:
    """A column written without a type but with a ForeignKey takes the referenced column's
    type in SQLAlchemy; the record keeps ``type == ''`` and the sheet says so."""
    return col.type or ("(from FK)" if col.foreign_key else "")


_FK_HEADER = (
    "module", "owner", "table", "columns", "target_table", "target_columns", "form", "spec",
    "path", "line",
)  # fmt: skip


def _fk_rows(inventory: Inventory) -> Iterator[tuple[Cell, ...]]:
    for m in inventory.modules:
        owners = [(c.name, c.foreign_keys) for c in m.classes]
        owners += [(t.name, t.foreign_keys) for t in m.tables]
        for owner, fks in owners:
            for fk in fks:
                yield (
                    m.name, owner, fk.table, ", ".join(fk.columns), fk.target_table,
                    ", ".join(fk.target_columns), fk.form, fk.spec, fk.path, fk.line,
                )  # fmt: skip


_REL_HEADER = (
    "module", "class", "attr", "target", "backref", "back_populates", "secondary",
    "foreign_keys", "line",
)  # fmt: skip


def _rel_rows(c: ModelClass) -> Iterator[tuple[Cell, ...]]:
    for r in c.relationships:
        yield (c.module, c.name, r.attr, r.target, r.backref, r.back_populates, r.secondary,
               ", ".join(r.foreign_keys), r.line)  # fmt: skip


_FINDING_HEADER = ("severity", "code", "rule", "path", "line", "message", "objects")


def _finding_rows(inventory: Inventory) -> list[tuple[Cell, ...]]:
    return [
        (f.severity.value, f.code, f.rule, f.path, f.line, f.message, ", ".join(f.objects))
        for f in sorted_findings(inventory.findings)
    ]


_IMPORT_HEADER = (
    "path", "line", "importer", "target", "written", "form", "level", "context", "name",
    "asname", "status", "provided_by",
)  # fmt: skip


def _import_rows(imp: ImportRecord) -> Iterator[tuple[Cell, ...]]:
    head = (imp.path, imp.line, imp.importer, imp.target, imp.written, imp.form, imp.level,
            " > ".join(imp.context))  # fmt: skip
    if not imp.names:
        yield (*head, "*" if imp.form == "from-star" else None, None, None, None)
    for n in imp.names:
        yield (*head, n.name, n.asname, n.status, n.provided_by)


def write_xlsx(inventory: Inventory, path: Path) -> Path:
    """Write the seven sheets to an xlsx workbook (header row bold and frozen); returns
    ``path``."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets(inventory).items():
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    try:
        book.save(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the workbook ({exc.strerror or exc})") from None
    return path


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None


def write_csv(inventory: Inventory, folder: Path) -> Path:
    """Write one ``<Sheet>.csv`` per sheet into ``folder`` (created if missing); returns
    ``folder``."""
    _make_folder(folder)
    try:
        for title, (header, rows) in sheets(inventory).items():
            with (folder / f"{title}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write CSV files ({exc.strerror or exc})") from None
    return folder


def written_lines(written: Sequence[Path], repo: Path) -> list[str]:
    """The last lines of ``analyze``: what it wrote, and the next command."""
    lines = [
        f"wrote {path} ({len(SHEETS)} CSV files)" if path.is_dir() else f"wrote {path}"
        for path in written
    ]
    return [*lines, f"next: unify plan {repo} -o unify.toml"] if written else []


# ---------------------------------------------------------------------------
# Terminal and Markdown
# ---------------------------------------------------------------------------


def print_tables(inventory: Inventory, console: Console) -> None:
    """The Models, Imports and Findings tables, each fitted to the console's width."""
    console.print(_fitted(console, lambda drop: models_table(inventory, drop)))
    console.print(imports_table(inventory))
    print_findings(console, inventory.findings)
    _print_counts(inventory, console)


def _print_counts(inventory: Inventory, console: Console) -> None:
    console.print(
        f"{inventory.files_scanned} file(s) scanned, {len(inventory.modules)} model module(s), "
        f"{model_count(inventory)} model(s), "
        f"{len(inventory.imports)} import(s) of model modules",
        highlight=False,
    )


MODEL_HEADINGS = ("module", "class", "kind", "table", "cols", "FKs", "rels", "line")
# the column a narrow terminal loses first
LOW_VALUE = ("line",)


def models_table(inventory: Inventory, drop: Collection[str] = ()) -> Table:
    """One row per class, table, alias and other name of a model module; names wrap (never
    cut) and the ``drop`` columns are left out."""
    table = Table(title="Models")
    keep = [i for i, heading in enumerate(MODEL_HEADINGS) if heading not in drop]
    for i in keep:
        number = MODEL_HEADINGS[i] in LOW_VALUE
        table.add_column(MODEL_HEADINGS[i], no_wrap=number, overflow="fold")
    for row in _model_rows(inventory):
        module, name, kind, tab, _, _, cols, fks, rels, _, _, alias, _, line = row
        cells = (module, name, kind, f"= {alias}" if alias else tab, cols, fks, rels, line)
        table.add_row(*("" if cells[i] is None else str(cells[i]) for i in keep))
    return table


def _fitted(console: Console, make: Callable[[tuple[str, ...]], Table]) -> Table:
    """The table with as few low-value columns dropped as the console's width allows."""
    for n in range(len(LOW_VALUE) + 1):
        table = make(LOW_VALUE[:n])
        if needed_width(console, table) <= console.width:
            return table
    return table


def imports_table(inventory: Inventory) -> Table:
    table = Table(title="Imports of model modules")
    for name in ("target", "imports", "files", "forms", "missing names"):
        table.add_column(name, overflow="fold", no_wrap=name in ("imports", "files"))
    for target, imports in _by_target(inventory.imports):
        forms = Counter(i.form for i in imports)
        missing = sorted({n.name for i in imports for n in i.names if n.status == "missing"})
        table.add_row(
            target, str(len(imports)), str(len({i.path for i in imports})),
            ", ".join(f"{k} {v}" for k, v in sorted(forms.items())), ", ".join(missing),
        )  # fmt: skip
    return table


def _by_target(imports: Sequence[ImportRecord]) -> list[tuple[str, list[ImportRecord]]]:
    groups: dict[str, list[ImportRecord]] = {}
    for imp in imports:
        groups.setdefault(imp.target, []).append(imp)
    return sorted(groups.items())


def render_markdown(inventory: Inventory) -> str:
    """A report to paste into a ticket: summary, models, imports by module, findings."""
    counts = Counter(f.severity for f in inventory.findings)
    lines = [
        "# unify analyze",
        "",
        f"`{inventory.root}`: {inventory.files_scanned} files, {len(inventory.modules)} model "
        f"modules, {len(inventory.imports)} imports of them; **{counts[Severity.ERROR]} errors**, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} info.",
        "",
        "## Models",
        "",
        "| module | class | kind | table | columns | FKs | relationships | line |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in _model_rows(inventory):
        module, name, kind, tab, _, _, cols, fks, rels, _, _, alias, _, line = row
        shown = f"= `{alias}`" if alias else f"`{tab}`" if tab else ""
        cells = (f"`{module}`", f"`{name}`", kind, shown, cols, fks, rels, line)
        lines.append("| " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    lines += ["", "## Imports", ""]
    for target, imports in _by_target(inventory.imports):
        files = sorted({i.path for i in imports})
        lines.append(f"- `{target}`: {len(imports)} imports in {len(files)} files")
    lines += ["", "## Findings", ""]
    lines += [
        f"- **{f.severity.value}** `{finding_line(f)}`" for f in sorted_findings(inventory.findings)
    ]
    return "\n".join(lines) + "\n"
