"""The inventory analyze builds: classes, columns, keys, relationships, aliases, imports."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from clihelp import write_files

from unify.analyze import analyze_repo
from unify.errors import InputError
from unify.models import Inventory, ModelClass

DB = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"


def analyze(root: Path, files: dict[str, str]) -> Inventory:
    return analyze_repo(write_files(root, files))


def cls(inventory: Inventory, qualname: str) -> ModelClass:
    return next(c for m in inventory.modules for c in m.classes if c.qualname == qualname)


def test_legacy_column_style(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
import uuid
class MVPUser(db.Model):
    __tablename__ = 'mvp_users'
    id = db.Column(db.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    email = db.Column('email_address', db.String(120), unique=True, nullable=False, index=True)
    note = db.Column(db.Text)
    org_id = db.Column(db.Integer, db.ForeignKey('org.id', ondelete='CASCADE'))
""",
        },
    )
    user = cls(inv, "models.MVPUser")
    assert user.table == "mvp_users" and user.table_explicit
    cols = {c.attr: c for c in user.columns}
    assert (cols["id"].type, cols["id"].primary_key, cols["id"].nullable) == (
        "String(36)",
        True,
        False,
    )
    assert cols["id"].has_default
    email = cols["email"]
    assert (email.name, email.unique, email.index, email.nullable) == (
        "email_address",
        True,
        True,
        False,
    )
    assert cols["note"].nullable is True and cols["note"].type_name == "Text"
    assert cols["org_id"].foreign_key == "org.id" and cols["org_id"].style == "column"
    (fk,) = user.foreign_keys
    assert (fk.table, fk.columns, fk.target_table, fk.target_columns) == (
        "mvp_users",
        ("org_id",),
        "org",
        ("id",),
    )


def test_mapped_column_style(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": """
                from datetime import datetime
                from typing import Optional
                from sqlalchemy import ForeignKey, String
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

                class Base(DeclarativeBase):
                    pass

                class Objective(Base):
                    __tablename__ = 'learning_objectives'
                    id: Mapped[int] = mapped_column(primary_key=True)
                    title: Mapped[str] = mapped_column(String(200))
                    note: Mapped[Optional[str]]
                    due: Mapped[datetime | None] = mapped_column()
                    plan_id: Mapped[int] = mapped_column(ForeignKey('plans.id'))
                    plan: Mapped["Plan"] = relationship(back_populates="objectives")

                class Plan(Base):
                    __tablename__ = 'plans'
                    id: Mapped[int] = mapped_column(primary_key=True)
                    objectives: Mapped[list["Objective"]] = relationship(back_populates="plan")

                class NoTable(Base):
                    __abstract__ = True
            """,
        },
    )
    objective = cls(inv, "models.Objective")
    cols = {c.attr: c for c in objective.columns}
    assert {a: (c.type, c.nullable) for a, c in cols.items()} == {
        "id": ("Integer", False),
        "title": ("String(200)", False),
        "note": ("String", True),
        "due": ("DateTime", True),
        "plan_id": ("Integer", False),
    }
    assert all(c.style == "mapped_column" for c in objective.columns)
    assert [(r.attr, r.target, r.back_populates) for r in objective.relationships] == [
        ("plan", "Plan", "objectives")
    ]
    assert cls(inv, "models.Plan").relationships[0].target == "Objective"
    assert cls(inv, "models.NoTable").abstract
    assert "Base" not in [c.name for m in inv.modules for c in m.classes]


def test_table_names_flask_default_and_declarative(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
class CompetencyAssessmentResult(db.Model):
    id = db.Column(db.Integer, primary_key=True)
class HTTPLog(db.Model):
    id = db.Column(db.Integer, primary_key=True)
""",
            "plain.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declarative_base
                Base = declarative_base()
                class Thing(Base):
                    id = Column(Integer, primary_key=True)
            """,
        },
    )
    assert cls(inv, "models.CompetencyAssessmentResult").table == "competency_assessment_result"
    assert cls(inv, "models.HTTPLog").table == "http_log"
    assert cls(inv, "plain.Thing").table is None  # plain declarative needs __tablename__


def test_mixins_relationships_and_tables(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
class TimestampMixin:
    created_at = db.Column(db.DateTime)
role_competency = db.Table(
    'role_competency',
    db.Column('role_id', db.Integer, db.ForeignKey('role.id'), primary_key=True),
    db.Column('competency_id', db.Integer, db.ForeignKey('competency.id'), primary_key=True),
)
class Competency(db.Model):
    id = db.Column(db.Integer, primary_key=True)
class Role(TimestampMixin, db.Model):
    __table_args__ = (db.UniqueConstraint('name'), {'extend_existing': True})
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
    competencies = db.relationship(
        'Competency', secondary=role_competency, backref=db.backref('roles', lazy='dynamic'),
        foreign_keys='[Role.id]',
    )
""",
        },
    )
    role = cls(inv, "models.Role")
    assert role.bases == ("TimestampMixin", "db.Model")
    assert [(c.attr, c.from_mixin) for c in role.columns][-1] == ("created_at", "TimestampMixin")
    assert role.extend_existing and role.table_args == ("UniqueConstraint('name')",)
    (rel,) = role.relationships
    assert (rel.target, rel.secondary, rel.backref, rel.foreign_keys) == (
        "Competency",
        "role_competency",
        "roles",
        ("[Role.id]",),
    )
    (module,) = inv.modules
    (table,) = module.tables
    assert (table.name, table.table, len(table.columns)) == (
        "role_competency",
        "role_competency",
        2,
    )
    assert {fk.target_table for fk in table.foreign_keys} == {"role", "competency"}
    assert cls(inv, "models.TimestampMixin").mixin
    assert inv.findings == ()


def test_aliases_guards_and_exports(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "unified_models.py": DB
            + "class Competency(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "models.py": """
                from unified_models import db
                try:
                    from unified_models import Competency as SECompetency
                except ImportError:
                    class SECompetency:
                        pass
                class User(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                Person = User
            """,
        },
    )
    module = next(m for m in inv.modules if m.name == "models")
    assert [(a.name, a.target, a.kind, a.guarded) for a in module.aliases] == [
        ("SECompetency", "unified_models.Competency", "import-as", True),
        ("Person", "models.User", "assign", False),
    ]
    assert [s.name for s in module.other_classes] == ["SECompetency"]
    assert {"db", "SECompetency", "User", "Person"} <= set(module.exports)
    assert {(r.name, r.source) for r in module.reexports} == {
        ("db", "unified_models"),
        ("SECompetency", "unified_models"),
    }


def test_import_forms_and_contexts(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "app/routes.py": """
                from .models import User
                from app.models import (  # the user model
                    User as U,
                    db,
                )
                import app.models
                import app.models as m
                from app import models
                with open('x') as fh:
                    if fh:
                        from app.models import *
                def view():
                    try:
                        from app.models import User
                    except ImportError:
                        pass
            """,
        },
    )
    rows = [(i.line, i.form, i.written, i.level, i.context) for i in inv.imports]
    assert rows == [
        (2, "from", ".models", 1, ()),
        (3, "from", "app.models", 0, ()),
        (7, "import", "app.models", 0, ()),
        (8, "import-as", "app.models", 0, ()),
        (9, "from", "app", 0, ()),
        (12, "from-star", "app.models", 0, ("with", "if")),
        (15, "from", "app.models", 0, ("function", "try")),
    ]
    assert all(i.target == "app.models" and i.importer == "app.routes" for i in inv.imports)
    assert [(n.name, n.asname) for n in inv.imports[1].names] == [("User", "U"), ("db", None)]


def test_uses_through_a_dotted_module_import(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db/__init__.py": "",
            "app/db/models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "app/tasks.py": """
                import app.db.models
                import os.path

                def run(key):
                    app.db.models.User.query.filter_by(name=key).first().email.lower()
                    app.db.models.Missing.id
                    os.path.sep.join([])
                    return app.db.models.User.id.desc()
            """,
        },
    )
    # in the walk's (breadth-first) order: the return's shallower chain first
    assert [(u.line, u.model, u.attr, u.via, u.kind) for u in inv.attribute_uses] == [
        (9, "app.db.models.User", "id", "app.db.models.User", "attribute"),
        (6, "app.db.models.User", "name", "app.db.models.User", "filter_by"),
        (6, "app.db.models.User", "query", "app.db.models.User", "attribute"),
    ]
    assert [(a.line, a.via, a.name, a.status) for a in inv.module_attributes] == [
        (6, "app.db.models", "User", "defined"),
        (7, "app.db.models", "Missing", "missing"),
        (9, "app.db.models", "User", "defined"),
    ]


def test_same_named_module_under_another_root(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "backend/models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "backend/routes.py": "from models import User\n",
            "tools/models.py": "class Options:\n    pass\n",
            "tools/cli.py": "from models import Options, User\n",
        },
    )
    assert [m.path for m in inv.modules] == ["backend/models.py"]
    assert [(i.path, i.target) for i in inv.imports] == [("backend/routes.py", "models")]
    assert not [f for f in inv.findings if f.rule == "broken-import"]


def test_models_option_takes_dotted_names_and_paths(tmp_path: Path) -> None:
    files = {
        "a_models.py": DB
        + "class A(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
        "b_models.py": "from a_models import db\n"
        "class B(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
    }
    root = tmp_path / "repo"
    analyze(root, files)
    assert [m.name for m in analyze_repo(root, models=("b_models",)).modules] == ["b_models"]
    by_path = analyze_repo(root, models=(str(root / "a_models.py"),))
    assert [m.name for m in by_path.modules] == ["a_models"]
    with pytest.raises(InputError, match=r"--models nope: no such module"):
        analyze_repo(root, models=("nope",))


def test_bad_input_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        analyze_repo(tmp_path / "missing")
    (tmp_path / "file.py").write_text("x = 1\n")
    with pytest.raises(InputError, match="not a folder"):
        analyze_repo(tmp_path / "file.py")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README").write_text("no python here\n")
    with pytest.raises(InputError, match="no Python files"):
        analyze_repo(tmp_path / "empty")
    os.symlink(tmp_path / "loop_b", tmp_path / "loop_a")
    os.symlink(tmp_path / "loop_a", tmp_path / "loop_b")
    with pytest.raises(InputError, match="symlink loop"):
        analyze_repo(tmp_path / "loop_a")


def test_symlink_loop_inside_the_repo_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    analyze(root, {"models.py": DB})
    os.symlink(root / "sub", root / "sub2")
    os.symlink(root / "sub2", root / "sub")
    inv = analyze_repo(root)
    assert inv.files_scanned == 1


@pytest.mark.parametrize("package", ["sqlalchemy", "flask_sqlalchemy", "alembic"])
def test_real_packages_do_not_crash(package: str) -> None:
    """Robustness on large real code bases: every file parses and nothing raises."""
    module = __import__(package)
    inv = analyze_repo(Path(module.__file__).parent)  # type: ignore[arg-type]
    assert inv.files_scanned > 5
    assert not [f for f in inv.findings if f.rule == "parse-error"]


def test_column_sheet_shows_a_type_taken_from_the_foreign_key(tmp_path: Path) -> None:
    from unify.report.inventory import sheets

    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + textwrap.dedent(
                """
                class User(db.Model):
                    __tablename__ = 'user'
                    id = db.Column(db.Integer, primary_key=True)
                class Extra(db.Model):
                    __tablename__ = 'extra'
                    id = db.Column(None, db.ForeignKey('user.id'), primary_key=True)
                """
            ),
        },
    )
    header, rows = sheets(inv)["Columns"]
    types = {(r[1], r[3]): r[header.index("type")] for r in rows}
    assert types == {("User", "id"): "Integer", ("Extra", "id"): "(from FK)"}
    assert cls(inv, "models.Extra").columns[0].type == ""


def test_a_chosen_file_wins_over_a_same_named_module(tmp_path: Path) -> None:
    """Separate apps each with ``app/models.py`` (one dotted name): with ``--models`` the
    chosen file's classes are the ones inventoried, all of them models."""
    one = DB + "class Contact(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    two = one.replace("primary_key=True)", "primary_key=True)\n    name = db.Column(db.String)")
    two += "class Gender(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    write_files(
        tmp_path,
        {
            "one/app/__init__.py": "",
            "one/app/models.py": one,
            "two/app/__init__.py": "",
            "two/app/models.py": two,
        },
    )
    inv = analyze_repo(tmp_path, models=("two/app/models.py",))
    (module,) = inv.modules
    assert module.path == "two/app/models.py"
    kinds = {c.name: (c.mixin, len(c.columns)) for c in module.classes}
    assert kinds == {"Contact": (False, 2), "Gender": (False, 1)}
    assert not [f for f in inv.findings if f.rule == "non-model-class"]


def test_dynamic_loader_is_a_relationship(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
from sqlalchemy.orm import dynamic_loader
class Team(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    members = dynamic_loader('Member', backref='team')
class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey('team.id'))
""",
            "views.py": "from models import Member\nprint(Member.team)\n",
        },
    )
    team = cls(inv, "models.Team")
    (rel,) = team.relationships
    assert (rel.attr, rel.target, rel.backref) == ("members", "Member", "team")
    assert "members" not in team.members
    # the backref gives Member a ``team``: no attribute-drift for Member.team
    assert not [f for f in inv.findings if f.rule == "attribute-drift"]
