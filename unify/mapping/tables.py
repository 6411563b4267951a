"""Tables: the unified tables paired with the restored database's, through the resolved plan's
table moves (the one table map build renders and verify proves)."""

from __future__ import annotations

from dataclasses import dataclass

from unify.models import ResolvedPlan, SchemaShape


@dataclass(frozen=True, slots=True)
class TableMap:
    """Unified table names and the database's (legacy) names of the same tables."""

    to_db: dict[str, str]  # unified -> database table, for the tables the database has
    to_unified: dict[str, str]  # database table -> unified
    absorbed: dict[str, tuple[str, ...]]  # unified survivor -> database tables merged into it


def map_tables(schema: SchemaShape, resolved: ResolvedPlan, present: set[str]) -> TableMap:
    """Pair unified tables with database tables through the resolved plan's table moves.

    A renamed table whose new name the database also has is merged into it, like the
    absorbed tables of a merge.
    """
    moves = resolved.table_moves
    to_db: dict[str, str] = {}
    for table in schema.tables:
        olds = [m.legacy for m in moves if m.unified == table.name and m.legacy in present]
        if table.name in present:
            to_db[table.name] = table.name
        elif olds:
            to_db[table.name] = olds[0]
    used = set(to_db.values())
    merged = [(m.unified, m.legacy) for m in moves if m.merged]
    merged += [(m.unified, m.legacy) for m in moves if not m.merged]
    absorbed: dict[str, tuple[str, ...]] = {}
    for survivor, name in merged:
        if survivor in to_db and name in present and name not in used:
            absorbed[survivor] = (*absorbed.get(survivor, ()), name)
            used.add(name)
    to_unified = {old: new for new, old in to_db.items()}
    for survivor, tables in absorbed.items():
        to_unified.update(dict.fromkeys(tables, survivor))
    return TableMap(to_db=to_db, to_unified=to_unified, absorbed=absorbed)


def app_tables(schema: SchemaShape, resolved: ResolvedPlan) -> set[str]:
    """The tables the app's database may hold: the unified ones and, through the plan's table
    map, the legacy tables they come from."""
    return {t.name for t in schema.tables} | {m.legacy for m in resolved.table_moves}
