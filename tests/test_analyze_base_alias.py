"""A model base bound under another name in another module: ``BaseModel = db.Model``
(Netflix Lemur writes it annotated, ``BaseModel: DefaultMeta = db.Model``).  Its subclasses
are models, Flask-SQLAlchemy names the tables of those without ``__tablename__`` after the
class, and a foreign key to such a table is not dangling.  The alias is followed through the
imports, not matched by name: a class of the same name from elsewhere (pydantic's
``BaseModel``) stays what it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelp import write_files

from unify.analyze import analyze_repo

EXTENSIONS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
"""

MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String

from app.database import BaseModel


class Policy(BaseModel):
    id = Column(Integer, primary_key=True)
    name = Column(String(128))


class Endpoint(BaseModel):
    __tablename__ = "endpoints"
    id = Column(Integer, primary_key=True)
    policy_id = Column(Integer, ForeignKey("policy.id"))
"""

SCHEMAS = """\
from pydantic import BaseModel


class PolicyIn(BaseModel):
    id: int
    name: str
"""


@pytest.mark.parametrize(
    "binding",
    ["BaseModel = db.Model", "BaseModel: DefaultMeta = db.Model"],
)
def test_subclasses_of_an_aliased_model_base_are_models(tmp_path: Path, binding: str) -> None:
    write_files(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/extensions.py": EXTENSIONS,
            "app/database.py": (
                "from flask_sqlalchemy.model import DefaultMeta\n\n"
                f"from app.extensions import db\n\n{binding}\n"
            ),
            "app/models.py": MODELS,
            "app/schemas.py": SCHEMAS,
        },
    )
    inventory = analyze_repo(tmp_path)
    classes = {c.name: c for m in inventory.modules for c in m.classes}
    assert {"Policy", "Endpoint"} <= classes.keys()
    assert classes["Policy"].table == "policy"
    assert "PolicyIn" not in classes
    rules = {f.rule for f in inventory.findings}
    assert "dangling-fk" not in rules
    assert "non-model-class" not in rules
