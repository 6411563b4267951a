"""`unify build`: what must come before or after the classes in the unified module.

A model base bound with an annotation (``Base: Any = declarative_base()``) goes before every
class; a function whose decorator names a model (``@event.listens_for(Order, ...)``) goes
after the models, wherever its legacy module put it.  The self-check imports the result.
"""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.build import run_build
from unify.decisions import propose_plan
from unify.models import Severity

ACCOUNTS = """
    from typing import Any

    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import declarative_base

    Base: Any = declarative_base()


    class Account(Base):
        __tablename__ = "accounts"
        id = Column(Integer, primary_key=True)
        name = Column(String(50))
"""
ORDERS = """
    from sqlalchemy import Column, ForeignKey, Integer, event

    from shop.models.accounts import Base

    STAMPS = []


    @event.listens_for(Base.metadata, "after_create")
    def created(target, connection, **kw):
        STAMPS.append("created")


    class Order(Base):
        __tablename__ = "orders"
        id = Column(Integer, primary_key=True)
        account_id = Column(Integer, ForeignKey("accounts.id"))
        total = Column(Integer)


    @event.listens_for(Order, "before_insert")
    def stamp(mapper, connection, target):
        STAMPS.append(target.total)
"""


def built_text(tmp_path: Path) -> tuple[str, list[str]]:
    repo = write_files(
        tmp_path / "repo",
        {
            "shop/__init__.py": "",
            "shop/models/__init__.py": "",
            "shop/models/accounts.py": ACCOUNTS,
            "shop/models/orders.py": ORDERS,
        },
    )
    inventory = analyze_repo(repo)
    plan = propose_plan(
        inventory, target_module="shop.models.unified", compat_module="shop.models.compat"
    )
    result = run_build(repo, inventory, plan)
    errors = [f"{f.code} {f.message}" for f in result.findings if f.severity is Severity.ERROR]
    unified = next(f.text for f in result.files if f.role == "unified")
    return unified, errors


def test_an_annotated_base_goes_before_the_classes(tmp_path: Path) -> None:
    unified, errors = built_text(tmp_path)
    assert errors == []
    assert unified.index("Base: Any = declarative_base()") < unified.index("class Account(Base)")


def test_a_function_whose_decorator_names_a_model_goes_after_the_models(tmp_path: Path) -> None:
    unified, errors = built_text(tmp_path)
    assert errors == []
    assert unified.index("class Order(Base)") < unified.index('@event.listens_for(Order, "before')
    # one that names no model stays with the helpers, before the later sections' classes
    assert unified.index("def created(") < unified.index("class Order(Base)")
