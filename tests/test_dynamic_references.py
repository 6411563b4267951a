"""Strings naming a legacy module (``"portal_models"``, ``"server.portal_models"``,
``"portal_models.Ticket"``), in code but not in docstrings or comments, are dynamic references:
analyze lists them in ``dynamic_imports`` and reports them, rewrite reports them and leaves the
string as it was."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.models import ModuleMove, RenameMap, Rewritten
from unify.report.rewrite import all_findings
from unify.rewrite_imports import rewrite_repo

DB = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
FILES = {
    "server/__init__.py": "",
    "server/models.py": DB
    + """
class Account(db.Model):
    __tablename__ = "account"
    id = db.Column(db.Integer, primary_key=True)
""",
    "server/portal_models.py": """
from models import db


class Ticket(db.Model):
    __tablename__ = "portal_tickets"
    id = db.Column(db.Integer, primary_key=True)
""",
    "server/loader.py": '''
"""Loads 'portal_models' lazily."""
import importlib

# the module "portal_models" holds the tickets
PORTAL = 'portal_models'
QUALIFIED = "server.portal_models"
TICKET = "portal_models.Ticket"
OTHER = "portal_models_v2"
LABEL = f"portal_models"


def load():
    """Import 'portal_models'."""
    return importlib.import_module(PORTAL)
''',
    "server/views.py": "from models import db\n\nNAME = 'portal'\n",
}
# line of each string that names the legacy module
EXPECTED = {6: "portal_models", 7: "portal_models", 8: "portal_models"}


def test_analyze_lists_every_string_naming_a_model_module(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    inventory = analyze_repo(tmp_path / "server")
    found = {(d.line, d.module) for d in inventory.dynamic_imports if d.path == "loader.py"}
    assert found == {*EXPECTED.items(), (15, "portal_models")}
    texts = {d.line: d.text for d in inventory.dynamic_imports if d.path == "loader.py"}
    assert texts[7] == "server.portal_models" and texts[8] == "portal_models.Ticket"
    rules = {(f.line, f.rule) for f in inventory.findings if f.path == "loader.py"}
    assert {(line, "dynamic-reference") for line in EXPECTED} <= rules
    assert (15, "dynamic-import") in rules


def test_rewrite_reports_the_same_strings_and_keeps_them(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    renames = RenameMap(moves=(ModuleMove(legacy="portal_models", target="models"),))
    result = rewrite_repo(tmp_path / "server", renames, jobs=1)
    found = {(f.path, f.line) for f in all_findings(result) if f.rule == "dynamic-legacy-reference"}
    assert found == {("loader.py", line) for line in EXPECTED}
    assert "loader.py" not in {o.path for o in result.outcomes if isinstance(o, Rewritten)}


# a package of model modules, one a file (Zou's ``zou/app/models/``): the words naming its
# sibling modules are column names, keys and choices, not module paths
PACKAGE = {
    "app/__init__.py": "",
    "app/models/__init__.py": "",
    "app/models/person.py": DB
    + """
class Person(db.Model):
    id = db.Column(db.Integer, primary_key=True)
""",
    "app/models/comment.py": """
from app.models.person import db

mentions = db.Table(
    "comment_mentions",
    db.Column("comment", db.Integer, db.ForeignKey("comment.id")),
    db.Column("person", db.Integer, db.ForeignKey("person.id")),
)


class Comment(db.Model):
    id = db.Column(db.Integer, primary_key=True)

    @classmethod
    def create_from_import(cls, data):
        data.pop("person", None)
        return cls(**data)
""",
    # a file that imports a sibling by its bare name has that folder on its sys.path
    "app/models/loader.py": """
import importlib

import person

NAME = "person"


def load():
    return importlib.import_module(NAME)
""",
    "app/models/helper.py": "CHOICES = [('person', 'Person')]\n",
}


def test_a_bare_word_naming_a_sibling_module_is_not_a_module_path(tmp_path: Path) -> None:
    """A string without a dot names a module through the import roots; through the folder of
    a package file (the fallback an import statement may need) only in a file that itself
    imports a module by that bare name."""
    write_files(tmp_path, PACKAGE)
    inventory = analyze_repo(tmp_path)
    found = {(d.path, d.line, d.text) for d in inventory.dynamic_imports if not d.call}
    assert found == {("app/models/loader.py", 6, "person")}
    renames = RenameMap(
        moves=(
            ModuleMove(legacy="app.models.person", target="app.models_unified"),
            ModuleMove(legacy="app.models.comment", target="app.models_unified"),
        )
    )
    result = rewrite_repo(tmp_path, renames, jobs=1)
    reported = {
        (f.path, f.line) for f in all_findings(result) if f.rule == "dynamic-legacy-reference"
    }
    assert reported == {("app/models/loader.py", 6)}
