"""The data mapping: for each unified table, the legacy rows that fill it, column by column,
with the casts, the id maps of merged tables and the orphan policy of each foreign key.

Worked out once from the resolved plan, the unified schema and the reflected legacy database;
``unify migrate`` renders it as SQL, and verify judges the data by the same mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from unify.mapping.conversion import convert
from unify.mapping.metadata import rebuild_type
from unify.mapping.tables import TableMap, map_tables
from unify.models import (
    ColumnShape,
    DataMapping,
    ForeignKeyShape,
    KeyFill,
    OrphanPolicy,
    ResolvedPlan,
    RowSource,
    SchemaShape,
    TableShape,
    ValueFill,
)

ROW = "s"  # the alias of the legacy row in every expression of the mapping


def data_mapping(
    resolved: ResolvedPlan, schema: SchemaShape, reflected: sa.MetaData
) -> DataMapping:
    """The mapping from the legacy database (``reflected``) to the unified ``schema``."""
    present = set(reflected.tables)
    tables = map_tables(schema, resolved, present)
    shapes = {t.name: t for t in schema.tables}
    order = load_order(schema.tables)
    sources: list[RowSource] = []
    for name in order:
        shape = shapes[name]
        primary = tables.to_db.get(name)
        if primary is not None:
            sources.append(
                _source(
                    resolved, shape, reflected.tables[primary], "carried", tables, reflected, shapes
                )
            )
        for legacy in tables.absorbed.get(name, ()):
            table = reflected.tables[legacy]
            source = _source(resolved, shape, table, "absorbed", tables, reflected, shapes)
            sources.append(_with_match(resolved, source))
    fed = {s.legacy for s in sources}
    legacy_models = {c.table for c in resolved.classes.values() if c.table}
    moved = sorted(present & (fed | legacy_models | set(shapes)))
    return DataMapping(
        sources=tuple(sources),
        legacy_tables=tuple(moved),
        unmapped=tuple(t for t in moved if t not in fed),
        created=tuple(order),
        serials=tuple((t.name, t.serial) for t in schema.tables if t.serial),
    )


def load_order(tables: Iterable[TableShape]) -> list[str]:
    """Unified tables, each after the tables its foreign keys reference (a cycle is broken at
    its first table by name; the foreign keys come after every row anyway), ties by name."""
    shapes = sorted(tables, key=lambda t: t.name)
    needs = {
        t.name: {fk.target_table for fk in t.foreign_keys if fk.target_table != t.name}
        for t in shapes
    }
    names = set(needs)
    order: list[str] = []
    while needs:
        ready = [n for n, deps in needs.items() if not (deps & names) - set(order)]
        ready = ready or [next(iter(needs))]  # a cycle: take the first and defer its keys
        for name in ready:
            order.append(name)
            del needs[name]
    return order


def _source(
    resolved: ResolvedPlan,
    shape: TableShape,
    legacy: sa.Table,
    role: str,
    tables: TableMap,
    reflected: sa.MetaData,
    shapes: dict[str, TableShape],
) -> RowSource:
    unified_key = next((c.name for c in shape.columns if c.primary_key), "")
    legacy_key = next((c.name for c in legacy.primary_key.columns), "")
    values = [
        _value(column, legacy.c[column.name]) for column in shape.columns if column.name in legacy.c
    ]
    policies = {(o.table, o.column): o.policy for o in resolved.plan.orphans}
    targets = _legacy_targets(resolved, legacy)
    keys = tuple(
        key
        for fk in shape.foreign_keys
        if len(fk.columns) == 1 and fk.columns[0] in legacy.c
        if (key := _key(resolved, shape, fk, legacy, tables, reflected, policies, shapes, targets))
        is not None
    )
    taken = {v.source for v in values}
    return RowSource(
        legacy=legacy.name,
        unified=shape.name,
        role="absorbed" if role == "absorbed" else "carried",
        values=tuple(values),
        keys=keys,
        key=legacy_key,
        unified_key=unified_key,
        dropped=tuple(c.name for c in legacy.columns if c.name not in taken),
    )


def _value(column: ColumnShape, old: sa.Column[Any]) -> ValueFill:
    """The unified column's value from the legacy column (alias ``s``), cast where the type
    changes."""
    value, casts = _converted(f'{ROW}."{column.name}"', old.type, column)
    return ValueFill(column=column.name, source=column.name, value=value, casts=casts)


def _converted(expr: str, old: TypeEngine[Any], column: ColumnShape) -> tuple[str, bool]:
    conversion = convert(expr, old, rebuild_type(column))
    if conversion is not None:
        return conversion.value, conversion.guard is not None
    if old.compile(dialect=_PG) != column.sql_type:
        return f"CAST({expr} AS {column.sql_type})", True
    return expr, False


def _key(
    resolved: ResolvedPlan,
    shape: TableShape,
    fk: ForeignKeyShape,
    legacy: sa.Table,
    tables: TableMap,
    reflected: sa.MetaData,
    policies: dict[tuple[str, str], OrphanPolicy],
    shapes: dict[str, TableShape],
    targets: dict[str, str],
) -> KeyFill | None:
    """The legacy rows a foreign-key value refers to: the table the legacy model (or the
    database's constraint) named, else the unified target's own legacy table."""
    column = fk.columns[0]
    named = targets.get(column)
    parent_name = named if named in reflected.tables else tables.to_db.get(fk.target_table)
    if parent_name is None:
        return None
    parent = reflected.tables[parent_name]
    ref = fk.target_columns[0]
    parent_key = ref if ref in parent.c else next((c.name for c in parent.primary_key.columns), "")
    target = shapes.get(fk.target_table)
    key_shape = next((c for c in target.columns if c.name == ref), None) if target else None
    key_shape = key_shape or next((c for c in shape.columns if c.name == column), None)
    if not parent_key or key_shape is None:
        return None
    remap = parent_name in {n for group in tables.absorbed.values() for n in group}
    parent_value, _ = _converted(f'p."{parent_key}"', parent.c[parent_key].type, key_shape)
    return KeyFill(
        column=column,
        target_table=fk.target_table,
        target_column=ref,
        parent=parent_name,
        parent_key=parent_key,
        parent_value=parent_value,
        remap=remap,
        policy=policies.get((shape.name, column), _DEFAULT),
        parent_type=_sql_type(parent.c[parent_key].type),
        column_type=_sql_type(legacy.c[column].type),
    )


def _sql_type(type_: TypeEngine[Any]) -> str:
    """A reflected type as PostgreSQL spells it; empty when it does not compile."""
    try:
        return type_.compile(dialect=_PG)
    except sa.exc.CompileError:
        return ""


_DEFAULT: OrphanPolicy = "fail"
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def orphan_join(
    key: KeyFill, value: str, alias: str, schema: str, idmap: str = ""
) -> tuple[str, str]:
    """The join and the predicate that find a row's orphaned key: ``value`` (SQL over ``s``)
    refers to no row of the key's legacy parent in ``schema``.  A remapped key is looked up
    in ``idmap`` when given (the migration; keyed by the parent key's own type, so a value of
    that same type joins it as it is, any other by its text), else among the parent's keys
    by their text.  verify and the migration judge orphans by this one join."""
    raw = f'{ROW}."{key.column}"'
    if key.remap:
        if idmap and key.parent_type and key.parent_type == key.column_type:
            on = f"{alias}.old_id = {raw}"
        elif idmap:
            on = f"CAST({alias}.old_id AS text) = CAST({raw} AS text)"
        else:
            idmap = (
                f'(SELECT DISTINCT CAST(p."{key.parent_key}" AS text) AS old_id '
                f'FROM {schema}."{key.parent}" AS p)'
            )
            on = f"{alias}.old_id = CAST({raw} AS text)"
        join = f"LEFT JOIN {idmap} AS {alias} ON {on}"
        return join, f"{raw} IS NOT NULL AND {alias}.old_id IS NULL"
    parents = f'(SELECT DISTINCT {key.parent_value} AS v FROM {schema}."{key.parent}" AS p)'
    join = f"LEFT JOIN {parents} AS {alias} ON {alias}.v = {value}"
    return join, f"{raw} IS NOT NULL AND {alias}.v IS NULL"


def _legacy_targets(resolved: ResolvedPlan, legacy: sa.Table) -> dict[str, str]:
    """Legacy column -> the legacy table it referenced: as the legacy models declared it, else
    as the database's own constraint says."""
    out: dict[str, str] = {}
    for fk in legacy.foreign_keys:
        out[fk.parent.name] = fk.column.table.name
    for cls in resolved.classes.values():
        if cls.table != legacy.name:
            continue
        for spec in cls.foreign_keys:
            if len(spec.columns) == 1:
                out[spec.columns[0]] = spec.target_table
    return out


def _with_match(resolved: ResolvedPlan, source: RowSource) -> RowSource:
    """An absorbed source with its merge's ``match`` columns (those both tables have)."""
    for merge in resolved.plan.merges:
        if merge.survivor_table == source.unified and source.legacy in merge.absorbed_tables:
            names = {v.column for v in source.values}
            match = tuple(c for c in merge.match if c in names)
            return replace(source, match=match)
    return source


__all__ = ["ROW", "TableMap", "data_mapping", "load_order", "orphan_join"]
