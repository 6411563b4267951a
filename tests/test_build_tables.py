"""build carries table-level schema: ``Table()`` objects (association tables) move into the
unified module, ``__table_args__`` stay with their class, and every foreign key (on a
column of a ``Table()``, in a ``ForeignKeyConstraint``) follows the plan's table names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.build import build_modules
from unify.decisions import load_plan, propose_plan, render_plan_toml, write_plan_file

FILES = {
    "db.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "people_models.py": """from db import db


class Person(db.Model):
    __tablename__ = 'people'
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
""",
    "link_tables.py": """import sqlalchemy as sa
from db import db

memberships = sa.Table(
    'memberships',
    db.metadata,
    sa.Column('person_id', sa.Integer, sa.ForeignKey('people.id'), primary_key=True),
    sa.Column('club_id', sa.Integer, sa.ForeignKey('clubs.id'), primary_key=True),
)
""",
    "club_models.py": """from sqlalchemy import Column, Integer, String, PrimaryKeyConstraint
from sqlalchemy import ForeignKeyConstraint, UniqueConstraint, Index
from db import db
from link_tables import memberships


class Club(db.Model):
    __tablename__ = 'clubs'
    id = db.Column(db.Integer, primary_key=True)
    members = db.relationship('Person', secondary=memberships, backref='clubs')


class Badge(db.Model):
    __tablename__ = 'badges'
    code = Column(String(20))
    person_id = Column(Integer)
    __table_args__ = (
        PrimaryKeyConstraint('code', 'person_id'),
        ForeignKeyConstraint(['person_id'], ['people.id']),
        UniqueConstraint('code', name='uq_badge_code'),
        Index('ix_badge_person', 'person_id'),
    )
""",
    "app.py": "from people_models import Person\nfrom club_models import Club, Badge\n",
}

READ_BACK = """
import json, sys
import sqlalchemy as sa
sys.path.insert(0, sys.argv[1])
import models
md = models.db.metadata
out = {}
for t in md.tables.values():
    out[t.name] = dict(
        pk=[c.name for c in t.primary_key.columns],
        fks=sorted(e.target_fullname for e in t.foreign_keys),
        unique=sorted(tuple(c.name for c in k.columns) for k in t.constraints
                      if isinstance(k, sa.UniqueConstraint)),
        indexes=sorted(i.name for i in t.indexes),
    )
print(json.dumps(out, sort_keys=True))
"""


def test_tables_move_and_every_fk_follows_the_plans_tables(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", FILES)
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    assert "link_tables" in text.split("legacy_modules", 1)[1].splitlines()[0]
    text = text.replace('table = "people"', 'table = "person"')
    text += '\n[[table_rename]]\nold = "memberships"\nnew = "membership"\n'
    write_plan_file(tmp_path / "unify.toml", text, force=True)
    result = build_modules(repo, inventory, load_plan(tmp_path / "unify.toml"))
    assert not [f for f in result.findings if f.severity.value == "error"], result.findings
    (unified,) = [f for f in result.files if f.rel == "models.py"]
    (repo / "models.py").write_text(unified.text)
    proc = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(repo)], capture_output=True, text=True, check=True
    )
    tables = json.loads(proc.stdout)
    assert sorted(tables) == ["badges", "clubs", "membership", "person"]
    assert tables["membership"]["pk"] == ["person_id", "club_id"]
    assert tables["membership"]["fks"] == ["clubs.id", "person.id"]
    assert tables["badges"] == {
        "pk": ["code", "person_id"],
        "fks": ["person.id"],
        "unique": [["code"]],
        "indexes": ["ix_badge_person"],
    }
    assert "secondary=memberships" in unified.text


def test_a_renamed_tables_fk_columns_take_the_planned_key_type(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", FILES)
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    for table in ("memberships", "badges"):  # no decision of their own: they follow the key
        entry = f'[[column_type]]\ntable = "{table}"\ncolumn = "person_id"\ntype = "Integer"\n'
        assert entry in text
        text = text.replace(entry, "")
    key = '[[column_type]]\ntable = "people"\ncolumn = "id"\ntype = "Integer"'
    assert key in text
    text = text.replace(key, key.replace('"Integer"', '"String(36)"'))
    text += '\n[[table_rename]]\nold = "memberships"\nnew = "membership"\n'
    write_plan_file(tmp_path / "unify.toml", text, force=True)
    result = build_modules(repo, inventory, load_plan(tmp_path / "unify.toml"))
    assert not [f for f in result.findings if f.severity.value == "error"], result.findings
    (unified,) = [f for f in result.files if f.rel == "models.py"]
    assert "sa.Column('person_id', sa.String(36), sa.ForeignKey('people.id')" in unified.text
    assert "person_id = Column(String(36))" in unified.text
