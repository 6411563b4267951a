"""The data mapping: for each unified table, the legacy rows that fill it, column by column,
with the casts, the id maps of merged tables and the orphan policy of each foreign key.

Worked out once from the resolved plan, the unified schema and the reflected legacy database;
``unify migrate`` renders it as SQL, and verify judges the data by the same mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from unify.mapping.conversion import convert
from unify.mapping.metadata import rebuild_type
from unify.mapping.tables import TableMap, map_tables
from unify.models import (
    DataMapping,
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
    absorbed = {legacy for group in tables.absorbed.values() for legacy in group}
    sources: list[RowSource] = []
    for name in order:
        shape = shapes[name]
        later = set(order[order.index(name) :])
        primary = tables.to_db.get(name)
        if primary is not None:
            sources.append(
                _source(resolved, shape, reflected.tables[primary], "carried", absorbed, later)
            )
        for legacy in tables.absorbed.get(name, ()):
            source = _source(resolved, shape, reflected.tables[legacy], "absorbed", absorbed, later)
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
    """Unified tables, each after the tables its foreign keys reference (self-references and
    cycles left to the deferred checks), ties by name."""
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
    absorbed: set[str],
    later: set[str],
) -> RowSource:
    unified_key = next((c.name for c in shape.columns if c.primary_key), "")
    legacy_key = next((c.name for c in legacy.primary_key.columns), "")
    values: list[ValueFill] = []
    for column in shape.columns:
        if column.name not in legacy.c:
            continue
        old = legacy.c[column.name]
        expr = f'{ROW}."{column.name}"'
        conversion = convert(expr, old.type, rebuild_type(column))
        if conversion is None and old.type.compile(dialect=_PG) != column.sql_type:
            value, casts = f"CAST({expr} AS {column.sql_type})", True
        elif conversion is None:
            value, casts = expr, False
        else:
            value, casts = conversion.value, conversion.guard is not None
        values.append(ValueFill(column=column.name, source=column.name, value=value, casts=casts))
    targets = _legacy_targets(resolved, legacy)
    policies = {(o.table, o.column): o.policy for o in resolved.plan.orphans}
    keys = tuple(
        KeyFill(
            column=fk.columns[0],
            target_table=fk.target_table,
            target_column=fk.target_columns[0],
            policy=policies.get((shape.name, fk.columns[0]), _DEFAULT),
            remap=targets.get(fk.columns[0], "") if targets.get(fk.columns[0]) in absorbed else "",
            deferred=fk.target_table in later,
        )
        for fk in shape.foreign_keys
        if len(fk.columns) == 1 and fk.columns[0] in legacy.c
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


_DEFAULT: OrphanPolicy = "fail"
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


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


__all__ = ["ROW", "TableMap", "data_mapping", "load_order"]
