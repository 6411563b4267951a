"""The data mapping as set-based SQL, one step a block: no row passes through Python.

The legacy tables move whole into the ``unify_legacy`` schema (nothing is dropped, and the
downgrade moves them back); the unified tables are created in ``public`` without foreign keys,
filled with ``INSERT ... SELECT`` from ``unify_legacy`` in load order, renumbered where a merge
gives absorbed rows new ids (an id map per absorbed table), checked against each foreign key's
orphan policy, and only then constrained.  Every step that moves rows writes its count to the
ledger table, which the apply step balances.
"""

from __future__ import annotations

from dataclasses import dataclass

from unify.errors import InputError
from unify.mapping.data import ROW, orphan_join
from unify.models import DataMapping, RowSource

LEGACY = "unify_legacy"
LEDGER = f"{LEGACY}.unify_ledger"


@dataclass(frozen=True, slots=True)
class Step:
    """One commented block of the revision: SQL statements, or alembic ``op`` code."""

    title: str
    sql: tuple[str, ...] = ()
    code: tuple[str, ...] = ()


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def legacy(table: str) -> str:
    return f"{LEGACY}.{q(table)}"


def public(table: str) -> str:
    return f"public.{q(table)}"


def idmap(table: str) -> str:
    return f"{LEGACY}.{q('unify_idmap_' + table)}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def upgrade_steps(
    mapping: DataMapping,
    creates: dict[str, tuple[str, ...]],
    foreign_keys: tuple[tuple[str, str, str], ...],
) -> list[Step]:
    """The upgrade, step by step.  ``creates`` holds each unified table's ``op`` code (create
    table and indexes); ``foreign_keys`` each ``(table, column, op code)`` to add at the end."""
    steps = [_keep_legacy(mapping)]
    steps.append(
        Step(
            "Create the unified tables (their foreign keys come last, once the rows are in)",
            code=tuple(c for t in mapping.created for c in creates.get(t, ())),
        )
    )
    steps += [_renumber(mapping, s) for s in mapping.sources if s.role == "absorbed"]
    steps += [_fill(source) for source in mapping.sources]
    steps.append(_sequences(mapping))
    kept = {
        (s.unified, k.column)
        for s in mapping.sources
        for k in s.keys
        if k.policy == "keep-unconstrained"
    }
    steps.append(
        Step(
            "Add the foreign keys (keep-unconstrained ones left out)",
            code=tuple(code for t, c, code in foreign_keys if (t, c) not in kept),
        )
    )
    return steps


def downgrade_steps(mapping: DataMapping) -> list[Step]:
    """Drop the unified tables and move the legacy ones back, unless rows were written to the
    unified tables since the upgrade (then nothing is undone)."""
    checks = [
        f"IF (SELECT count(*) FROM {public(t)}) <> (SELECT coalesce(sum(rows), 0) FROM {LEDGER} "
        f"WHERE unified = {literal(t)} AND action IN ('carried', 'merged_new')) THEN "
        f"RAISE EXCEPTION 'unify: table {t} holds rows written after the migration; "
        f"the downgrade would lose them'; END IF;"
        for t in mapping.created
    ]
    drops = [f"DROP TABLE {public(t)} CASCADE" for t in reversed(mapping.created)]
    back = [f"ALTER TABLE {legacy(t)} SET SCHEMA public" for t in mapping.legacy_tables]
    maps = [f"DROP TABLE {idmap(s.legacy)}" for s in mapping.sources if s.role == "absorbed"]
    return [
        Step(
            "Refuse when the unified tables hold rows the migration did not write",
            sql=(_do(checks),),
        ),
        Step("Drop the unified tables", sql=tuple(drops)),
        Step("Move the legacy tables back, rows untouched", sql=tuple(back)),
        Step(
            "Drop the id maps, the ledger and the unify_legacy schema",
            sql=(*maps, f"DROP TABLE {LEDGER}", f"DROP SCHEMA {LEGACY}"),
        ),
    ]


def _keep_legacy(mapping: DataMapping) -> Step:
    moves = [f"ALTER TABLE {public(t)} SET SCHEMA {LEGACY}" for t in mapping.legacy_tables]
    fed = {s.legacy: s.unified for s in mapping.sources}
    counts = [
        f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT {literal(t)}, "
        f"{literal(fed.get(t, ''))}, 'before', count(*) FROM {legacy(t)}"
        for t in mapping.legacy_tables
    ]
    counts += [
        f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT {literal(t)}, '', 'kept', "
        f"count(*) FROM {legacy(t)}"
        for t in mapping.unmapped
    ]
    return Step(
        "Keep every legacy table, rows untouched, in the unify_legacy schema; count its rows",
        sql=(
            f"CREATE SCHEMA {LEGACY}",
            *moves,
            f"CREATE TABLE {LEDGER} (step serial PRIMARY KEY, legacy text NOT NULL, "
            f"unified text NOT NULL, action text NOT NULL, rows bigint NOT NULL)",
            *counts,
        ),
    )


def _renumber(mapping: DataMapping, source: RowSource) -> Step:
    """The id map of an absorbed table: old id -> the survivor row it folds into (equal on
    ``match``, case-insensitively) or a new id from the unified table's sequence, which starts
    after the survivor's highest id."""
    serial = dict(mapping.serials).get(source.unified, "")
    if not serial:
        raise InputError(
            f"{source.unified}: its key is not numbered by a sequence, so the rows merged from "
            f"{source.legacy} cannot get new ids"
        )
    survivor = next(
        (s for s in mapping.sources if s.unified == source.unified and s.role == "carried"), None
    )
    sequence = f"pg_get_serial_sequence({literal(public(source.unified))}, {literal(serial)})"
    key = survivor and next((v.value for v in survivor.values if v.column == serial), None)
    start = (
        f"coalesce((SELECT max({key}) FROM {legacy(survivor.legacy)} AS {ROW}), 0) + 1"
        if survivor and key
        else "1"
    )
    fold, new, folded = "", f"nextval({sequence})", "false"
    if source.match and survivor and key:
        on = " AND ".join(
            f"lower(CAST({ROW}.{q(c)} AS text)) = lower(CAST(a.{q(c)} AS text))"
            for c in source.match
        )
        fold = (
            f"LEFT JOIN LATERAL (SELECT {key} AS id FROM {legacy(survivor.legacy)} AS {ROW} "
            f"WHERE {on} ORDER BY 1 LIMIT 1) AS f ON true"
        )
        new, folded = f"coalesce(f.id, nextval({sequence}))", "f.id IS NOT NULL"
    how = (
        f"a row equal on {', '.join(source.match)} folds into that {source.unified} row"
        if fold
        else "every row becomes a new row"
    )
    return Step(
        f"Id map of {source.legacy}, merged into {source.unified}: {how}; the others get new "
        f"ids from {source.unified}'s sequence",
        sql=(
            f"SELECT setval({sequence}, {start}, false)",
            f"CREATE TABLE {idmap(source.legacy)} (old_id text PRIMARY KEY, "
            f"new_id bigint NOT NULL, folded boolean NOT NULL)",
            f"INSERT INTO {idmap(source.legacy)} (old_id, new_id, folded) "
            f"SELECT CAST(a.{q(source.key)} AS text), {new}, {folded} "
            f"FROM {legacy(source.legacy)} AS a {fold} ORDER BY a.{q(source.key)}",
            f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT "
            f"{literal(source.legacy)}, {literal(source.unified)}, 'folded', count(*) "
            f"FROM {idmap(source.legacy)} WHERE folded",
        ),
    )


@dataclass(frozen=True, slots=True)
class _Select:
    """The FROM clause of one source with its joins, and each unified column's value."""

    joins: tuple[str, ...]
    values: dict[str, str]
    orphan: dict[str, str]  # FK column -> predicate of a row whose value matches nothing
    lost: dict[str, str]  # cast column -> predicate of a value that does not convert


def _select(source: RowSource) -> _Select:
    joins: list[str] = []
    values = {v.column: v.value for v in source.values}
    lost = {
        v.column: f"{ROW}.{q(v.source)} IS NOT NULL AND {v.value} IS NULL"
        for v in source.values
        if v.casts
    }
    if source.role == "absorbed":
        joins.append(
            f"JOIN {idmap(source.legacy)} AS m ON m.old_id = CAST({ROW}.{q(source.key)} AS text)"
        )
        values[source.unified_key] = "m.new_id"
        lost.pop(source.unified_key, None)
    orphan: dict[str, str] = {}
    for index, key in enumerate(source.keys):
        alias = f"k{index}"
        join, orphan[key.column] = orphan_join(
            key, values[key.column], alias, LEGACY, idmap(key.parent) if key.remap else ""
        )
        joins.append(join)
        lost.pop(key.column, None)
        if key.remap:
            values[key.column] = f"{alias}.new_id"
        elif key.policy == "null":
            values[key.column] = f"{alias}.v"
    return _Select(tuple(joins), values, orphan, lost)


def _fill(source: RowSource) -> Step:
    select = _select(source)
    rows = f"{legacy(source.legacy)} AS {ROW} " + " ".join(select.joins)
    policy = {k.column: k.policy for k in source.keys}
    checks = [
        _fails(
            rows,
            pred,
            f"{source.legacy}.{column}: %% row(s) whose value matches no row of "
            f"{next(k.target_table for k in source.keys if k.column == column)} (orphans policy: fail)",
        )
        for column, pred in select.orphan.items()
        if policy[column] == "fail"
    ]
    checks += [
        _fails(
            rows,
            pred,
            f"{source.legacy}.{column}: %% value(s) that do not convert to the unified type",
        )
        for column, pred in select.lost.items()
    ]
    deletes = [pred for column, pred in select.orphan.items() if policy[column] == "delete"]
    # a folded row is neither inserted nor deleted: the id map counted it
    base = "NOT m.folded" if source.role == "absorbed" else "true"
    keep = " AND ".join([base, *(f"NOT ({p})" for p in deletes)])
    nulls = [pred for column, pred in select.orphan.items() if policy[column] == "null"]
    columns = list(select.values)
    action = "merged_new" if source.role == "absorbed" else "carried"
    ledger = f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT {literal(source.legacy)}, {literal(source.unified)}"
    sql = [*checks]
    if deletes:
        sql.append(
            f"{ledger}, 'deleted', count(*) FROM {rows} WHERE {base} AND ("
            + " OR ".join(f"({p})" for p in deletes)
            + ")"
        )
    if nulls:
        sql.append(
            f"{ledger}, 'nulled', count(*) FROM {rows} WHERE {keep} AND ("
            + " OR ".join(f"({p})" for p in nulls)
            + ")"
        )
    sql.append(
        f"WITH moved AS (INSERT INTO {public(source.unified)} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {', '.join(select.values[c] for c in columns)} FROM {rows} WHERE {keep} RETURNING 1) "
        f"{ledger}, {literal(action)}, count(*) FROM moved"
    )
    kind = "merged: new rows" if source.role == "absorbed" else "ids kept"
    return Step(f"{source.unified} <- {source.legacy} ({kind})", sql=tuple(sql))


def _fails(rows: str, predicate: str, message: str) -> str:
    return _do(
        [
            f"SELECT count(*) INTO n FROM {rows} WHERE {predicate}; "
            f"IF n > 0 THEN RAISE EXCEPTION {literal('unify: ' + message.replace('%%', '%'))}, n; END IF;"
        ],
        declare="n bigint;",
    )


def _do(body: list[str], declare: str = "") -> str:
    head = f"DECLARE {declare} " if declare else ""
    return "DO $$ " + head + "BEGIN " + " ".join(body) + " END $$"


def _sequences(mapping: DataMapping) -> Step:
    return Step(
        "Sequences start after the highest id",
        sql=tuple(
            f"SELECT setval(pg_get_serial_sequence({literal(public(t))}, {literal(c)}), "
            f"coalesce((SELECT max({q(c)}) FROM {public(t)}), 0) + 1, false)"
            for t, c in mapping.serials
        ),
    )
