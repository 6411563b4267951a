"""A ``declared_attr`` runs when each class using it is made, and what it assigns on its first
argument becomes that class's attribute (Timesketch's mixins: ``self.Status = type(...)``,
then ``relationship(self.Status)``): ``Sketch.Status`` is a member of every model with the
mixin, not attribute drift."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo

MODELS = """\
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import declared_attr, relationship

db = SQLAlchemy()


class StatusMixin:
    @declared_attr
    def status(self):
        self.Status = type(
            f"{self.__name__}Status",
            (db.Model,),
            {"__tablename__": f"{self.__tablename__}_status"},
        )
        return relationship(self.Status)


class Sketch(StatusMixin, db.Model):
    __tablename__ = "sketch"
    id = db.Column(db.Integer, primary_key=True)
"""

VIEWS = """\
from app.models import Sketch


def statuses():
    return Sketch.Status.query.all(), Sketch.Missing
"""


def test_a_class_attribute_set_by_a_declared_attr_is_a_member(tmp_path: Path) -> None:
    write_files(tmp_path, {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS})
    inventory = analyze_repo(tmp_path)
    drift = [f.message for f in inventory.findings if f.rule == "attribute-drift"]
    assert len(drift) == 1 and ".Missing on app.models.Sketch" in drift[0]
