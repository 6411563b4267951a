"""The inventory's tables, one entry per table a model module declares: a mapped class's
table (with the columns its single-table subclasses add) or a ``Table()`` object (an
association table), with its columns, primary key, foreign keys, constraints and indexes.
The JSON's ``tables`` list and the Tables sheet are made from these entries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from unify.models import (
    ColumnSpec,
    ForeignKeySpec,
    Inventory,
    ModelClass,
    TableConstraint,
    TableDef,
)

TableKind = Literal["model", "table"]


@dataclass(slots=True)
class _Entry:
    """A table being gathered (local to ``table_entries``)."""

    module: str
    path: str
    owner: str
    kind: TableKind
    table: str
    line: int
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    foreign_keys: list[ForeignKeySpec] = field(default_factory=list)
    constraints: list[TableConstraint] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    def add(
        self,
        columns: tuple[ColumnSpec, ...],
        fks: tuple[ForeignKeySpec, ...],
        constraints: tuple[TableConstraint, ...],
    ) -> None:
        for col in columns:
            self.columns.setdefault(col.name, col)
        self.foreign_keys += fks
        self.constraints += constraints


def table_entries(inventory: Inventory) -> list[dict[str, Any]]:
    """Every table of the model modules, as JSON-ready data: ``module``, ``path``, ``owner``
    (``module.Class`` or ``module.variable``), ``kind`` (model / table), ``table``,
    ``line``, ``classes`` (the classes mapping it), ``columns`` (name, attr, type,
    nullable, primary_key, foreign_key), ``primary_key`` (column names),
    ``foreign_keys`` and ``constraints`` (kind, name, columns, text, unique)."""
    return [_entry_dict(e) for e in _entries(inventory)]


def _entries(inventory: Inventory) -> Iterator[_Entry]:
    entries: dict[tuple[str, str], _Entry] = {}
    by_table: dict[str, list[_Entry]] = {}
    classes = [c for m in inventory.modules for c in m.classes if _maps_table(c)]
    for cls in sorted(classes, key=_owners_first):
        entry = _entry_for(entries, by_table.setdefault(cls.table or "", []), cls)
        if entry is None:
            continue
        entry.classes.append(cls.qualname)
        entry.add(cls.columns, cls.foreign_keys, cls.constraints)
    for module in inventory.modules:
        for tab in module.tables:
            entry = entries.setdefault((tab.path, tab.table), _table_entry(tab))
            entry.add(tab.columns, tab.foreign_keys, tab.constraints)
    yield from sorted(entries.values(), key=lambda e: (e.module, e.path, e.line))


def _maps_table(cls: ModelClass) -> bool:
    return bool(cls.table) and not cls.mixin and not cls.abstract


def _owners_first(cls: ModelClass) -> tuple[bool, bool, bool]:
    """Classes naming their table, then those with a primary key, placeholders last."""
    return not cls.table_explicit, not any(c.primary_key for c in cls.columns), cls.guarded


def _entry_for(
    entries: dict[tuple[str, str], _Entry], same: list[_Entry], cls: ModelClass
) -> _Entry | None:
    """The class's own table, or (a single-table subclass, or a placeholder of a class
    mapped already) the table it adds its columns to; None to leave it out.  ``same``: the
    entries of its table name so far."""
    table = cls.table or ""
    if cls.guarded and same:
        return None
    bases = {b.rpartition(".")[2] for b in cls.bases}
    parent = next((e for e in same if e.owner.rpartition(".")[2] in bases), None)
    if not cls.table_explicit and parent is not None:
        return parent
    key = (cls.path, table)
    if key not in entries:
        entries[key] = _Entry(
            module=cls.module, path=cls.path, owner=cls.qualname, kind="model", table=table,
            line=cls.line,
        )  # fmt: skip
        same.append(entries[key])
    return entries[key]


def _table_entry(tab: TableDef) -> _Entry:
    return _Entry(
        module=tab.module, path=tab.path, owner=f"{tab.module}.{tab.name}", kind="table",
        table=tab.table, line=tab.line,
    )  # fmt: skip


def _entry_dict(entry: _Entry) -> dict[str, Any]:
    columns = list(entry.columns.values())
    return {
        "module": entry.module,
        "path": entry.path,
        "owner": entry.owner,
        "kind": entry.kind,
        "table": entry.table,
        "line": entry.line,
        "classes": entry.classes,
        "columns": [_column_dict(c) for c in columns],
        "primary_key": [c.name for c in columns if c.primary_key],
        "foreign_keys": [
            {
                "columns": list(fk.columns),
                "target_table": fk.target_table,
                "target_columns": list(fk.target_columns),
                "form": fk.form,
                "spec": fk.spec,
                "line": fk.line,
            }
            for fk in entry.foreign_keys
        ],
        "constraints": [
            {
                "kind": k.kind,
                "name": k.name,
                "columns": list(k.columns),
                "text": k.text,
                "unique": k.unique,
                "line": k.line,
            }
            for k in entry.constraints
        ],
    }


def _column_dict(col: ColumnSpec) -> dict[str, Any]:
    return {
        "name": col.name,
        "attr": col.attr,
        "type": col.type,
        "nullable": col.nullable,
        "primary_key": col.primary_key,
        "unique": col.unique,
        "index": col.index,
        "foreign_key": col.foreign_key,
        "line": col.line,
    }


TABLE_HEADER = (
    "module", "owner", "kind", "table", "columns", "primary_key", "foreign_keys", "unique",
    "indexes", "checks", "path", "line",
)  # fmt: skip


def table_rows(entries: list[dict[str, Any]]) -> Iterator[tuple[str | int | None, ...]]:
    """The Tables sheet: one row per table; constraints as ``name (col, col)``."""
    for e in entries:
        kinds = {kind: [k for k in e["constraints"] if k["kind"] == kind] for kind in _KINDS}
        yield (
            e["module"], e["owner"], e["kind"], e["table"], len(e["columns"]),
            ", ".join(e["primary_key"]), len(e["foreign_keys"]),
            "; ".join(_named(k) for k in kinds["unique"]),
            "; ".join(_named(k) + (" unique" if k["unique"] else "") for k in kinds["index"]),
            "; ".join(f"{k['name']}: {k['text']}" if k["name"] else str(k["text"])
                      for k in kinds["check"]),
            e["path"], e["line"],
        )  # fmt: skip


_KINDS = ("unique", "index", "check")


def _named(constraint: dict[str, Any]) -> str:
    columns = f"({', '.join(constraint['columns'])})"
    return f"{constraint['name']} {columns}" if constraint["name"] else columns
