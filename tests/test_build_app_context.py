"""build's self-check in the app's context: a model module that reads the app's settings when
it is imported (``current_app.config``) imports only inside the app's context, which the
self-check enters when the plan names the app (``[unify] app``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import run_unify, write_files

pytest.importorskip("flask")

TREE = {
    "shop/__init__.py": "",
    "shop/app.py": """
        from flask import Flask


        def create_app():
            app = Flask(__name__)
            app.config["NAME_LENGTH"] = 40
            return app
    """,
    "shop/models/__init__.py": "",
    "shop/models/base.py": """
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
    """,
    "shop/models/accounts.py": """
        from flask import current_app
        from sqlalchemy import Column, Integer, String

        from shop.models.base import Base

        NAME_LENGTH = current_app.config["NAME_LENGTH"]


        class Account(Base):
            __tablename__ = "accounts"
            id = Column(Integer, primary_key=True)
            name = Column(String(NAME_LENGTH))
    """,
    "shop/models/orders.py": """
        from sqlalchemy import Column, ForeignKey, Integer

        from shop.models.base import Base


        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            account_id = Column(Integer, ForeignKey("accounts.id"))
    """,
}


def build(repo: Path, app: str) -> tuple[int, dict[str, str]]:
    plan = run_unify(
        "plan", ".", "-o", "unify.toml", "--target", "shop.models.unified",
        "--compat", "shop.models.compat", "--models", "shop/models/accounts.py",
        "--models", "shop/models/orders.py", cwd=repo,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    if app:
        text = (repo / "unify.toml").read_text(encoding="utf-8")
        text = text.replace("[unify]\n", f'[unify]\napp = "{app}"\n', 1)
        (repo / "unify.toml").write_text(text, encoding="utf-8")
    cli = run_unify("build", ".", "--plan", "unify.toml", "--format", "json", cwd=repo)
    return cli.returncode, {f["code"]: f["message"] for f in json.loads(cli.stdout)["findings"]}


def test_the_self_check_runs_in_the_app_context_the_plan_names(tmp_path: Path) -> None:
    status, found = build(write_files(tmp_path / "repo", TREE), "shop.app:create_app")
    assert status == 0, found
    assert (tmp_path / "repo/shop/models/unified.py").is_file()


def test_without_the_app_the_module_reading_its_settings_does_not_import(tmp_path: Path) -> None:
    status, found = build(write_files(tmp_path / "repo", TREE), "")
    assert status == 1
    assert "application context" in found["S001"]


def test_an_app_that_does_not_start_is_an_import_error(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", TREE)
    write_files(repo, {"shop/app.py": "def create_app():\n    raise RuntimeError('no key')\n"})
    status, found = build(repo, "shop.app:create_app")
    assert status == 1
    assert "the app shop.app:create_app does not start: no key" in found["S001"]
