"""What every data check shares: the ``Check`` record (one SQL query and the finding it makes),
the ``CheckFamily`` record a rule family registers, the ``Columns`` both sides of the
comparison, the tables a family visits and the SQL pieces (count + samples, row keys, joins).

Every query returns one row, ``(count, samples[])``: counts and a few sample keys, never rows
loaded into Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from unify.mapping.conversion import convert
from unify.mapping.data import ROW
from unify.mapping.tables import TableMap
from unify.models import (
    DataMapping,
    ForeignKeyShape,
    KeyFill,
    RowSource,
    Rule,
    SchemaShape,
    TableShape,
)

_PREPARER = postgresql.psycopg2.dialect().identifier_preparer  # type: ignore[no-untyped-call]
QUOTE = _PREPARER.quote


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One SQL query returning ``(count, samples[])`` and the finding it makes when count > 0."""

    rule: Rule
    table: str
    column: str
    sql: str
    message: str  # ends with the count, filled in with ``{count}``


@dataclass(frozen=True, slots=True, kw_only=True)
class Columns:
    """The column types of both sides (unified, by unified table; reflected from the database)
    and the table map between them."""

    unified: dict[str, dict[str, TypeEngine[Any]]]
    reflected: sa.MetaData
    tables: TableMap
    mapping: DataMapping | None = None  # the data mapping the migration will apply

    def carried_keys(self) -> Iterator[tuple[RowSource, KeyFill]]:
        """Each foreign-key value the migration carries, with the legacy rows it refers to."""
        for source in self.mapping.sources if self.mapping else ():
            for key in source.keys:
                yield source, key

    def db_table(self, unified: str) -> sa.Table | None:
        name = self.tables.to_db.get(unified)
        return self.reflected.tables.get(name) if name else None

    def has(self, table: sa.Table, *columns: str) -> bool:
        return all(c in table.c for c in columns)


# a family's checks for the unified schema: (schema, columns, samples per finding) -> checks
MakeChecks = Callable[[SchemaShape, Columns, int], list[Check]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckFamily:
    """A family of data checks: the rules its findings carry and the function making its checks."""

    rules: tuple[Rule, ...]
    make: MakeChecks


# --- the tables a family visits ---------------------------------------------------------


def column_sources(schema: SchemaShape, cols: Columns) -> Iterator[tuple[TableShape, sa.Table]]:
    """Each unified table with its database table; then each table a merge absorbs, with its
    survivor's columns but not its primary key (the migration renumbers those rows)."""
    for table in schema.tables:
        db_table = cols.db_table(table.name)
        if db_table is not None:
            yield table, db_table
    for survivor, absorbed in absorbed_tables(schema, cols):
        keyless = TableShape(
            name=survivor.name, columns=tuple(c for c in survivor.columns if not c.primary_key)
        )
        yield keyless, absorbed


def retyped_columns(
    schema: SchemaShape, cols: Columns
) -> Iterator[tuple[sa.Table, str, TypeEngine[Any]]]:
    """Each database column that a unified column takes over (``column_sources``), with the
    unified column's type: ``(database table, column, new type)``."""
    for table, db_table in column_sources(schema, cols):
        for shape in table.columns:
            if shape.name in db_table.c:
                yield db_table, shape.name, cols.unified[table.name][shape.name]


def fk_sources(
    schema: SchemaShape, cols: Columns
) -> Iterator[tuple[ForeignKeyShape, sa.Table | None]]:
    """Each foreign key of a table the database has (child ``None``: the FK table's database
    table); then each survivor's foreign keys again for every table merged into it."""
    for table in schema.tables:
        if cols.db_table(table.name) is not None:
            for fk in table.foreign_keys:
                yield fk, None
    for survivor, absorbed in absorbed_tables(schema, cols):
        for fk in survivor.foreign_keys:
            yield fk, absorbed


def absorbed_tables(schema: SchemaShape, cols: Columns) -> Iterator[tuple[TableShape, sa.Table]]:
    """(survivor's shape, database table) for every table a merge moves into a survivor."""
    for survivor, names in cols.tables.absorbed.items():
        shape = next((t for t in schema.tables if t.name == survivor), None)
        if shape is None:
            continue
        for name in names:
            yield shape, cols.reflected.tables[name]


# --- SQL pieces ---------------------------------------------------------------------------


def counted(rows: str, sample: str, samples: int) -> str:
    """``rows`` (a SELECT producing one ``s`` text column per offending row) counted+sampled."""
    return (
        f"WITH o AS ({rows.replace('SELECT ', f'SELECT {sample} AS s, ', 1)}) "
        f"SELECT (SELECT count(*) FROM o), ARRAY(SELECT s FROM o ORDER BY s LIMIT {samples})"
    )


def key_text(table: sa.Table, alias: str) -> str:
    """The row's primary key as text (``ctid`` when it has none)."""
    keys = [c.name for c in table.primary_key.columns] or ["ctid"]
    parts = [f"CAST({alias}.{QUOTE(k)} AS text)" for k in keys]
    return parts[0] if len(parts) == 1 else "concat_ws(',', " + ", ".join(parts) + ")"


def from_(table: sa.Table, alias: str) -> str:
    return f"{QUOTE(table.name)} {alias}"


def converted(
    db_table: sa.Table, unified: str, columns: Sequence[str], alias: str, cols: Columns
) -> list[str] | None:
    """Each column of ``db_table`` as its unified type; None when one cannot be converted."""
    out: list[str] = []
    for column in columns:
        target = cols.unified.get(unified, {}).get(column, db_table.c[column].type)
        conversion = convert(f"{alias}.{QUOTE(column)}", db_table.c[column].type, target)
        if conversion is None:
            return None
        out.append(conversion.value)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class FkJoin:
    """A foreign key's child (alias ``c``) and parent (alias ``p``) tables in the database and
    the SQL joining them, both sides cast to the parent key's unified type."""

    child: sa.Table
    parent: sa.Table
    nonnull: str  # the child's key values are not NULL (or do not convert)
    on: str  # the child row matches the parent row


def fk_join(fk: ForeignKeyShape, cols: Columns, child: sa.Table | None = None) -> FkJoin | None:
    """The join of ``fk`` (from ``child``, by default the FK table's database table); None when
    a table or column is missing or a key cannot be converted."""
    child = child if child is not None else cols.db_table(fk.table)
    if child is not None and (mapped := _mapped_join(fk, cols, child)) is not None:
        return mapped
    parent = cols.db_table(fk.target_table)
    if child is None or parent is None:
        return None
    if not cols.has(child, *fk.columns) or not cols.has(parent, *fk.target_columns):
        return None
    nonnull: list[str] = []
    on: list[str] = []
    for column, ref in zip(fk.columns, fk.target_columns, strict=False):
        key_type = cols.unified[fk.target_table].get(ref, parent.c[ref].type)
        value = convert(f"c.{QUOTE(column)}", child.c[column].type, key_type)
        key = convert(f"p.{QUOTE(ref)}", parent.c[ref].type, key_type)
        if value is None or key is None:
            return None
        if value.guard is not None or child.c[column].nullable:
            nonnull.append(f"{value.value} IS NOT NULL")
        on.append(f"{key.value} = {value.value}")
    return FkJoin(
        child=child, parent=parent, nonnull=" AND ".join(nonnull or ["TRUE"]), on=" AND ".join(on)
    )


def _mapped_join(fk: ForeignKeyShape, cols: Columns, child: sa.Table) -> FkJoin | None:
    """The join the data mapping makes of a carried key: to the legacy rows the value refers
    to (through their key's text when the merge remaps them)."""
    key = next(
        (k for s, k in cols.carried_keys() if s.legacy == child.name and (k.column,) == fk.columns),
        None,
    )
    sources = cols.mapping.sources if cols.mapping else ()
    source = next((s for s in sources if s.legacy == child.name), None)
    if key is None or source is None or key.parent not in cols.reflected.tables:
        return None
    parent = cols.reflected.tables[key.parent]
    raw = f"c.{QUOTE(key.column)}"
    if key.remap:
        on = f"CAST(p.{QUOTE(key.parent_key)} AS text) = CAST({raw} AS text)"
    else:
        value = next(v.value for v in source.values if v.column == key.column)
        on = f"{key.parent_value} = {value.replace(ROW + '.', 'c.')}"
    return FkJoin(child=child, parent=parent, nonnull=f"{raw} IS NOT NULL", on=on)
