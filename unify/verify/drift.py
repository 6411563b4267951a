"""Drift: the unified schema against the restored database.

Tables, columns, types and nullability through alembic's ``compare_metadata``; foreign keys
as normalised signatures, so that an option change is "changed", not drop + add.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from unify.mapping.metadata import build_metadata
from unify.mapping.tables import TableMap
from unify.models import Finding, ForeignKeyShape, Rule, SchemaShape, Severity

SCHEMA_DRIFT = Rule(
    name="schema-drift",
    code="V201",
    severity=Severity.WARNING,
    summary="tables, columns, types or foreign keys differ from the database",
)


def schema_drift(conn: Connection, schema: SchemaShape, tables: TableMap) -> list[Finding]:
    """Missing/extra tables and columns, type and nullability changes (alembic's compare)."""
    expected = build_metadata(schema, names=tables.to_db, with_constraints=False)
    absorbed = {t for group in tables.absorbed.values() for t in group}

    def include_name(name: str | None, type_: str, parent: Any) -> bool:
        return not (type_ == "table" and (name in absorbed or name == "alembic_version"))

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        return type_ in ("table", "column")

    context = MigrationContext.configure(
        connection=conn,
        opts={"compare_type": True, "include_name": include_name, "include_object": include_object},
    )
    diffs = compare_metadata(context, expected)
    findings = [f for diff in diffs for item in _flatten(diff) if (f := _drift(item, tables, conn))]
    for survivor, group in tables.absorbed.items():
        findings += [_merged(t, survivor) for t in group]
    return findings


def _flatten(diff: Any) -> list[tuple[Any, ...]]:
    return list(diff) if isinstance(diff, list) else [diff]


def _named(table: str, tables: TableMap) -> str:
    unified = tables.to_unified.get(table, table)
    return table if unified == table else f"{table} ({unified} in the unified schema)"


def _drift(item: tuple[Any, ...], tables: TableMap, conn: Connection) -> Finding | None:
    kind = item[0]
    if kind == "add_table":
        name = item[1].name
        text = f"table {name} of the unified schema is not in the database; the migration must create it"
        return SCHEMA_DRIFT.finding(text, table=name)
    if kind == "remove_table":
        return _unmapped(item[1].name, conn)
    if kind in ("add_column", "remove_column"):
        table, column = item[2], item[3]
        text = (
            f"column {column.name} ({column.type}) of {_named(table, tables)} is missing from the database"
            if kind == "add_column"
            else f"column {column.name} of {_named(table, tables)} is not in the unified schema"
        )
        return SCHEMA_DRIFT.finding(text, table=table, column=column.name)
    return _modified(item, tables)


def _modified(item: tuple[Any, ...], tables: TableMap) -> Finding | None:
    kind, table, column = item[0], item[2], item[3]
    where = f"{_named(table, tables)}.{column}"
    if kind == "modify_type":
        text = f"{where}: type {item[5]} in the database, {item[6]} in the unified schema"
    elif kind == "modify_nullable":
        old, new = ("NULL" if item[5] else "NOT NULL"), ("NULL" if item[6] else "NOT NULL")
        text = f"{where}: {old} in the database, {new} in the unified schema"
    else:
        return None
    return SCHEMA_DRIFT.finding(text, table=table, column=column)


def _unmapped(name: str, conn: Connection) -> Finding:
    """A table the unified schema does not map, with its rows: a warning when it has rows (the
    migration keeps them only in unify_legacy), info when it is empty."""
    quoted = '"' + name.replace('"', '""') + '"'
    rows = int(conn.execute(sa.text(f"SELECT count(*) FROM {quoted}")).scalar_one())
    text = (
        f"table {name} is in the database but not in the unified schema: {rows} row(s) that "
        f"no unified table takes (the migration leaves them as they are, in schema "
        f"unify_legacy when a legacy model mapped the table)"
        if rows
        else f"table {name} is in the database but not in the unified schema; it is empty"
    )
    severity = Severity.WARNING if rows else Severity.INFO
    return SCHEMA_DRIFT.finding(text, severity=severity, table=name, count=rows)


def _merged(table: str, survivor: str) -> Finding:
    return SCHEMA_DRIFT.finding(
        f"table {table} is merged into {survivor} by the plan; its rows move there (see merge-collision)",
        severity=Severity.INFO,
        table=table,
    )


# foreign keys as normalised signatures

Signature = tuple[str, tuple[str, ...], str, tuple[str, ...]]


def fk_signature(fk: ForeignKeyShape) -> Signature:
    return (fk.table, fk.columns, fk.target_table, fk.target_columns)


def fk_options(fk: ForeignKeyShape) -> tuple[str, str, bool]:
    """Options with the defaults spelled one way (``NO ACTION`` == unset)."""

    def action(value: str | None) -> str:
        return (value or "NO ACTION").upper()

    return action(fk.ondelete), action(fk.onupdate), bool(fk.deferrable)


def reflected_foreign_keys(reflected: sa.MetaData, tables: TableMap) -> list[ForeignKeyShape]:
    """The database's FKs, with table names translated to the unified names."""
    out: list[ForeignKeyShape] = []
    for table in reflected.tables.values():
        for con in table.foreign_key_constraints:
            target = con.referred_table.name
            out.append(
                ForeignKeyShape(
                    table=tables.to_unified.get(table.name, table.name),
                    columns=tuple(e.parent.name for e in con.elements),
                    target_table=tables.to_unified.get(target, target),
                    target_columns=tuple(e.column.name for e in con.elements),
                    ondelete=con.ondelete,
                    onupdate=con.onupdate,
                    deferrable=con.deferrable,
                )
            )
    return out


def compare_foreign_keys(
    schema: SchemaShape, reflected: sa.MetaData, tables: TableMap
) -> list[Finding]:
    """Missing, extra and changed FKs; an option change is "changed", not drop + add."""
    absorbed = {t for group in tables.absorbed.values() for t in group}
    expected = {
        fk_signature(fk): fk
        for t in schema.tables
        if t.name in tables.to_db
        for fk in t.foreign_keys
    }
    actual = {
        fk_signature(fk): fk
        for fk in reflected_foreign_keys(reflected, tables)
        if tables.to_db.get(fk.table) is not None and fk.table not in absorbed
    }
    findings = [
        _fk_drift("missing", fk, tables) for sig, fk in expected.items() if sig not in actual
    ]
    findings += [
        _fk_drift("extra", fk, tables) for sig, fk in actual.items() if sig not in expected
    ]
    for sig, fk in expected.items():
        if sig in actual and fk_options(fk) != fk_options(actual[sig]):
            findings.append(_fk_changed(actual[sig], fk, tables))
    return findings


def _fk_drift(kind: str, fk: ForeignKeyShape, tables: TableMap) -> Finding:
    text = (
        f"FK {fk.line} is not in the database; the migration adds it (see orphaned-rows)"
        if kind == "missing"
        else f"FK {fk.line} is in the database but not in the unified schema"
    )
    return SCHEMA_DRIFT.finding(
        text,
        table=tables.to_db.get(fk.table, fk.table),
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _fk_changed(old: ForeignKeyShape, new: ForeignKeyShape, tables: TableMap) -> Finding:
    labels = ("ondelete", "onupdate", "deferrable")
    changes = [
        f"{label} {a} -> {b}"
        for label, a, b in zip(labels, fk_options(old), fk_options(new), strict=True)
        if a != b
    ]
    return SCHEMA_DRIFT.finding(
        f"FK {new.line} changed: {', '.join(changes)}",
        table=tables.to_db.get(new.table, new.table),
        column=",".join(new.columns),
        objects=(new.line,),
    )
