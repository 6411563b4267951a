"""Table-level schema in the inventory: ``__table_args__`` constraints, ``Table()`` objects
(association tables), the summary's model count and ``dynamic_loader`` relationships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import write_files

from unify.analyze import analyze_repo
from unify.models import Inventory, ModelClass, TableDef
from unify.report.inventory import inventory_dict, sheets

BASE = (
    "from sqlalchemy import Column, Integer, String, ForeignKey, Table, Index, CheckConstraint\n"
    "from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, ForeignKeyConstraint\n"
    "from sqlalchemy.orm import declarative_base, relationship, dynamic_loader\n"
    "Base = declarative_base()\n"
)


def analyze(root: Path, files: dict[str, str]) -> Inventory:
    return analyze_repo(write_files(root, files))


def cls(inventory: Inventory, qualname: str) -> ModelClass:
    return next(c for m in inventory.modules for c in m.classes if c.qualname == qualname)


def table(inventory: Inventory, name: str) -> TableDef:
    return next(t for m in inventory.modules for t in m.tables if t.table == name)


CONSTRAINED = (
    BASE
    + """
class Run(Base):
    __tablename__ = 'runs'
    run_uuid = Column(String(32))
    name = Column(String(250))


class Tag(Base):
    __tablename__ = 'tags'
    key = Column(String(250))
    value = Column(String(5000), nullable=True)
    run_uuid = Column(String(32))
    step = Column(Integer, nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint('key', 'run_uuid', name='tag_pk'),
        ForeignKeyConstraint(['run_uuid'], ['runs.run_uuid']),
        UniqueConstraint('value', 'step', name='uq_value_step'),
        CheckConstraint('step >= 0', name='positive_step'),
        Index('ix_tag_value', 'value'),
        {'sqlite_autoincrement': True},
    )
"""
)


@pytest.mark.parametrize(
    "args",
    [
        "(PrimaryKeyConstraint('run_uuid'),)",
        "(PrimaryKeyConstraint('run_uuid'), {'extend_existing': True})",
        "[PrimaryKeyConstraint('run_uuid')]",
    ],
)
def test_a_primary_key_constraint_makes_key_columns(tmp_path: Path, args: str) -> None:
    source = (
        BASE
        + f"""
class Run(Base):
    __tablename__ = 'runs'
    run_uuid = Column(String(32))
    name = Column(String(250))
    __table_args__ = {args}
"""
    )
    inv = analyze(tmp_path, {"store.py": source})
    cols = {c.name: c for c in cls(inv, "store.Run").columns}
    assert (cols["run_uuid"].primary_key, cols["run_uuid"].nullable) == (True, False)
    assert (cols["name"].primary_key, cols["name"].nullable) == (False, True)
    kinds = [k.kind for k in cls(inv, "store.Run").constraints]
    assert kinds == ["primary_key"]


def test_table_args_constraints_are_inventoried(tmp_path: Path) -> None:
    inv = analyze(tmp_path, {"store.py": CONSTRAINED})
    tag = cls(inv, "store.Tag")
    cols = {c.name: c for c in tag.columns}
    assert [n for n, c in cols.items() if c.primary_key] == ["key", "run_uuid"]
    assert cols["key"].nullable is False and cols["value"].nullable is True
    shown = [(k.kind, k.name, k.columns, k.text) for k in tag.constraints]
    assert shown == [
        ("primary_key", "tag_pk", ("key", "run_uuid"), None),
        ("unique", "uq_value_step", ("value", "step"), None),
        ("check", "positive_step", (), "step >= 0"),
        ("index", "ix_tag_value", ("value",), None),
    ]
    (fk,) = tag.foreign_keys
    assert (fk.columns, fk.target_table, fk.target_columns) == (
        ("run_uuid",),
        "runs",
        ("run_uuid",),
    )
    assert not [f for f in inv.findings if f.code in ("U003", "U004")]


def test_a_dict_only_table_args_and_a_unique_index(tmp_path: Path) -> None:
    source = (
        BASE
        + """
class Run(Base):
    __tablename__ = 'runs'
    id = Column(Integer, primary_key=True)
    name = Column(String(250))
    __table_args__ = (Index('ix_name', name, unique=True), {'schema': None})


class Other(Base):
    __tablename__ = 'other'
    id = Column(Integer, primary_key=True)
    __table_args__ = {'sqlite_autoincrement': True}
"""
    )
    inv = analyze(tmp_path, {"store.py": source})
    (index,) = cls(inv, "store.Run").constraints
    assert (index.kind, index.columns, index.unique) == ("index", ("name",), True)
    assert cls(inv, "store.Other").constraints == ()


def test_a_table_args_fk_constraint_is_checked_like_a_column_fk(tmp_path: Path) -> None:
    source = (
        BASE
        + """
class Run(Base):
    __tablename__ = 'runs'
    run_uuid = Column(String(32), primary_key=True)


class Metric(Base):
    __tablename__ = 'metrics'
    run_id = Column(Integer)
    other = Column(String(32))
    __table_args__ = (
        PrimaryKeyConstraint('run_id'),
        ForeignKeyConstraint(['run_id'], ['runs.run_uuid']),
        ForeignKeyConstraint(['other'], ['runz.run_uuid']),
    )
"""
    )
    inv = analyze(tmp_path, {"store.py": source})
    codes = sorted(f.code for f in inv.findings if f.code in ("U003", "U004"))
    assert codes == ["U003", "U004"]


def test_a_fk_constraint_may_name_its_columns_by_class_attribute(tmp_path: Path) -> None:
    """``ForeignKeyConstraint([dag_id, run], [...])`` names its local columns by the class's
    attributes (Airflow's ``TaskMap``): each is read as its column's name, as the other
    constraints read theirs."""
    source = (
        BASE
        + """
class Run(Base):
    __tablename__ = 'runs'
    dag_id = Column(String(250), primary_key=True)
    run_id = Column(String(250), primary_key=True)


class RunMap(Base):
    __tablename__ = 'run_map'
    dag_id = Column(String(250), primary_key=True)
    run = Column('run_id', String(250), primary_key=True)
    length = Column(Integer)
    __table_args__ = (
        ForeignKeyConstraint(
            [dag_id, run], ['runs.dag_id', 'runs.run_id'], name='run_map_run_fkey'
        ),
    )
"""
    )
    inv = analyze(tmp_path, {"store.py": source})
    fks = cls(inv, "store.RunMap").foreign_keys
    assert [(fk.columns, fk.target_table, fk.target_columns) for fk in fks] == [
        (("dag_id", "run_id"), "runs", ("dag_id", "run_id"))
    ]
    assert [f.rule for f in inv.findings if f.rule in ("dangling-fk", "fk-type-mismatch")] == []


def test_a_custom_or_helper_type_is_not_judged_against_a_known_one(tmp_path: Path) -> None:
    """``StringID()`` (a helper returning ``String(250)``, Airflow's) against ``String(250)``:
    the source does not show its family, so no ``fk-type-mismatch``; two known families that
    differ still are one."""
    source = (
        BASE
        + """
def StringID():
    return String(250)


class Run(Base):
    __tablename__ = 'runs'
    run_id = Column(StringID(), primary_key=True)


class Counter(Base):
    __tablename__ = 'counters'
    no = Column(String(36), primary_key=True)


class Step(Base):
    __tablename__ = 'steps'
    id = Column(Integer, primary_key=True)
    run_id = Column(String(250), ForeignKey('runs.run_id'))
    counter_no = Column(Integer, ForeignKey('counters.no'))
"""
    )
    inv = analyze(tmp_path, {"store.py": source})
    mismatches = [f.objects[1] for f in inv.findings if f.rule == "fk-type-mismatch"]
    assert mismatches == ["steps.counter_no"]


ASSOCIATION = {
    "app/__init__.py": "",
    "app/db.py": (
        "from flask_sqlalchemy import SQLAlchemy\nimport sqlalchemy as sa\ndb = SQLAlchemy()\n"
    ),
    "app/models.py": """
from sqlalchemy import Table, Column, Integer, String, ForeignKey, PrimaryKeyConstraint
import sqlalchemy as sa
from app.db import db


class User(db.Model):
    __tablename__ = 'users'
    id = db.Column(db.Integer, primary_key=True)


class Role(db.Model):
    __tablename__ = 'roles'
    id = db.Column(db.String(36), primary_key=True)


user_roles = Table(
    'user_roles',
    db.metadata,
    Column('user_id', ForeignKey('users.id')),
    Column('role_id', Integer, ForeignKey('roles.id')),
    PrimaryKeyConstraint('user_id', 'role_id'),
)
user_groups = db.Table(
    'user_groups',
    Column('user_id', Integer, ForeignKey('users.id'), primary_key=True),
    Column('group_id', Integer, ForeignKey('groups.id'), primary_key=True),
)
role_links = sa.Table(
    'role_links',
    db.Model.metadata,
    sa.Column('role_id', sa.String(36), sa.ForeignKey('roles.id'), nullable=False),
    sa.UniqueConstraint('role_id'),
)
""",
}


def test_association_tables_of_every_form_are_inventoried(tmp_path: Path) -> None:
    inv = analyze(tmp_path, ASSOCIATION)
    roles = table(inv, "user_roles")
    cols = {c.name: c for c in roles.columns}
    assert [n for n, c in cols.items() if c.primary_key] == ["user_id", "role_id"]
    assert cols["user_id"].nullable is False and cols["user_id"].type == ""
    assert [(fk.columns, fk.target_table) for fk in roles.foreign_keys] == [
        (("user_id",), "users"),
        (("role_id",), "roles"),
    ]
    groups = table(inv, "user_groups")
    assert [c.name for c in groups.columns if c.primary_key] == ["user_id", "group_id"]
    links = table(inv, "role_links")
    assert [k.kind for k in links.constraints] == ["unique"]
    assert links.columns[0].nullable is False


def test_association_tables_are_checked_by_the_fk_rules(tmp_path: Path) -> None:
    inv = analyze(tmp_path, ASSOCIATION)
    found = sorted((f.code, f.objects[0]) for f in inv.findings if f.code in ("U003", "U004"))
    # groups does not exist; role_id Integer -> roles.id String(36)
    assert found == [("U003", "app.models.user_groups"), ("U004", "app.models.user_roles")]


def test_a_module_holding_only_tables_is_a_model_module(tmp_path: Path) -> None:
    files = {
        "models.py": BASE + "class User(Base):\n    __tablename__ = 'users'\n"
        "    id = Column(Integer, primary_key=True)\n",
        "links.py": "from sqlalchemy import Table, Column, Integer, ForeignKey\n"
        "from models import Base\n"
        "user_links = Table('user_links', Base.metadata,\n"
        "    Column('user_id', Integer, ForeignKey('users.idx')))\n",
    }
    inv = analyze(tmp_path, files)
    assert table(inv, "user_links").module == "links"
    assert any(f.code == "U003" and f.objects[0] == "links.user_links" for f in inv.findings)


def test_tables_of_same_named_modules_stay_with_their_file(tmp_path: Path) -> None:
    table_of = "from sqlalchemy import Table, Column, Integer\nfrom base import Base\n"
    files = {
        "one/base.py": BASE,
        "one/models.py": table_of + "a = Table('a', Base.metadata, Column('id', Integer))\n"
        "class X(Base):\n    __tablename__ = 'x'\n    id = Column(Integer, primary_key=True)\n",
        "two/base.py": BASE,
        "two/models.py": table_of + "b = Table('b', Base.metadata, Column('id', Integer))\n"
        "class Y(Base):\n    __tablename__ = 'y'\n    id = Column(Integer, primary_key=True)\n",
    }
    inv = analyze(tmp_path, files)
    by_path = {m.path: [t.table for t in m.tables] for m in inv.modules}
    assert by_path == {"one/models.py": ["a"], "two/models.py": ["b"]}


def test_the_json_and_the_tables_sheet_list_every_table(tmp_path: Path) -> None:
    files = {**ASSOCIATION, "app/store.py": CONSTRAINED.replace("'runs'", "'store_runs'")}
    files["app/store.py"] = files["app/store.py"].replace("['runs.", "['store_runs.")
    inv = analyze(tmp_path, files)
    data = json.loads(json.dumps(inventory_dict(inv)))
    tables = {t["table"]: t for t in data["tables"]}
    assert sorted(tables) == sorted(
        ["users", "roles", "user_roles", "user_groups", "role_links", "store_runs", "tags"]
    )
    tags = tables["tags"]
    assert (tags["kind"], tags["owner"], tags["primary_key"]) == (
        "model",
        "app.store.Tag",
        ["key", "run_uuid"],
    )
    assert [c["name"] for c in tags["columns"]] == ["key", "value", "run_uuid", "step"]
    assert tags["foreign_keys"][0]["target_table"] == "store_runs"
    assert [k["kind"] for k in tags["constraints"]] == ["primary_key", "unique", "check", "index"]
    assert tables["user_roles"]["kind"] == "table"
    assert tables["user_roles"]["owner"] == "app.models.user_roles"
    assert data["summary"]["tables"] == 7
    header, rows = sheets(inv)["Tables"]
    by_table = {row[header.index("table")]: row for row in rows}
    assert sorted(by_table) == sorted(tables)
    tag_row = by_table["tags"]
    assert tag_row[header.index("primary_key")] == "key, run_uuid"
    assert tag_row[header.index("unique")] == "uq_value_step (value, step)"
    assert tag_row[header.index("indexes")] == "ix_tag_value (value)"
    assert tag_row[header.index("checks")] == "positive_step: step >= 0"
    col_header, col_rows = sheets(inv)["Columns"]
    assert any(
        r[col_header.index("table")] == "user_roles" and r[col_header.index("name")] == "role_id"
        for r in col_rows
    )


MIXIN = (
    BASE
    + """
class TimestampMixin:
    created = Column(Integer)
    updated = Column(Integer)


class Thing(TimestampMixin, Base):
    __tablename__ = 'things'
    id = Column(Integer, primary_key=True)


class AbstractBase(Base):
    __abstract__ = True
    id = Column(Integer, primary_key=True)


class Widget(AbstractBase):
    __tablename__ = 'widgets'
    parent_id = Column(Integer, ForeignKey('things.id'))
    children = dynamic_loader('Thing')
"""
)


def test_the_summary_counts_mapped_classes_only(tmp_path: Path) -> None:
    inv = analyze(tmp_path, {"models.py": MIXIN})
    summary = inventory_dict(inv)["summary"]
    assert (summary["models"], summary["mixins"]) == (2, 2)


def test_dynamic_loader_relationships_are_inventoried(tmp_path: Path) -> None:
    inv = analyze(tmp_path, {"models.py": MIXIN})
    (rel,) = cls(inv, "models.Widget").relationships
    assert (rel.attr, rel.target) == ("children", "Thing")


def test_a_plain_class_with_a_tablename_is_a_mixin_whose_table_its_model_takes(
    tmp_path: Path,
) -> None:
    source = """
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declared_attr
db = SQLAlchemy()


class Account(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class ExtensionMixin(object):
    __tablename__ = 'account_extension'

    @declared_attr
    def id(cls):
        return Column(None, ForeignKey('account.id'), primary_key=True)


class Extension(db.Model, ExtensionMixin):
    note = Column(Integer)
"""
    inv = analyze(tmp_path, {"models.py": source})
    assert cls(inv, "models.ExtensionMixin").mixin
    assert cls(inv, "models.Extension").table == "account_extension"
    summary = inventory_dict(inv)["summary"]
    assert (summary["models"], summary["mixins"], summary["tables"]) == (2, 1, 2)


def test_table_args_of_a_mixin_count_for_its_models(tmp_path: Path) -> None:
    source = (
        BASE
        + """
class KeyedMixin:
    key = Column(String(20))
    owner = Column(String(20))
    __table_args__ = (PrimaryKeyConstraint('key', 'owner'), Index('ix_owner', 'owner'))


class Setting(KeyedMixin, Base):
    __tablename__ = 'settings'
    value = Column(String(200))
"""
    )
    inv = analyze(tmp_path, {"models.py": source})
    setting = cls(inv, "models.Setting")
    assert [c.name for c in setting.columns if c.primary_key] == ["key", "owner"]
    assert [k.kind for k in setting.constraints] == ["primary_key", "index"]
