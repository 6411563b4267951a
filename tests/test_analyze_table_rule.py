"""``__tablename__`` computed from the class name by a ``declared_attr`` on the declarative
base or a mixin (Timesketch: ``return cls.__name__.lower()``): each model's table is that
name, so foreign keys to those tables are not dangling.  A computation analyze cannot read
names no table."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelp import write_files

from unify.analyze import analyze_repo

BASE = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import as_declarative, declared_attr


@as_declarative()
class BaseModel:
    @declared_attr
    def __tablename__(self):
        return {rule}

    id = Column(Integer, primary_key=True)
"""

MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, Unicode

from app.base import BaseModel


class SearchIndex(BaseModel):
    name = Column(Unicode(255))


class Timeline(BaseModel):
    name = Column(Unicode(255))
    searchindex_id = Column(Integer, ForeignKey("{target}.id"))


class Legacy(BaseModel):
    __tablename__ = "legacy_things"
    timeline_id = Column(Integer, ForeignKey("{timeline}.id"))
"""


@pytest.mark.parametrize(
    ("rule", "target", "timeline"),
    [
        ("self.__name__.lower()", "searchindex", "timeline"),
        ("cls.__name__.lower() + 's'", "searchindexs", "timelines"),
        ("f'app_{cls.__name__}'", "app_SearchIndex", "app_Timeline"),
    ],
)
def test_a_table_name_computed_from_the_class_name(
    tmp_path: Path, rule: str, target: str, timeline: str
) -> None:
    write_files(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": BASE.format(rule=rule),
            "app/models.py": MODELS.format(target=target, timeline=timeline),
        },
    )
    inventory = analyze_repo(tmp_path)
    tables = {c.name: c.table for m in inventory.modules for c in m.classes}
    assert tables == {"SearchIndex": target, "Timeline": timeline, "Legacy": "legacy_things"}
    assert "dangling-fk" not in {f.rule for f in inventory.findings}


def test_a_computation_analyze_cannot_read_names_no_table(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": BASE.format(rule="naming.table_for(self)"),
            "app/models.py": MODELS.format(target="searchindex", timeline="timeline"),
        },
    )
    inventory = analyze_repo(tmp_path)
    tables = {c.name: c.table for m in inventory.modules for c in m.classes}
    assert tables["SearchIndex"] is None and tables["Legacy"] == "legacy_things"
