"""The import cycle named from the self-check probe's chain of executing modules, and the
legacy modules whose leaving the unification breaks it (``unify.builder.cycles``)."""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.builder.cycles import describe, find_cycle, legacy_imports
from unify.decisions import propose_plan

GONE = {"shop.models.core": "shop/models/core.py", "shop.models.boards": "shop/models/boards.py"}
ERROR = "cannot import name 'Account' from partially initialized module 'shop.models.core'"


def test_a_package_on_the_way_out_counts_for_the_module_imported_under_it() -> None:
    # boards imports shop.reports.tables: shop.reports's __init__ runs first and is on the chain
    chain = ["shop.models.core", "shop.models.unified", "shop.reports", "shop.reports.tables"]
    imports = {"shop.models.boards": frozenset({"shop.reports.tables", "shop.reports.tables.Grid"})}
    cycle = find_cycle(chain, ERROR, "shop.models.unified", GONE, imports)
    assert cycle is not None
    assert describe(cycle, GONE, "shop.models.unified").startswith(
        "import cycle: shop.models.core (the unified module after the rewrite) -> shop.reports "
        "-> shop.reports.tables -> shop.models.core (the unified module after the rewrite); "
        "to break it, leave shop.models.boards out of the unification (shop/models/boards.py "
        "imports shop.reports.tables), or shop.models.core (shop.reports.tables imports it)"
    )


def test_an_error_that_names_no_half_initialised_module_is_no_cycle() -> None:
    chain = ["shop.models.unified", "shop.reports"]
    assert find_cycle(chain, "No module named 'x'", "shop.models.unified", GONE, {}) is None


def test_a_legacy_modules_imports_leave_function_bodies_out(tmp_path: Path) -> None:
    repo = write_files(
        tmp_path / "repo",
        {
            "shop/__init__.py": "",
            "shop/models/__init__.py": "",
            "shop/models/core.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declarative_base

                from . import helpers

                try:
                    from shop.reports import tables
                except ImportError:
                    tables = None

                Base = declarative_base()


                def late():
                    from shop import views

                    return views


                class Account(Base):
                    __tablename__ = "accounts"
                    id = Column(Integer, primary_key=True)
            """,
            "shop/models/helpers.py": "",
        },
    )
    inventory = analyze_repo(repo, models=("shop/models/core.py",))
    plan = propose_plan(inventory, target_module="shop.models.unified", picked=True)
    found = legacy_imports(repo, inventory, plan)["shop.models.core"]
    assert {"shop.models", "shop.models.helpers", "shop.reports", "shop.reports.tables"} <= found
    assert "shop.views" not in found and "shop" not in found
