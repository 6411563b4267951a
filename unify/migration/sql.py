"""The data mapping as set-based SQL, one step a block: no row passes through Python.

The legacy tables move whole into the ``unify_legacy`` schema (nothing is dropped, and the
downgrade moves them back); the unified tables are created in ``public`` without foreign keys,
filled with ``INSERT ... SELECT`` from ``unify_legacy`` in load order, renumbered where a merge
gives absorbed rows new ids (an id map per absorbed table, keyed by the legacy key's own type),
and only then constrained.  The "fail" orphan policies are not checked by scans before the
fill: the fill and the foreign keys validated after it show a failure, and only then does the
diagnosis (``unify.migration.diagnose``) count the rows and raise, rolling everything back.
Every step that moves rows writes its count to the ledger table, which the apply step
balances.
"""

from __future__ import annotations

from dataclasses import dataclass

from unify.errors import InputError
from unify.mapping.conversion import unguarded
from unify.mapping.data import ROW, orphan_join
from unify.migration import diagnose
from unify.migration.diagnose import LEGACY as LEGACY
from unify.migration.diagnose import Check
from unify.models import DataMapping, KeyFill, RowSource

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
    kept = {
        (s.unified, k.column)
        for s in mapping.sources
        for k in s.keys
        if k.policy == "keep-unconstrained"
    }
    added = [(t, c, code) for t, c, code in foreign_keys if (t, c) not in kept]
    # the keys validated after the fill, where a violation runs the diagnosis
    constrained = {(t, c) for t, c, code in added if _not_valid(code) != code}
    steps = [
        Step(
            "Memory for the big sorts, hashes and index builds, for this transaction only",
            sql=("SET LOCAL work_mem = '256MB'", "SET LOCAL maintenance_work_mem = '512MB'"),
        ),
        _keep_legacy(mapping),
    ]
    steps.append(
        Step(
            "Create the unified tables (their foreign keys come last, once the rows are in)",
            code=tuple(c for t in mapping.created for c in creates.get(t, ())),
        )
    )
    steps.append(
        Step(
            "The diagnosis of the orphan policies and the casts, run only if something fails",
            sql=diagnose.create([c for source in mapping.sources for c in _checks(source)]),
        )
    )
    steps.append(_defer_indexes(mapping))
    steps += [_renumber(mapping, s) for s in mapping.sources if s.role == "absorbed"]
    steps += [_fill(mapping, source, constrained) for source in mapping.sources]
    steps.append(_build_indexes())
    steps.append(_sequences(mapping))
    steps.append(
        Step(
            "Add the foreign keys (keep-unconstrained ones left out), validated in the next step",
            code=tuple(_not_valid(code) for _, _, code in added),
        )
    )
    steps.append(_validate(mapping))
    steps.append(Step("Drop the diagnosis", sql=diagnose.drop()))
    return steps


def _not_valid(code: str) -> str:
    """An ``op.create_foreign_key(...)`` call adding the key without checking the rows."""
    call = code.rstrip()
    if not (call.startswith("op.create_foreign_key(") and call.endswith(")")):
        return code
    return call[:-1].rstrip().removesuffix(",") + ", postgresql_not_valid=True)"


def _validate(mapping: DataMapping) -> Step:
    """Each foreign key added above checked against the rows, once; a violation runs the
    diagnosis (an orphan under a "fail" policy is reported as the checks before the fill
    would have reported it)."""
    tables = ", ".join(f"CAST({literal(public(t))} AS regclass)" for t in mapping.created)
    return Step(
        "Validate the foreign keys; a violation names the orphaned key and counts its rows",
        sql=(
            diagnose.on_violation(
                f"FOR r IN SELECT CAST(CAST(c.conrelid AS regclass) AS text) AS tbl, c.conname "
                f"FROM pg_constraint AS c WHERE c.contype = 'f' AND NOT c.convalidated "
                f"AND c.conrelid IN ({tables}) ORDER BY c.oid LOOP "
                f"EXECUTE 'ALTER TABLE ' || r.tbl || ' VALIDATE CONSTRAINT ' "
                f"|| quote_ident(r.conname); END LOOP;"
            ),
        ),
    )


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


DEFERRED = f"{LEGACY}.unify_deferred"


def _defer_indexes(mapping: DataMapping) -> Step:
    """The unified tables' primary keys, unique constraints and indexes, as PostgreSQL
    defines them, set aside and dropped: the fill then writes bare tables, and each index is
    built once, sorted, after it (``_build_indexes``), under the same names."""
    tables = ", ".join(f"CAST({literal(public(t))} AS regclass)" for t in mapping.created)
    return Step(
        "Set the unified tables' keys and indexes aside until the rows are in",
        sql=(
            f"CREATE TABLE {DEFERRED} (step serial PRIMARY KEY, tbl text NOT NULL, "
            f"name text NOT NULL, kind text NOT NULL, def text NOT NULL)",
            f"INSERT INTO {DEFERRED} (tbl, name, kind, def) "
            f"SELECT CAST(CAST(c.conrelid AS regclass) AS text), c.conname, 'constraint', "
            f"pg_get_constraintdef(c.oid) FROM pg_constraint AS c "
            f"WHERE c.conrelid IN ({tables}) AND c.contype IN ('p', 'u') ORDER BY c.oid",
            f"INSERT INTO {DEFERRED} (tbl, name, kind, def) "
            f"SELECT CAST(CAST(i.indrelid AS regclass) AS text), "
            f"CAST(CAST(i.indexrelid AS regclass) AS text), 'index', "
            f"pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
            f"WHERE i.indrelid IN ({tables}) AND NOT EXISTS "
            f"(SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) "
            f"ORDER BY i.indexrelid",
            _do(
                [
                    f"FOR r IN SELECT name FROM {DEFERRED} WHERE kind = 'index' LOOP "
                    f"EXECUTE 'DROP INDEX ' || r.name; END LOOP; "
                    f"FOR r IN SELECT tbl, name FROM {DEFERRED} WHERE kind = 'constraint' LOOP "
                    f"EXECUTE 'ALTER TABLE ' || r.tbl || ' DROP CONSTRAINT ' "
                    f"|| quote_ident(r.name); END LOOP;"
                ],
                declare="r record;",
            ),
        ),
    )


def _build_indexes() -> Step:
    return Step(
        "Build the keys and indexes set aside, once each, on the filled tables",
        sql=(
            _do(
                [
                    f"FOR r IN SELECT tbl, name, def FROM {DEFERRED} WHERE kind = 'constraint' "
                    f"ORDER BY step LOOP EXECUTE 'ALTER TABLE ' || r.tbl || ' ADD CONSTRAINT ' "
                    f"|| quote_ident(r.name) || ' ' || r.def; END LOOP; "
                    f"FOR r IN SELECT def FROM {DEFERRED} WHERE kind = 'index' ORDER BY step "
                    f"LOOP EXECUTE r.def; END LOOP;"
                ],
                declare="r record;",
            ),
            f"DROP TABLE {DEFERRED}",
        ),
    )


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
    ``match``, case-insensitively), else the row of an earlier absorbed table of the same
    merge it folds into (through that table's id map), else a new id from the unified table's
    sequence, which the first absorbed table starts after the survivor's highest id and the
    others continue."""
    serial = dict(mapping.serials).get(source.unified, "")
    if not serial:
        raise InputError(
            f"{source.unified}: its key is not numbered by a sequence, so the rows merged from "
            f"{source.legacy} cannot get new ids"
        )
    survivor = next(
        (s for s in mapping.sources if s.unified == source.unified and s.role == "carried"), None
    )
    earlier = _earlier_absorbed(mapping, source)
    sequence = f"pg_get_serial_sequence({literal(public(source.unified))}, {literal(serial)})"
    # the sequence looked up once (an InitPlan), not once per row
    once = f"(SELECT CAST({sequence} AS regclass))"
    key = survivor and next((v.value for v in survivor.values if v.column == serial), None)
    start = (
        f"coalesce((SELECT max({key}) FROM {legacy(survivor.legacy)} AS {ROW}), 0) + 1"
        if survivor and key
        else "1"
    )
    # (alias, the lowest unified id per match value) of each table a row may fold into,
    # grouped once (a hash join, not a lookup per absorbed row)
    targets: list[tuple[str, str]] = []
    if source.match and survivor and key:
        survivors = f"{legacy(survivor.legacy)} AS {ROW}"
        targets.append(("f", _fold_ids(source.match, f"min({key})", survivors)))
    for index, other in enumerate(earlier):
        if source.match and set(source.match) <= set(other.match):
            rows = (
                f"{legacy(other.legacy)} AS {ROW} JOIN {idmap(other.legacy)} AS m "
                f"ON m.old_id = {ROW}.{q(other.key)}"  # (the map keyed by that key's own type)
            )
            targets.append((f"f{index + 1}", _fold_ids(source.match, "min(m.new_id)", rows)))
    fold = " ".join(
        f"LEFT JOIN {ids} AS {alias} ON "
        + " AND ".join(
            f"{alias}.k{i} = lower(CAST(a.{q(c)} AS text))" for i, c in enumerate(source.match)
        )
        for alias, ids in targets
    )
    ids = ", ".join(f"{alias}.id" for alias, _ in targets)
    new = f"coalesce({ids}, nextval({once}))" if targets else f"nextval({once})"
    folded = f"coalesce({ids}) IS NOT NULL" if targets else "false"
    into = [source.unified] * bool(survivor and key) + [
        o.legacy for o in earlier if source.match and set(source.match) <= set(o.match)
    ]
    how = (
        f"a row equal on {', '.join(source.match)} folds into that {' or '.join(into)} row"
        if targets
        else "every row becomes a new row"
    )
    # the first absorbed table starts the sequence; the others continue it
    restart = () if earlier else (f"SELECT setval({sequence}, {start}, false)",)
    return Step(
        f"Id map of {source.legacy}, merged into {source.unified}: {how}; the others get new "
        f"ids from {source.unified}'s sequence",
        sql=(
            *restart,
            # keyed by the legacy key's own type: the rows referring to it join it as they are
            f"CREATE TABLE {idmap(source.legacy)} AS SELECT a.{q(source.key)} AS old_id, "
            f"CAST(0 AS bigint) AS new_id, false AS folded FROM {legacy(source.legacy)} AS a "
            f"WITH NO DATA",
            f"INSERT INTO {idmap(source.legacy)} (old_id, new_id, folded) "
            f"SELECT a.{q(source.key)}, {new}, {folded} "
            f"FROM {legacy(source.legacy)} AS a {fold} ORDER BY a.{q(source.key)}",
            # the key's index built once, after the fill
            f"ALTER TABLE {idmap(source.legacy)} ADD PRIMARY KEY (old_id)",
            f"ANALYZE {idmap(source.legacy)}",
            f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT "
            f"{literal(source.legacy)}, {literal(source.unified)}, 'folded', count(*) "
            f"FROM {idmap(source.legacy)} WHERE folded",
        ),
    )


def _earlier_absorbed(mapping: DataMapping, source: RowSource) -> list[RowSource]:
    """The tables merged into the same unified table before ``source`` (their id maps come
    first)."""
    merged = [s for s in mapping.sources if s.unified == source.unified and s.role == "absorbed"]
    return merged[: merged.index(source)]


def _fold_ids(match: tuple[str, ...], lowest: str, rows: str) -> str:
    """``rows`` (the legacy row aliased ``s``) grouped by their ``match`` values, lower case:
    ``k0, k1, ...`` and the ``lowest`` unified id of each group."""
    keys = [f"lower(CAST({ROW}.{q(c)} AS text))" for c in match]
    named = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
    return f"(SELECT {named}, {lowest} AS id FROM {rows} GROUP BY {', '.join(keys)})"


@dataclass(frozen=True, slots=True)
class _Select:
    """The FROM clause of one source: the row's own join (an absorbed row's id map) and each
    foreign key's orphan join; each unified column's value."""

    base: tuple[str, ...]
    keys: dict[str, str]  # FK column -> its orphan join
    values: dict[str, str]
    orphan: dict[str, str]  # FK column -> predicate of a row whose value matches nothing
    lost: dict[str, str]  # cast column -> predicate of a value that does not convert


def _select(source: RowSource) -> _Select:
    base: list[str] = []
    values = {v.column: v.value for v in source.values}
    lost = {
        v.column: f"{ROW}.{q(v.source)} IS NOT NULL AND {v.value} IS NULL"
        for v in source.values
        if v.casts
    }
    if source.role == "absorbed":
        base.append(f"JOIN {idmap(source.legacy)} AS m ON m.old_id = {ROW}.{q(source.key)}")
        values[source.unified_key] = "m.new_id"
        lost.pop(source.unified_key, None)
    keys: dict[str, str] = {}
    orphan: dict[str, str] = {}
    for index, key in enumerate(source.keys):
        alias = f"k{index}"
        keys[key.column], orphan[key.column] = orphan_join(
            key, values[key.column], alias, LEGACY, idmap(key.parent) if key.remap else ""
        )
        lost.pop(key.column, None)
        if key.remap:
            values[key.column] = f"{alias}.new_id"
        elif key.policy == "null":
            values[key.column] = f"{alias}.v"
    return _Select(tuple(base), keys, values, orphan, lost)


def _checks(source: RowSource) -> list[Check]:
    """The rows a "fail" policy or a cast refuses, in the order the diagnosis runs them: each
    "fail" key's orphans (joining only that key), then each cast column's lost values."""
    select = _select(source)
    policy = {k.column: k.policy for k in source.keys}

    def rows(*columns: str) -> str:
        joins = [*select.base, *(select.keys[c] for c in columns)]
        return f"{legacy(source.legacy)} AS {ROW} " + " ".join(joins)

    orphans = [
        Check(
            column,
            _by_value(source, column, rows(column)),
            pred,
            f"{source.legacy}.{column}: % row(s) whose value matches no row of "
            f"{next(k.target_table for k in source.keys if k.column == column)} (orphans policy: fail)",
        )
        for column, pred in select.orphan.items()
        if policy[column] == "fail"
    ]
    return orphans + [
        Check(
            column,
            rows(),
            pred,
            f"{source.legacy}.{column}: % value(s) that do not convert to the unified type",
        )
        for column, pred in select.lost.items()
    ]


def _fill(mapping: DataMapping, source: RowSource, constrained: set[tuple[str, str]]) -> Step:
    """The fill joins only the keys that give a value (a remap, a NULLed orphan) or drop a row
    (a deleted orphan).  A "fail" key is not checked before it where the fill or the foreign
    key shows its orphans: a remapped key's orphan has no id-map row in the fill's join, a
    plain key's orphan fails its foreign key, or (the parent merged with other rows) is above
    the parent's highest key; the fill raises on such a row through the diagnosis.  A cast
    key's check, and a cast column's, still run before the fill (they prove every value
    converts, so the fill casts without the regex guard)."""
    select = _select(source)
    policy = {k.column: k.policy for k in source.keys}
    checks = {c.column: c for c in _checks(source)}
    values = dict(select.values)
    before: list[str] = []
    for index, key in enumerate(source.keys):
        if key.policy != "fail":
            continue
        check = checks[key.column]
        if key.remap:
            values[key.column] = (
                f"CASE WHEN {select.orphan[key.column]} THEN {diagnose.on_row(check)} "
                f"ELSE k{index}.new_id END"
            )
            continue
        bound = _bound(mapping, source, key, constrained)
        if bound is None:
            before.append(diagnose.detect(check))
        elif bound:
            raw = values[key.column]
            values[key.column] = (
                f"CASE WHEN {raw} > {bound} THEN {diagnose.on_row(check)} ELSE {raw} END"
            )
    before += [diagnose.detect(checks[column]) for column in select.lost]
    needed = [k.column for k in source.keys if k.remap or k.policy in ("null", "delete")]
    joined = f"{legacy(source.legacy)} AS {ROW} " + " ".join(
        [*select.base, *(select.keys[c] for c in needed)]
    )
    deletes = [pred for column, pred in select.orphan.items() if policy[column] == "delete"]
    # a folded row is neither inserted nor deleted: the id map counted it
    base = "NOT m.folded" if source.role == "absorbed" else "true"
    keep = " AND ".join([base, *(f"NOT ({p})" for p in deletes)])
    nulls = [pred for column, pred in select.orphan.items() if policy[column] == "null"]
    columns = list(values)
    # a value the checks before the fill proved to convert needs no regex guard
    proved = {c for c in select.orphan if policy[c] == "fail"} | set(select.lost)
    values = {c: unguarded(v) if c in proved else v for c, v in values.items()}
    action = "merged_new" if source.role == "absorbed" else "carried"
    ledger = f"INSERT INTO {LEDGER} (legacy, unified, action, rows) SELECT {literal(source.legacy)}, {literal(source.unified)}"
    sql = [*before]
    if deletes:
        sql.append(
            f"{ledger}, 'deleted', count(*) FROM {joined} WHERE {base} AND ("
            + " OR ".join(f"({p})" for p in deletes)
            + ")"
        )
    if nulls:
        sql.append(
            f"{ledger}, 'nulled', count(*) FROM {joined} WHERE {keep} AND ("
            + " OR ".join(f"({p})" for p in nulls)
            + ")"
        )
    # the row count from the insert itself (no RETURNING rows kept to count them)
    sql.append(
        _do(
            [
                f"INSERT INTO {public(source.unified)} ({', '.join(q(c) for c in columns)}) "
                f"SELECT {', '.join(values[c] for c in columns)} FROM {joined} WHERE {keep}; "
                f"GET DIAGNOSTICS n = ROW_COUNT; "
                f"INSERT INTO {LEDGER} (legacy, unified, action, rows) VALUES "
                f"({literal(source.legacy)}, {literal(source.unified)}, {literal(action)}, n);"
            ],
            declare="n bigint;",
        )
    )
    kind = "merged: new rows" if source.role == "absorbed" else "ids kept"
    return Step(f"{source.unified} <- {source.legacy} ({kind})", sql=tuple(sql))


def _bound(
    mapping: DataMapping, source: RowSource, key: KeyFill, constrained: set[tuple[str, str]]
) -> str | None:
    """How the unified foreign key finds every orphan of a plain (not remapped) "fail" key:
    ``""`` when the unified parent holds exactly the legacy parent's keys, the SQL of the
    legacy parent's highest key when a merge adds rows with new ids above it (a value above
    it is an orphan though a new row has it), ``None`` when neither holds (the key is checked
    before the fill)."""
    value = next((v for v in source.values if v.column == key.column), None)
    raw = f"{ROW}.{q(key.column)}"
    if (source.unified, key.column) not in constrained or value is None:
        return None
    if value.casts or value.value != raw or key.parent_value != f"p.{q(key.parent_key)}":
        return None
    feeding = [s for s in mapping.sources if s.unified == key.target_table]
    parent = next((s for s in feeding if s.legacy == key.parent and s.role == "carried"), None)
    if parent is None:
        return None
    same = next((v for v in parent.values if v.column == key.target_column), None)
    if same is None or same.casts or same.value != f"{ROW}.{q(key.parent_key)}":
        return None
    others = [s for s in feeding if s is not parent]
    if not others:
        return ""
    serial = dict(mapping.serials).get(key.target_table)
    merged = all(s.role == "absorbed" and s.unified_key == key.target_column for s in others)
    if not merged or serial != key.target_column or parent.unified_key != serial:
        return None
    # the new ids start after the survivor's highest key (``_renumber``)
    return f"coalesce((SELECT max(p.{q(key.parent_key)}) FROM {legacy(key.parent)} AS p), 0)"


def _by_value(source: RowSource, column: str, rows: str) -> str:
    """The rows of an orphan check of a cast key (not remapped, not an absorbed table) grouped
    by the key's value first: the conversion runs once per distinct value, not once per row.
    Each group counts its rows (``_fails`` sums them)."""
    key = next(k for k in source.keys if k.column == column)
    value = next((v for v in source.values if v.column == column), None)
    if key.remap or source.role == "absorbed" or value is None or not value.casts:
        return rows
    table = f"{legacy(source.legacy)} AS {ROW}"
    grouped = (
        f"(SELECT {ROW}.{q(value.source)}, count(*) AS unify_rows FROM {table} "
        f"GROUP BY {ROW}.{q(value.source)}) AS {ROW}"
    )
    return rows.replace(table, grouped, 1)


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
