"""Relationship targets analyze can read (a class name) and those it cannot (a value held by
an object): only the first can be unresolved (U007)."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo

MODELS = """
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import declarative_base, relationship

    import registry

    Base = declarative_base()


    class Note(Base):
        __tablename__ = "notes"
        id = Column(Integer, primary_key=True)
        author_id = Column(Integer, ForeignKey("people.id"))
        author = relationship(registry.manager.person_model)
        editor = relationship(registry.Ghost)
"""


def test_an_attribute_of_an_object_is_not_an_unresolved_class(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", {"models.py": MODELS, "registry.py": "manager = None\n"})
    inventory = analyze_repo(repo)
    unresolved = [f for f in inventory.findings if f.code == "U007"]
    assert [f.objects for f in unresolved] == [("models.Note", "Ghost")]
    (note,) = [c for m in inventory.modules for c in m.classes if c.name == "Note"]
    assert {r.attr: r.target for r in note.relationships} == {"author": "", "editor": "Ghost"}
