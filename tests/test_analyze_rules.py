"""Each analyze rule fires on a tiny positive repo and stays silent on a near miss."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelp import write_files

from unify.analyze import analyze_repo
from unify.findings import RULES
from unify.models import Finding, Inventory, Severity

DB = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"


def analyze(root: Path, files: dict[str, str]) -> Inventory:
    return analyze_repo(write_files(root, files))


def hits(inventory: Inventory, rule: str) -> list[Finding]:
    return [f for f in inventory.findings if f.rule == rule]


def test_catalogue_codes_are_unique_and_kebab_case() -> None:
    codes = [r.code for r in RULES.values()]
    assert len(codes) == len(set(codes))
    assert all(name == name.lower() and " " not in name for name in RULES)
    for rule in ("dangling-fk", "fk-type-mismatch", "duplicate-table", "import-cycle"):
        assert RULES[rule].severity is Severity.ERROR


# ---------------------------------------------------------------------------
# dangling-fk / fk-type-mismatch
# ---------------------------------------------------------------------------

ORG = """
from db_setup import db
class Organization(db.Model):
    __tablename__ = 'organization'
    id = db.Column(db.Integer, primary_key=True)
"""


def test_dangling_fk_suggests_the_singular(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "users.py": """
                from db_setup import db
                class Member(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    organization_id = db.Column(db.Integer, db.ForeignKey('organizations.id'))
            """,
        },
    )
    (found,) = hits(inv, "dangling-fk")
    assert found.path == "users.py" and found.line == 5
    assert "'organizations'" in found.message and "did you mean 'organization'" in found.message
    assert found.severity is Severity.ERROR and found.code == RULES["dangling-fk"].code


def test_dangling_fk_silent_when_the_table_exists(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "users.py": """
                from db_setup import db
                from org import Organization
                class Member(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
                    org2 = db.Column(db.Integer, db.ForeignKey(Organization.id))
                    org3 = db.Column(db.Integer, db.ForeignKey(Organization.__table__.c.id))
            """,
        },
    )
    assert hits(inv, "dangling-fk") == []
    assert hits(inv, "fk-type-mismatch") == []
    (member,) = [c for m in inv.modules for c in m.classes if c.name == "Member"]
    assert [fk.target_table for fk in member.foreign_keys] == ["organization"] * 3
    assert [fk.form for fk in member.foreign_keys] == ["string", "attribute", "attribute"]


def test_dangling_fk_on_a_missing_column(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "users.py": """
                from db_setup import db
                class Member(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    organization_id = db.Column(db.Integer, db.ForeignKey('organization.uid'))
            """,
        },
    )
    (found,) = hits(inv, "dangling-fk")
    assert "'organization.uid'" in found.message


def test_fk_type_mismatch_integer_vs_string36(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "plans.py": """
                from db_setup import db
                class Plan(db.Model):
                    __tablename__ = 'plans'
                    id = db.Column(db.String(36), primary_key=True)
                    organization_id = db.Column(db.String(36), db.ForeignKey('organization.id'))
            """,
        },
    )
    (found,) = hits(inv, "fk-type-mismatch")
    assert found.path == "plans.py" and found.line == 6
    assert "String(36)" in found.message and "Integer" in found.message


def test_fk_type_mismatch_silent_for_same_family(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "plans.py": """
                from db_setup import db
                import sqlalchemy as sa
                class Plan(db.Model):
                    __tablename__ = 'plans'
                    id = db.Column(db.Integer, primary_key=True)
                    organization_id = db.Column(sa.BigInteger, sa.ForeignKey('organization.id'))
            """,
        },
    )
    assert hits(inv, "fk-type-mismatch") == []


@pytest.mark.parametrize(
    ("key", "referencing"),
    [
        ("mysql.INTEGER(display_width=11)", "db.Integer"),
        ("mysql.MEDIUMINT(unsigned=True)", "db.Integer"),
        ("mysql.TINYINT(4)", "db.SmallInteger"),
        ("mysql.VARCHAR(length=36, collation='utf8mb4_bin')", "db.String(36)"),
        ("mysql.MEDIUMTEXT()", "db.Text"),
        ("mysql.LONGTEXT", "db.Text"),
        ("mysql.TINYTEXT", "db.String(255)"),
        ("MediumText()", "db.Text"),
        ("mysql.MEDIUMBLOB", "db.LargeBinary"),
        ("mysql.LONGBLOB()", "db.LargeBinary"),
    ],
)
def test_fk_type_mismatch_silent_for_mysql_types_of_the_same_family(
    tmp_path: Path, key: str, referencing: str
) -> None:
    """MySQL's sized and dialect types (``TINYINT``, ``MEDIUMTEXT``, ``LONGBLOB``, ...) are
    of the family of the generic type they store as (integer, string, binary)."""
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "keys.py": f"""
                from sqlalchemy.dialects import mysql
                from db_setup import db
                from texts import MediumText
                class Key(db.Model):
                    __tablename__ = 'keys'
                    id = db.Column({key}, primary_key=True)
            """,
            "texts.py": "def MediumText():\n    return None\n",
            "uses.py": f"""
                from db_setup import db
                class Use(db.Model):
                    __tablename__ = 'uses'
                    id = db.Column(db.Integer, primary_key=True)
                    key_id = db.Column({referencing}, db.ForeignKey('keys.id'))
            """,
        },
    )
    assert hits(inv, "fk-type-mismatch") == []


@pytest.mark.parametrize("first", ["db.Column(None, ", "db.Column("])
def test_fk_column_without_type_takes_the_key_type(tmp_path: Path, first: str) -> None:
    """``Column(None, ForeignKey(...))`` and ``Column(ForeignKey(...))``: SQLAlchemy copies
    the referenced column's type, so there is no mismatch and the type is left empty."""
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "plans.py": f"""
                from db_setup import db
                class Plan(db.Model):
                    __tablename__ = 'plans'
                    id = {first}db.ForeignKey('organization.id'), primary_key=True)
            """,
        },
    )
    assert hits(inv, "fk-type-mismatch") == []
    (plan,) = [c for m in inv.modules for c in m.classes if c.name == "Plan"]
    (col,) = plan.columns
    assert (col.type, col.type_name, col.foreign_key) == ("", "", "organization.id")


def test_fk_constraint_in_table_args_is_checked(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "org.py": ORG,
            "plans.py": """
                from db_setup import db
                class Plan(db.Model):
                    __tablename__ = 'plans'
                    __table_args__ = (db.ForeignKeyConstraint(['org_id'], ['organisation.id']),)
                    id = db.Column(db.Integer, primary_key=True)
                    org_id = db.Column(db.Integer)
            """,
        },
    )
    (found,) = hits(inv, "dangling-fk")
    assert "did you mean 'organization'" in found.message
    (plan,) = inv.modules[[m.name for m in inv.modules].index("plans")].classes
    assert plan.foreign_keys[0].form == "constraint"


# ---------------------------------------------------------------------------
# duplicate-table / duplicate-model
# ---------------------------------------------------------------------------


def test_duplicate_table_and_model(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "a.py": """
                from db_setup import db
                class Competency(db.Model):
                    __tablename__ = 'competency'
                    id = db.Column(db.Integer, primary_key=True)
            """,
            "b.py": """
                from db_setup import db
                class Competency(db.Model):
                    __tablename__ = 'competency'
                    __table_args__ = {'extend_existing': True}
                    extra = db.Column(db.String(50))
            """,
        },
    )
    (dup,) = hits(inv, "duplicate-table")
    assert "a.Competency" in dup.message and "b.Competency" in dup.message
    assert "extend_existing" in dup.message
    (model,) = hits(inv, "duplicate-model")
    assert set(model.objects) == {"a.Competency", "b.Competency"}


def test_single_table_inheritance_is_not_a_duplicate(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "a.py": """
                from db_setup import db
                class Person(db.Model):
                    __tablename__ = 'person'
                    id = db.Column(db.Integer, primary_key=True)
                    kind = db.Column(db.String(20))
                class Engineer(Person):
                    level = db.Column(db.Integer)
            """,
        },
    )
    assert hits(inv, "duplicate-table") == []
    engineer = next(c for c in inv.modules[0].classes if c.name == "Engineer")
    assert engineer.table == "person" and not engineer.table_explicit


def test_duplicate_model_by_name_and_columns(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "db_setup.py": DB,
            "models.py": """
                from db_setup import db
                class User(db.Model):
                    __tablename__ = 'users'
                    id = db.Column(db.Integer, primary_key=True)
                    email = db.Column(db.String(120))
                    password_hash = db.Column(db.String(128))
                class AppUser(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    username = db.Column(db.String(50))
            """,
            "mvp_models.py": """
                from db_setup import db
                class MVPUser(db.Model):
                    __tablename__ = 'mvp_users'
                    id = db.Column(db.String(36), primary_key=True)
                    email = db.Column(db.String(120))
                    password_hash = db.Column(db.String(128))
                class MVPAssessment(db.Model):
                    id = db.Column(db.String(36), primary_key=True)
                    email = db.Column(db.String(120))
            """,
        },
    )
    found = hits(inv, "duplicate-model")
    assert [set(f.objects) for f in found] == [{"models.User", "mvp_models.MVPUser"}]
    assert found[0].severity is Severity.WARNING


# ---------------------------------------------------------------------------
# import-cycle
# ---------------------------------------------------------------------------


def test_import_cycle_between_model_modules(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
try:
    from unified_models import Competency as SECompetency
except ImportError:
    class SECompetency:
        pass
class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
""",
            "unified_models.py": """
                db = None
                def _get_db():
                    global db
                    from models import db as shared
                    db = shared
                _get_db()
                class Competency(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
            """,
        },
    )
    (cycle,) = hits(inv, "import-cycle")
    assert set(cycle.objects) == {"models", "unified_models"}
    assert cycle.path == "models.py" and cycle.line == 5
    assert "unified_models.py:5" in cycle.message


def test_no_cycle_for_one_way_imports(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "other_models.py": """
                from models import db, User
                class Item(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
            """,
        },
    )
    assert hits(inv, "import-cycle") == []


# ---------------------------------------------------------------------------
# broken-import / reexport / star-import
# ---------------------------------------------------------------------------

MODELS = (
    DB
    + """
from helpers import slugify
class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
def get_user(uid):
    return User.query.get(uid)
"""
)
MVP = """
from models import db, User
class MVPUser(db.Model):
    id = db.Column(db.String(36), primary_key=True)
"""


def test_broken_import_inside_a_function(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "script.py": """
                def load():
                    from models import User, QuestionnaireTemplate
                    return User, QuestionnaireTemplate
            """,
        },
    )
    (found,) = hits(inv, "broken-import")
    assert found.path == "script.py" and found.line == 3
    assert "QuestionnaireTemplate" in found.message
    (imp,) = [i for i in inv.imports if i.path == "script.py"]
    assert imp.context == ("function",)
    assert [(n.name, n.status) for n in imp.names] == [
        ("User", "defined"),
        ("QuestionnaireTemplate", "missing"),
    ]


def test_reexport_through_a_model_module_and_a_module_alias(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "mvp_models.py": MVP,
            "routes.py": """
                from mvp_models import db, MVPUser
                import mvp_models as mvp
                def f():
                    return mvp.User, mvp.MVPUser
            """,
        },
    )
    found = hits(inv, "reexport")
    assert [(f.path, f.line, f.objects[1]) for f in found] == [
        ("routes.py", 2, "db"),
        ("routes.py", 5, "User"),
    ]
    assert "models" in found[0].message


def test_reexport_silent_for_the_defining_module(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "mvp_models.py": MVP,
            "routes.py": "from models import db, User\nfrom mvp_models import MVPUser\n",
        },
    )
    assert hits(inv, "reexport") == [] and hits(inv, "broken-import") == []


def test_star_import_names_what_it_supplies(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "routes.py": """
                from models import *
                def view(uid):
                    return get_user(uid) or User(), db.session
            """,
        },
    )
    (found,) = hits(inv, "star-import")
    assert found.line == 2
    assert "User, db, get_user" in found.message
    (imp,) = [i for i in inv.imports if i.form == "from-star"]
    assert [n.name for n in imp.names] == ["User", "db", "get_user"]


def test_no_star_finding_for_explicit_imports(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "routes.py": "from models import User, get_user\n",
        },
    )
    assert hits(inv, "star-import") == []


# ---------------------------------------------------------------------------
# unresolved-relationship / attribute-drift
# ---------------------------------------------------------------------------


def test_unresolved_relationship(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
class Competency(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    plans = db.relationship('LearningPlans')
class LearningPlan(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    competency = db.relationship('Competency', backref='learning_plans')
""",
        },
    )
    (found,) = hits(inv, "unresolved-relationship")
    assert found.line == 6 and "did you mean 'LearningPlan'" in found.message


DRIFT_MODELS = (
    DB
    + """
class TimestampMixin:
    created_at = db.Column(db.DateTime)
class Result(TimestampMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    submitted_at = db.Column(db.DateTime)
    def to_dict(self):
        return {}
    @property
    def label(self):
        return ''
class Owner(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    results = db.relationship('Result', backref='owner')
Assessment = Result
"""
)


def test_attribute_drift_through_an_alias(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DRIFT_MODELS,
            "admin.py": """
                import models as m
                def export(aid):
                    rows = m.Assessment.query.filter_by(assessment_id=aid).all()
                    return sorted(rows, key=lambda r: m.Assessment.score)
            """,
        },
    )
    found = hits(inv, "attribute-drift")
    assert [(f.line, f.objects) for f in found] == [
        (4, ("models.Result", "assessment_id")),
        (5, ("models.Result", "score")),
    ]
    assert "via m.Assessment" in found[0].message


def test_attribute_drift_silent_for_members_mixins_and_backrefs(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DRIFT_MODELS,
            "admin.py": """
                from models import Result, Assessment
                from sqlalchemy.orm import Session
                def export(session: Session):
                    Result.query.filter_by(submitted_at=None, id=1)
                    session.query(Assessment).filter_by(created_at=None).first()
                    return (Result.created_at, Result.to_dict, Result.label, Result.owner,
                            Result.__table__, Assessment.metadata)
            """,
        },
    )
    assert hits(inv, "attribute-drift") == []


def test_attribute_drift_skips_classes_with_unknown_bases(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
from somewhere_else import FancyMixin
class Thing(FancyMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
""",
            "use.py": "from models import Thing\nThing.fancy_attr\n",
        },
    )
    assert hits(inv, "attribute-drift") == []


BASE_IN_ITS_OWN_MODULE = {
    "app/__init__.py": "",
    "app/db.py": """
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            def to_dict(self):
                return {}
    """,
    "app/models.py": """
        from sqlalchemy import Integer, String
        from sqlalchemy.orm import Mapped, mapped_column
        from app.db import Base
        class Widget(Base):
            __tablename__ = "widgets"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
    """,
}


def test_attribute_drift_for_a_base_defined_in_a_non_model_module(tmp_path: Path) -> None:
    files = dict(BASE_IN_ITS_OWN_MODULE)
    files["app/views.py"] = """
        from app.models import Widget
        def show(session):
            session.query(Widget).filter_by(missing=1).all()
            return Widget.missing_attr
    """
    found = hits(analyze(tmp_path, files), "attribute-drift")
    assert sorted((f.line, f.objects) for f in found) == [
        (4, ("app.models.Widget", "missing")),
        (5, ("app.models.Widget", "missing_attr")),
    ]


def test_attribute_drift_silent_for_members_of_a_base_in_its_own_module(tmp_path: Path) -> None:
    files = dict(BASE_IN_ITS_OWN_MODULE)
    files["app/views.py"] = """
        from app.models import Widget
        def show(session):
            session.query(Widget).filter_by(name="x").all()
            return Widget.name, Widget.id, Widget.to_dict, Widget.metadata
    """
    assert hits(analyze(tmp_path, files), "attribute-drift") == []


# ---------------------------------------------------------------------------
# model-alias / non-model-class / dynamic-import / parse-error / other files
# ---------------------------------------------------------------------------


def test_model_alias_and_non_model_class(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DRIFT_MODELS
            + """
class CompetencyCompat:
    pass
def helper():
    pass
""",
        },
    )
    (alias,) = hits(inv, "model-alias")
    assert alias.objects == ("models.Assessment", "models.Result")
    cls, func = hits(inv, "non-model-class")
    assert "class models.CompetencyCompat" in cls.message and cls.severity is Severity.INFO
    assert "function models.helper" in func.message
    (module,) = inv.modules
    assert [s.name for s in module.functions] == ["helper"]
    # the mixin is inventoried as a mixin, not reported as a stray class
    assert [c.name for c in module.classes if c.mixin] == ["TimestampMixin"]


def test_dynamic_import_of_a_model_module(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "debug.py": """
                import importlib
                NAME = "models"
                a = importlib.import_module("models")
                b = __import__(NAME)
                c = importlib.import_module("json")
            """,
        },
    )
    found = hits(inv, "dynamic-import")
    assert [(f.line, f.objects) for f in found] == [(4, ("models",)), (5, ("models",))]


@pytest.mark.parametrize(
    "content",
    [
        "def broken(:\n    pass\n",
        b"name = '\xff\xfe caf\xe9'\n",
        b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nclass X(\n",
    ],
)
def test_parse_error_keeps_the_rest(tmp_path: Path, content: str | bytes) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "bad.py": content,  # type: ignore[dict-item]
        },
    )
    (found,) = hits(inv, "parse-error")
    assert found.path == "bad.py" and found.severity is Severity.ERROR
    assert [c.name for m in inv.modules for c in m.classes] == ["User"]


@pytest.mark.parametrize(
    ("content", "remedy", "not_said"),
    [
        ("print 'hello'\n", "port it to Python 3", "UTF-8"),
        ("def broken(:\n    pass\n", "fix the syntax", "UTF-8"),
        (b"name = '\xff\xfe caf\xe9'\n", "save it as UTF-8", "fix the syntax"),
        (b"x = 1\x00\n", "remove the NUL bytes", "UTF-8"),
    ],
)
def test_parse_error_remedy_fits_the_cause(
    tmp_path: Path, content: str | bytes, remedy: str, not_said: str
) -> None:
    inv = analyze(tmp_path, {"bad.py": content, "ok.py": "x = 1\n"})  # type: ignore[dict-item]
    (found,) = hits(inv, "parse-error")
    assert remedy in found.message and not_said not in found.message


def test_latin1_with_a_cookie_parses(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "ok.py": b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n",  # type: ignore[dict-item]
        },
    )
    assert hits(inv, "parse-error") == []


def test_other_python_files_are_listed(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "old_routes.py.unused": "from models import User\n",
        },
    )
    assert inv.other_python_files == ("old_routes.py.unused",)
    (found,) = hits(inv, "other-python-file")
    assert found.severity is Severity.INFO


def test_module_name_clash_when_separate_apps_share_a_module_name(tmp_path: Path) -> None:
    app = DB + "class Contact(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    files = {
        f"{n}/app/{f}": t
        for n in ("one", "two")
        for f, t in (("__init__.py", ""), ("models.py", app))
    }
    files["two/app/models.py"] += (
        "class Gender(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    )
    inv = analyze(tmp_path, files)
    (found,) = hits(inv, "module-name-clash")
    assert found.severity is Severity.WARNING and found.path == "two/app/models.py"
    assert "one/app/models.py" in found.message and "--models" in found.message
    assert hits(inv, "non-model-class") == []
    chosen = analyze_repo(tmp_path, models=("two/app/models.py",))
    assert hits(chosen, "module-name-clash") == []


def test_every_rule_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"\n## {rule.name}\n" in docs
        assert f"| {rule.code} | [{rule.name}](#{rule.name}) | {rule.severity.value} |" in docs


def test_no_alias_for_plain_assignments_and_plain_imports(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DRIFT_MODELS.replace("Assessment = Result\n", "")
            + "DEFAULT_LIMIT = 10\nformatter = str\n",
            "other_models.py": "from models import db, Result\n"
            "class Extra(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
            "notes.txt": "from models import Result\n",
        },
    )
    assert hits(inv, "model-alias") == [] and hits(inv, "other-python-file") == []


def test_reexport_through_a_bridge_module(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "helpers.py": "def slugify(x):\n    return x\n",
            "models.py": MODELS,
            "app/__init__.py": "",
            "app/bridge.py": "from models import User, db\n__all__ = ['User', 'db']\n",
            "app/views.py": "from .bridge import User\nfrom app.bridge import db\n",
            "app/other.py": "from app.views import json_dumps\n",
        },
    )
    found = hits(inv, "reexport")
    assert [(f.path, f.line, f.objects) for f in found] == [
        ("app/views.py", 1, ("app.bridge", "User", "models")),
        ("app/views.py", 2, ("app.bridge", "db", "models")),
    ]
    assert {i.target_path for i in inv.imports} == {"models.py", "app/bridge.py"}


def test_similar_names_with_generic_columns_are_not_merge_candidates(tmp_path: Path) -> None:
    inv = analyze(
        tmp_path,
        {
            "models.py": DB
            + """
class BadgeStatus(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
    amount = db.Column(db.Integer)
class BudgetStatus(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
    amount = db.Column(db.Integer)
    currency = db.Column(db.String(3))
""",
        },
    )
    assert hits(inv, "duplicate-model") == []


# ---------------------------------------------------------------------------
# checks read records alone: an Inventory built by hand, no repository
# ---------------------------------------------------------------------------


def test_checks_run_on_records_built_by_hand() -> None:
    from unify.findings import check_inventory
    from unify.inventory.rules.foreign_keys import DANGLING_FK, FK_TYPE_MISMATCH
    from unify.models import ColumnSpec, ForeignKeySpec, ModelClass, ModelModule

    def column(name: str, type_: str, **extra: object) -> ColumnSpec:
        return ColumnSpec(attr=name, name=name, type=type_, type_name=type_, line=3, **extra)  # type: ignore[arg-type]

    def model(
        name: str, table: str, columns: tuple[ColumnSpec, ...], fks: tuple[ForeignKeySpec, ...] = ()
    ) -> ModelClass:
        return ModelClass(
            name=name,
            module="models",
            path="models.py",
            line=1,
            end_line=9,
            bases=("db.Model",),
            table=table,
            table_explicit=True,
            columns=columns,
            foreign_keys=fks,
            relationships=(),
        )

    def fk(target_table: str) -> ForeignKeySpec:
        return ForeignKeySpec(
            model="models.Member",
            table="member",
            columns=("org_id",),
            target_table=target_table,
            target_columns=("id",),
            spec=f"ForeignKey('{target_table}.id')",
            form="string",
            path="models.py",
            line=5,
        )

    org = model("Organization", "organization", (column("id", "String(36)", primary_key=True),))
    member = model(
        "Member",
        "member",
        (column("id", "Integer", primary_key=True), column("org_id", "Integer")),
        (fk("organizations"),),
    )
    module = ModelModule(name="models", path="models.py", root="", classes=(org, member))
    inventory = Inventory(
        root="/nowhere",
        import_roots=("",),
        modules=(module,),
        imports=(),
        findings=(),
        files_scanned=1,
    )
    found = check_inventory(inventory)
    assert [f.rule for f in found] == [DANGLING_FK.name, FK_TYPE_MISMATCH.name]
    assert "did you mean 'organization'" in found[0].message
    assert found[1].code == RULES["fk-type-mismatch"].code == FK_TYPE_MISMATCH.code


# ---------------------------------------------------------------------------
# outside-base
# ---------------------------------------------------------------------------

OAUTH = """
from authlib.integrations.sqla_oauth2 import OAuth2ClientMixin, OAuth2TokenMixin
from flask_login import UserMixin
from db_setup import db
from stamps import Stamped


class Client(db.Model, OAuth2ClientMixin):
    __tablename__ = 'oauth2_client'
    id = db.Column(db.Integer, primary_key=True)


class Token(db.Model, OAuth2TokenMixin, Stamped):
    __tablename__ = 'oauth2_token'
    id = db.Column(db.Integer, primary_key=True)


class Account(db.Model, UserMixin, Stamped):
    __tablename__ = 'accounts'
    id = db.Column(db.Integer, primary_key=True)
"""

STAMPED = "from db_setup import db\nclass Stamped:\n    created = db.Column(db.Integer)\n"


def test_outside_base_names_the_mixins_of_an_installed_package(tmp_path: Path) -> None:
    """Authlib's ``OAuth2ClientMixin`` adds columns (client_id, client_secret, ...) that are
    not in the repository: the inventory goes without them, and says so."""
    inv = analyze(tmp_path, {"db_setup.py": DB, "oauth.py": OAUTH, "stamps.py": STAMPED})
    found = hits(inv, "outside-base")
    assert [(f.code, f.line, f.objects) for f in found] == [
        ("U026", 8, ("oauth.Client", "OAuth2ClientMixin")),
        ("U026", 13, ("oauth.Token", "OAuth2TokenMixin")),
    ]
    assert found[0].severity is Severity.WARNING
    assert "not inventoried" in found[0].message


def test_outside_base_silent_for_repository_mixins_and_known_bases(tmp_path: Path) -> None:
    files = {"db_setup.py": DB, "oauth.py": OAUTH, "stamps.py": STAMPED}
    files["oauth.py"] = (
        OAUTH.split("class Client")[0] + "class Account" + OAUTH.split("class Account")[1]
    )
    inv = analyze(tmp_path, files)
    assert hits(inv, "outside-base") == []


# ---------------------------------------------------------------------------
# runtime-column-type
# ---------------------------------------------------------------------------

SECRETS = """
from sqlalchemy import String
from sqlalchemy_utils import EncryptedType
from db_setup import db
from fields import encrypted_field_factory, MediumText


class Database(db.Model):
    __tablename__ = 'dbs'
    id = db.Column(db.Integer, primary_key=True)
    password = db.Column(encrypted_field_factory.create(String(1024)))
    extra = db.Column(MediumText())
    secret = db.Column(EncryptedType(String(64)))
    name = db.Column(db.String(250))
    key = db.Column(make_key_type())
"""


def test_runtime_column_type_names_a_type_a_function_computes(tmp_path: Path) -> None:
    """superset's ``encrypted_field_factory.create(String(1024))`` returns a type chosen from
    the app's configuration when it starts: the source cannot say which, and analyze says so
    (a class called, ``MediumText()`` or ``EncryptedType(...)``, is a type as written)."""
    inv = analyze(tmp_path, {"db_setup.py": DB, "secrets.py": SECRETS})
    found = hits(inv, "runtime-column-type")
    assert [(f.code, f.line, f.objects) for f in found] == [
        ("U027", 11, ("dbs.password", "create(String(1024))")),
        ("U027", 15, ("dbs.key", "make_key_type")),
    ]
    assert found[0].severity is Severity.INFO
    assert "when the app starts" in found[0].message
