"""Scratch: create the unified schema on a scratch database and inspect every foreign key.

Keys whose target is missing or whose types differ are found first (they would stop
``create_all``) and left out; the inspector's view of the rest is checked again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from unify import db
from unify.mapping.metadata import build_metadata
from unify.models import Finding, FkInspection, ForeignKeyShape, Rule, SchemaShape, Severity

FK_MISSING_TARGET = Rule(
    name="fk-missing-target",
    code="V101",
    severity=Severity.ERROR,
    summary="a foreign key to a table or column the schema lacks",
)
FK_TYPE_MISMATCH = Rule(
    name="fk-type-mismatch",
    code="V102",
    severity=Severity.ERROR,
    summary="FK column type differs from its key's on PostgreSQL",
)


def inspect_foreign_keys(schema: SchemaShape, scratch: db.ScratchDatabase) -> FkInspection:
    """``create_all`` on the scratch database, then the inspector's view of every FK."""
    broken, findings = precheck_foreign_keys(schema)
    db.create_schema(scratch, build_metadata(schema, skip=broken))
    engine = db.engine_for(scratch.url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables = sorted(inspector.get_table_names())
            columns = {t: {c["name"]: c for c in inspector.get_columns(t)} for t in tables}
            found = [_inspected_fk(t, fk) for t in tables for fk in inspector.get_foreign_keys(t)]
            fks = sorted(found, key=lambda fk: fk.line)
            types = {
                t: {n: _ddl(c["type"], conn) for n, c in cols.items()}
                for t, cols in columns.items()
            }
    finally:
        engine.dispose()
    findings += [f for fk in fks for f in _check_inspected(fk, types)]
    return FkInspection(
        backend=scratch.kind,
        table_count=len(tables),
        foreign_keys=tuple(fks),
        findings=tuple(findings),
    )


def _ddl(type_: TypeEngine[Any], conn: Connection) -> str:
    try:
        return str(type_.compile(dialect=conn.dialect))
    except sa.exc.CompileError:
        return repr(type_)


def _inspected_fk(table: str, fk: Any) -> ForeignKeyShape:
    options = fk.get("options") or {}
    return ForeignKeyShape(
        table=table,
        columns=tuple(fk["constrained_columns"]),
        target_table=fk["referred_table"],
        target_columns=tuple(fk["referred_columns"]),
        ondelete=options.get("ondelete"),
        onupdate=options.get("onupdate"),
        deferrable=options.get("deferrable"),
    )


def precheck_foreign_keys(schema: SchemaShape) -> tuple[list[ForeignKeyShape], list[Finding]]:
    """FKs whose target is missing or whose types differ (they would stop ``create_all``)."""
    tables = {t.name: {c.name: c for c in t.columns} for t in schema.tables}
    broken: list[ForeignKeyShape] = []
    findings: list[Finding] = []
    for fk in (fk for t in schema.tables for fk in t.foreign_keys):
        target = tables.get(fk.target_table)
        missing = [c for c in fk.target_columns if target is None or c not in target]
        if missing:
            what = fk.target_table if target is None else f"{fk.target_table}.{','.join(missing)}"
            findings.append(_missing_target(fk, what))
        elif target is not None:
            pairs = zip(fk.columns, fk.target_columns, strict=False)
            bad = [(c, t) for c, t in pairs if tables[fk.table][c].sql_type != target[t].sql_type]
            if not bad:
                continue
            findings.append(
                _type_mismatch(fk, tables[fk.table][bad[0][0]].sql_type, target[bad[0][1]].sql_type)
            )
        broken.append(fk)
    return broken, findings


def _missing_target(fk: ForeignKeyShape, what: str) -> Finding:
    return FK_MISSING_TARGET.finding(
        f"FK {fk.line} points to {what}, which the unified schema does not define; "
        "fix the ForeignKey target or add the table",
        table=fk.table,
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _type_mismatch(fk: ForeignKeyShape, child: str, parent: str) -> Finding:
    return FK_TYPE_MISMATCH.finding(
        f"FK {fk.line}: column type {child} differs from the referred {parent}; "
        "give both columns the same type",
        table=fk.table,
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _check_inspected(fk: ForeignKeyShape, types: dict[str, dict[str, str]]) -> list[Finding]:
    target = types.get(fk.target_table)
    if target is None or any(c not in target for c in fk.target_columns):
        return [_missing_target(fk, fk.target_table)]
    for col, ref in zip(fk.columns, fk.target_columns, strict=False):
        if types[fk.table][col] != target[ref]:
            return [_type_mismatch(fk, types[fk.table][col], target[ref])]
    return []
