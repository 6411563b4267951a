"""Alembic revision files are the schema's history: their classes and ``Table()`` objects are
the tables as they were when the revision ran, not models.  analyze lists none of them as a
model or a model module (so no duplicate of a live model is reported), keeps their imports,
and counts their tables as existing: a foreign key to a table only the history defines (a
framework's own table, such as Flask-AppBuilder's ``ab_user``) is not dangling."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.decisions import propose_plan

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Slice(db.Model):
    __tablename__ = "slices"
    id = db.Column(db.Integer, primary_key=True)
    slice_name = db.Column(db.String(250))
    params = db.Column(db.Text)
    created_by_fk = db.Column(db.Integer, db.ForeignKey("ab_user.id"))
    owner_fk = db.Column(db.Integer, db.ForeignKey("no_such_table.id"))
"""

REVISION = '''\
"""copy the slices' params"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.ext.declarative import declarative_base

from app.models import db

revision = "a1b2c3d4e5f6"
down_revision = "f6e5d4c3b2a1"

Base = declarative_base()


class Slice(Base):
    __tablename__ = "slices"
    id = sa.Column(sa.Integer, primary_key=True)
    slice_name = sa.Column(sa.String(250))
    params = sa.Column(sa.Text)


class User(Base):
    __tablename__ = "ab_user"
    id = sa.Column(sa.Integer, primary_key=True)


dashboards = sa.Table("dashboards", sa.MetaData(), sa.Column("id", sa.Integer))


def upgrade():
    op.execute("UPDATE slices SET params = '{}' WHERE params IS NULL")
'''


def test_a_revision_s_classes_and_tables_are_history_not_models(tmp_path: Path) -> None:
    repo = write_files(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "migrations/versions/a1b2c3d4e5f6_params.py": REVISION,
        },
    )
    inventory = analyze_repo(repo)
    assert [m.name for m in inventory.modules] == ["app.models"]
    assert [c.qualname for c in inventory.classes if not c.mixin] == ["app.models.Slice"]
    assert [t.table for t in inventory.tables] == []
    assert [t.table for t in inventory.history_tables] == ["ab_user", "dashboards", "slices"]
    rules = sorted(f.rule for f in inventory.findings)
    assert "duplicate-model" not in rules and "duplicate-table" not in rules
    # the live model's foreign key to a table only the history defines is not dangling; one
    # to a table nothing defines still is
    dangling = [f.objects[1] for f in inventory.findings if f.rule == "dangling-fk"]
    assert dangling == ["db.ForeignKey('no_such_table.id')"]
    # the revision still imports the model module: the rewrite must follow it
    assert [i.path for i in inventory.imports] == ["migrations/versions/a1b2c3d4e5f6_params.py"]
    plan = propose_plan(inventory)
    assert plan.legacy_modules == ("app.models",)
    assert [c.source for c in plan.classes] == ["app.models.Slice"]
