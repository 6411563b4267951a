"""The unified module's imports of names an ancestor package of a legacy module re-exports:
taken from the module that defines them, since the package may be half-initialised when the
unified module is imported on the way (an import cycle through the package)."""

from __future__ import annotations

import json
from pathlib import Path

from clihelp import run_unify, write_files

TREE = {
    # the package imports its views (which import a legacy module) before it binds Model
    "shop/__init__.py": """
        from shop.web import views  # noqa: F401
        from shop.db import Model  # noqa: F401
    """,
    "shop/db.py": """
        from sqlalchemy.orm import declarative_base

        Model = declarative_base()
    """,
    "shop/web/__init__.py": "",
    "shop/web/views.py": """
        from shop.models.tags import Tag

        TAGS = Tag.__tablename__
    """,
    "shop/models/__init__.py": "",
    "shop/models/tags.py": """
        from sqlalchemy import Column, Integer, String

        from shop.db import Model


        class Tag(Model):
            __tablename__ = "tags"
            id = Column(Integer, primary_key=True)
            label = Column(String(20))
    """,
    "shop/models/accounts.py": """
        from sqlalchemy import Column, Integer, String

        from shop import Model


        class Account(Model):
            __tablename__ = "accounts"
            id = Column(Integer, primary_key=True)
            name = Column(String(50))
    """,
}


def test_a_name_the_package_reexports_is_imported_from_where_it_is_defined(
    tmp_path: Path,
) -> None:
    repo = write_files(tmp_path / "repo", TREE)
    plan = run_unify(
        "plan", ".", "-o", "unify.toml", "--target", "shop.models.unified",
        "--compat", "shop.models.compat", "--models", "shop/models/tags.py",
        "--models", "shop/models/accounts.py", cwd=repo,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    cli = run_unify("build", ".", "--plan", "unify.toml", "--format", "json", cwd=repo)
    found = {f["code"]: f["message"] for f in json.loads(cli.stdout)["findings"]}
    assert cli.returncode == 0, found
    unified = (repo / "shop/models/unified.py").read_text()
    assert "from shop.db import Model\n" in unified
    assert "from shop import Model" not in unified


def test_a_reexport_is_traced_through_packages_to_its_definition(tmp_path: Path) -> None:
    from unify.builder.reexports import Origin, Reexports, ancestor_packages

    repo = write_files(
        tmp_path / "repo",
        {
            "app/__init__.py": """
                from . import views  # noqa: F401
                from .core import Model as BaseModel, helper  # noqa: F401
                from .legacy_models import Account  # noqa: F401

                VERSION = "1"
            """,
            "app/core/__init__.py": "from app.core.db import Model, helper  # noqa: F401\n",
            "app/core/db.py": "Model = object\n\n\ndef helper():\n    pass\n",
            "app/legacy_models.py": "class Account:\n    pass\n",
            "app/views.py": "",
            "app/models/__init__.py": "",
        },
    )
    assert ancestor_packages(["app.models.orders"]) == {"app", "app.models"}
    found = Reexports(
        paths=(repo,),
        packages=frozenset({"app", "app.models"}),
        legacy=frozenset({"app.legacy_models"}),
    )
    assert found.origin("app", "BaseModel") == Origin("app.core.db", "Model")
    assert found.origin("app", "helper") == Origin("app.core.db", "helper")
    assert found.origin("app", "views") is None  # a submodule
    assert found.origin("app", "VERSION") is None  # defined by the package itself
    assert found.origin("app", "Account") is None  # defined in a legacy module: as written
    assert found.origin("app.core", "Model") is None  # not an ancestor package of the plan
