"""The upgrade SQL of a small mapping written here, run step by step on real PostgreSQL: a
cast foreign key whose orphans are counted row by row (the check groups by value first), the
cast without its regex guard once the check has proved every value converts, and a merge whose
absorbed rows fold into the lowest survivor id equal on the match, case aside."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from unify.mapping.conversion import convert
from unify.migration.sql import upgrade_steps
from unify.models import DataMapping, KeyFill, RowSource, ValueFill

pytestmark = pytest.mark.postgres


def values(*names: str) -> tuple[ValueFill, ...]:
    return tuple(ValueFill(column=n, source=n, value=f's."{n}"') for n in names)


def source(
    legacy: str,
    unified: str,
    *columns: str,
    match: tuple[str, ...] = (),
    keys: tuple[KeyFill, ...] = (),
    absorbed: bool = False,
) -> RowSource:
    """A legacy table's rows into a unified table keyed ``id``: carried, or absorbed by a
    merge that folds rows equal on ``match``."""
    return RowSource(
        legacy=legacy,
        unified=unified,
        role="absorbed" if absorbed else "carried",
        values=values(*columns),
        keys=keys,
        key="id",
        unified_key="id",
        match=match,
    )


def cast_key_mapping() -> DataMapping:
    value = convert('s."parent_id"', sa.String(36), sa.Integer())
    assert value is not None
    key = KeyFill(
        column="parent_id",
        target_table="parent",
        target_column="id",
        parent="old_parent",
        parent_key="id",
        parent_value='p."id"',
    )
    child = RowSource(
        legacy="old_child",
        unified="child",
        role="carried",
        values=(
            ValueFill(column="id", source="id", value='s."id"'),
            ValueFill(column="parent_id", source="parent_id", value=value.value, casts=True),
        ),
        keys=(key,),
        key="id",
        unified_key="id",
    )
    parent = RowSource(
        legacy="old_parent",
        unified="parent",
        role="carried",
        values=(ValueFill(column="id", source="id", value='s."id"'),),
        key="id",
        unified_key="id",
    )
    return DataMapping(
        sources=(parent, child),
        legacy_tables=("old_child", "old_parent"),
        unmapped=(),
        created=("parent", "child"),
        serials=(),
    )


def execute(conn: sa.Connection, statement: str) -> None:
    """One statement as written (no parameter markers: a RAISE's ``%`` stays as it is)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def run_upgrade(url: URL, setup: str, mapping: DataMapping) -> list[tuple[object, ...]]:
    """Create the legacy and unified tables, run every SQL step in one transaction; the
    unified child rows."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            upgrade(conn, setup, mapping)
            return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM child ORDER BY id")]
    finally:
        engine.dispose()


def upgrade(conn: sa.Connection, setup: str, mapping: DataMapping) -> None:
    """The ``setup`` statements, then every SQL step of the mapping's upgrade (no foreign key
    to add: no step has Alembic code)."""
    for statement in setup.split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)
    for step in upgrade_steps(mapping, {}, ()):
        assert not step.code
        for statement in step.sql:
            execute(conn, statement)


TABLES = """
CREATE TABLE old_parent (id integer PRIMARY KEY);
CREATE TABLE old_child (id integer PRIMARY KEY, parent_id varchar(36));
CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
INSERT INTO old_parent VALUES (0), (7), (42);
"""


def test_cast_key_orphans_are_counted_by_row_not_by_value(pg_database: URL) -> None:
    # '0009' three times (no parent 9), 'x' twice (does not convert): five orphaned rows
    rows = "INSERT INTO old_child VALUES (1, '0042'), (2, '0009'), (3, '0009'), (4, '0009'), "
    rows += "(5, 'x'), (6, 'x'), (7, NULL), (8, '42')"
    with pytest.raises(Exception, match=r"old_child\.parent_id: 5 row\(s\)"):
        run_upgrade(pg_database, TABLES + rows, cast_key_mapping())


def test_proved_casts_fill_the_same_values_as_the_guarded_ones(pg_database: URL) -> None:
    rows = "INSERT INTO old_child VALUES (1, '0042'), (2, ' 7 '), (3, '-0'), (4, NULL), "
    rows += "(5, '+42')"
    filled = run_upgrade(pg_database, TABLES + rows, cast_key_mapping())
    assert filled == [(1, 42), (2, 7), (3, 0), (4, None), (5, 42)]


def test_absorbed_rows_fold_into_the_lowest_survivor_id_equal_on_match(pg_database: URL) -> None:
    people = source("people", "person", "id", "email")
    guests = source("guests", "person", "id", "email", match=("email",), absorbed=True)
    mapping = DataMapping(
        sources=(people, guests),
        legacy_tables=("guests", "people"),
        unmapped=(),
        created=("person",),
        serials=(("person", "id"),),
    )
    setup = """
    CREATE TABLE people (id integer PRIMARY KEY, email varchar(50));
    CREATE TABLE guests (id varchar(36) PRIMARY KEY, email varchar(50));
    CREATE TABLE person (id serial PRIMARY KEY, email varchar(50));
    INSERT INTO people VALUES (3, 'Ann@x.org'), (5, 'ann@X.org'), (9, 'bo@x.org');
    INSERT INTO guests VALUES ('g1', 'ANN@X.ORG'), ('g2', 'cy@x.org'), ('g3', NULL)
    """
    engine = sa.create_engine(pg_database)
    try:
        with engine.begin() as conn:
            upgrade(conn, setup, mapping)
            idmap = dict(
                conn.exec_driver_sql(
                    "SELECT old_id, new_id FROM unify_legacy.unify_idmap_guests"
                ).all()
            )
            person = conn.exec_driver_sql("SELECT id, email FROM person ORDER BY id").all()
    finally:
        engine.dispose()
    # g1 folds into 3 (the lower of the two Ann rows); g2 and g3 (no e-mail) get new ids
    assert idmap == {"g1": 3, "g2": 10, "g3": 11}
    assert [tuple(r) for r in person] == [
        (3, "Ann@x.org"),
        (5, "ann@X.org"),
        (9, "bo@x.org"),
        (10, "cy@x.org"),
        (11, None),
    ]


def test_two_absorbed_tables_get_distinct_ids_and_the_second_folds_into_the_first(
    pg_database: URL,
) -> None:
    mapping = DataMapping(
        sources=(
            source("people", "person", "id", "email"),
            source("guests", "person", "id", "email", match=("email",), absorbed=True),
            source("visitors", "person", "id", "email", match=("email",), absorbed=True),
        ),
        legacy_tables=("guests", "people", "visitors"),
        unmapped=(),
        created=("person",),
        serials=(("person", "id"),),
    )
    setup = """
    CREATE TABLE people (id integer PRIMARY KEY, email varchar(50));
    CREATE TABLE guests (id varchar(36) PRIMARY KEY, email varchar(50));
    CREATE TABLE visitors (id varchar(36) PRIMARY KEY, email varchar(50));
    CREATE TABLE person (id serial PRIMARY KEY, email varchar(50));
    INSERT INTO people VALUES (3, 'Ann@x.org'), (9, 'bo@x.org');
    INSERT INTO guests VALUES ('g1', 'ANN@X.ORG'), ('g2', 'cy@x.org'), ('g3', NULL);
    INSERT INTO visitors VALUES ('v1', 'CY@x.org'), ('v2', 'bo@X.org'), ('v3', 'dee@x.org'),
        ('v4', NULL)
    """
    engine = sa.create_engine(pg_database)
    try:
        with engine.begin() as conn:
            upgrade(conn, setup, mapping)
            maps = {
                table: dict(
                    conn.exec_driver_sql(
                        f"SELECT old_id, new_id FROM unify_legacy.unify_idmap_{table}"
                    ).all()
                )
                for table in ("guests", "visitors")
            }
            person = conn.exec_driver_sql("SELECT id, email FROM person ORDER BY id").all()
            ledger = conn.exec_driver_sql(
                "SELECT legacy, action, sum(rows) FROM unify_legacy.unify_ledger "
                "WHERE action IN ('folded', 'merged_new') GROUP BY legacy, action"
            ).all()
    finally:
        engine.dispose()
    # the visitors' new ids follow the guests' (the sequence is set once); v1 folds into the
    # guest g2 (cy, any case), v2 into the survivor's bo; v3 and v4 are new people
    assert maps == {
        "guests": {"g1": 3, "g2": 10, "g3": 11},
        "visitors": {"v1": 10, "v2": 9, "v3": 12, "v4": 13},
    }
    assert [tuple(r) for r in person] == [
        (3, "Ann@x.org"),
        (9, "bo@x.org"),
        (10, "cy@x.org"),
        (11, None),
        (12, "dee@x.org"),
        (13, None),
    ]
    assert sorted(tuple(r) for r in ledger) == [
        ("guests", "folded", 1),
        ("guests", "merged_new", 2),
        ("visitors", "folded", 2),
        ("visitors", "merged_new", 2),
    ]


# The optimistic fill: the "fail" keys are not checked by scans of their own before the fill.
# A remapped key's orphan shows in the fill's own join (no id-map row), a plain key's orphan
# in the foreign key validated after the fill (or, for a value equal to an id a merge gave,
# in the fill's bound on the parent's highest key); then the diagnosis counts, in load order,
# and the transaction rolls back.


def fail_key(column: str, parent: str, remap: bool = False) -> KeyFill:
    return KeyFill(
        column=column,
        target_table="person",
        target_column="id",
        parent=parent,
        parent_key="id",
        parent_value='p."id"',
        remap=remap,
        parent_type="INTEGER" if parent == "people" else "VARCHAR(36)",
        column_type="INTEGER" if parent == "people" else "VARCHAR(36)",
    )


def merge_mapping() -> tuple[DataMapping, tuple[tuple[str, str, str], ...]]:
    """people (integer ids) and guests (varchar ids, folded by e-mail) into person; notes
    refer to people (a plain key), plans to guests (remapped to the new ids)."""
    people = source("people", "person", "id", "email")
    guests = source("guests", "person", "id", "email", match=("email",), absorbed=True)
    notes = source("notes", "note", "id", "person_id", keys=(fail_key("person_id", "people"),))
    plans = RowSource(
        legacy="plans",
        unified="plan",
        role="carried",
        values=(
            *values("id"),
            ValueFill(column="guest_id", source="guest_id", value='s."guest_id"', casts=True),
        ),
        keys=(fail_key("guest_id", "guests", remap=True),),
        key="id",
        unified_key="id",
    )
    mapping = DataMapping(
        sources=(people, guests, notes, plans),
        legacy_tables=("guests", "notes", "people", "plans"),
        unmapped=(),
        created=("person", "note", "plan"),
        serials=(("person", "id"),),
    )
    fks = (
        (
            "note",
            "person_id",
            "op.create_foreign_key(None, 'note', 'person', ['person_id'], ['id'])",
        ),
        ("plan", "guest_id", "op.create_foreign_key(None, 'plan', 'person', ['guest_id'], ['id'])"),
    )
    return mapping, fks


MERGE = """
CREATE TABLE people (id integer PRIMARY KEY, email varchar(50));
CREATE TABLE guests (id varchar(36) PRIMARY KEY, email varchar(50));
CREATE TABLE notes (id integer PRIMARY KEY, person_id integer);
CREATE TABLE plans (id integer PRIMARY KEY, guest_id varchar(36) NOT NULL);
CREATE TABLE person (id serial PRIMARY KEY, email varchar(50));
CREATE TABLE note (id integer PRIMARY KEY, person_id integer);
CREATE TABLE plan (id integer PRIMARY KEY, guest_id integer NOT NULL);
INSERT INTO people VALUES (3, 'Ann@x.org'), (5, 'ann@X.org'), (9, 'bo@x.org');
INSERT INTO guests VALUES ('g1', 'ANN@X.ORG'), ('g2', 'cy@x.org'), ('g3', NULL);
"""


def run_all(
    conn: sa.Connection, mapping: DataMapping, fks: tuple[tuple[str, str, str], ...]
) -> None:
    """Every step of the upgrade, SQL and alembic ``op`` code, on ``conn``."""
    from alembic import op
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with Operations.context(MigrationContext.configure(connection=conn)):
        for step in upgrade_steps(mapping, {}, fks):
            for statement in step.sql:
                execute(conn, statement)
            for code in step.code:
                exec(code, {"op": op, "sa": sa})  # the revision's own op code


SCANS = (
    "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) "
    "FROM pg_stat_xact_user_tables WHERE relname IN ('notes', 'plans')"
)


def migrate_merge(url: URL, rows: str) -> dict[str, object]:
    """The merge mapping applied in one transaction, committed; what it left."""
    mapping, fks = merge_mapping()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
            for statement in (MERGE + rows).split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
        with engine.begin() as conn:
            # the scans this transaction makes (the view also counts recent ones not yet
            # flushed to the server's statistics: the difference is this transaction's)
            first = dict(conn.exec_driver_sql(SCANS).all())
            run_all(conn, mapping, fks)
            last = dict(conn.exec_driver_sql(SCANS).all())
            old_id = conn.exec_driver_sql(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                "CAST('unify_legacy.unify_idmap_guests' AS regclass) AND attname = 'old_id'"
            ).scalar_one()
            plan = conn.exec_driver_sql("SELECT id, guest_id FROM plan ORDER BY id").all()
            note = conn.exec_driver_sql("SELECT id, person_id FROM note ORDER BY id").all()
        return {
            "scans": {t: n - first.get(t, 0) for t, n in last.items()},
            "old_id": old_id,
            "plan": [tuple(r) for r in plan],
            "note": [tuple(r) for r in note],
        }
    finally:
        engine.dispose()


def legacy_state(url: URL) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.exec_driver_sql(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                    "ORDER BY 1, 2"
                )
            ]
    finally:
        engine.dispose()


CARRIED = "INSERT INTO notes VALUES (1, 3), (2, 9), (3, NULL);"
CARRIED += "INSERT INTO plans VALUES (1, 'g1'), (2, 'g2'), (3, 'g3')"


def test_the_id_map_is_keyed_by_the_legacy_keys_own_type(pg_database: URL) -> None:
    done = migrate_merge(pg_database, CARRIED)
    # plans.guest_id (varchar) joins it as it is, not by its text
    assert done["old_id"] == "character varying(36)"
    assert done["plan"] == [(1, 3), (2, 10), (3, 11)]
    assert done["note"] == [(1, 3), (2, 9), (3, None)]


def test_no_fail_key_is_checked_by_a_scan_of_its_own(pg_database: URL) -> None:
    done = migrate_merge(pg_database, CARRIED)
    # notes and plans: read by the ledger's row count and by the fill, nothing else
    assert done["scans"] == {"notes": 2, "plans": 2}


def test_a_remapped_orphan_under_fail_is_counted_and_rolls_everything_back(
    pg_database: URL,
) -> None:
    rows = "INSERT INTO plans VALUES (1, 'g1'), (2, 'g9'), (3, 'g9'), (4, 'g2')"
    with pytest.raises(
        Exception,
        match=r"plans\.guest_id: 2 row\(s\) whose value matches no row of person "
        r"\(orphans policy: fail\)",
    ):
        migrate_merge(pg_database, rows)
    # nothing of the upgrade stays: the legacy tables where they were, no unify_legacy
    tables = ("guests", "note", "notes", "people", "person", "plan", "plans")
    assert legacy_state(pg_database) == [("public", t) for t in tables]


def test_a_plain_orphan_is_caught_by_the_key_and_one_equal_to_a_new_id_by_the_bound(
    pg_database: URL,
) -> None:
    # 4 matches no person at all (the foreign key finds it); 10 is the id g2 gets in the
    # merge, but no legacy person had it: an orphan all the same (the fill's bound)
    for value, count in (("4", 1), ("10", 1), ("10), (5, 4), (6, 4", 3)):
        rows = f"INSERT INTO notes VALUES (1, 3), (2, NULL), (3, {value})"
        with pytest.raises(
            Exception,
            match=rf"notes\.person_id: {count} row\(s\) whose value matches no row of person",
        ):
            migrate_merge(pg_database, rows)


def test_the_first_orphaned_key_in_load_order_is_reported(pg_database: URL) -> None:
    # the plans' orphan shows first (in the fill), the notes' one only when the keys are
    # validated; the report names the notes, which load first, as a check before the fill did
    rows = "INSERT INTO notes VALUES (1, 4), (2, 4);"
    rows += "INSERT INTO plans VALUES (1, 'g9')"
    with pytest.raises(Exception, match=r"notes\.person_id: 2 row\(s\)"):
        migrate_merge(pg_database, rows)


def test_the_unified_tables_rows_are_counted_as_the_transaction_wrote_them(
    pg_database: URL,
) -> None:
    from unify.migration.apply import table_counts
    from unify.models import TableCount

    scans = "SELECT coalesce(seq_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'made'"
    engine = sa.create_engine(pg_database)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE made (id integer)")
            conn.exec_driver_sql("INSERT INTO made SELECT generate_series(1, 5)")
            conn.exec_driver_sql("INSERT INTO made VALUES (6), (7)")
            conn.exec_driver_sql("DELETE FROM made WHERE id = 7")
            first = conn.exec_driver_sql(scans).scalar_one()
            counts = table_counts(conn, (), ("made",))
            # the rows this transaction inserted less those it deleted, without a scan
            assert counts == (TableCount(table="made", rows=6, expected=0),)
            assert conn.exec_driver_sql(scans).scalar_one() == first
    finally:
        engine.dispose()
