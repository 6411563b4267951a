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
            for statement in setup.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
            for step in upgrade_steps(mapping, {}, ()):
                assert not step.code
                for statement in step.sql:
                    execute(conn, statement)
            return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM child ORDER BY id")]
    finally:
        engine.dispose()


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
    def values(*names: str) -> tuple[ValueFill, ...]:
        return tuple(ValueFill(column=n, source=n, value=f's."{n}"') for n in names)

    people = RowSource(
        legacy="people",
        unified="person",
        role="carried",
        values=values("id", "email"),
        key="id",
        unified_key="id",
    )
    guests = RowSource(
        legacy="guests",
        unified="person",
        role="absorbed",
        values=values("id", "email"),
        key="id",
        unified_key="id",
        match=("email",),
    )
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
            for statement in setup.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
            for step in upgrade_steps(mapping, {}, ()):
                for statement in step.sql:
                    execute(conn, statement)
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
    def source(legacy: str, role: str, match: tuple[str, ...] = ()) -> RowSource:
        return RowSource(
            legacy=legacy,
            unified="person",
            role="absorbed" if role == "absorbed" else "carried",
            values=tuple(ValueFill(column=n, source=n, value=f's."{n}"') for n in ("id", "email")),
            key="id",
            unified_key="id",
            match=match,
        )

    mapping = DataMapping(
        sources=(
            source("people", "carried"),
            source("guests", "absorbed", ("email",)),
            source("visitors", "absorbed", ("email",)),
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
            for statement in setup.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
            for step in upgrade_steps(mapping, {}, ()):
                for statement in step.sql:
                    execute(conn, statement)
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
