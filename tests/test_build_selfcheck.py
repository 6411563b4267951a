"""build's self-check on trees where the app's package imports the legacy modules and where
foreign keys name tables of modules outside the plan."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from clihelp import run_unify, write_files

from unify.analyze import analyze_repo
from unify.build import build_modules, self_check
from unify.decisions import load_plan

BASE = """
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()
"""
ACCOUNTS = """
    from sqlalchemy import Column, Integer, String, text
    from sqlalchemy.dialects.postgresql import JSONB

    from shop.models.base import Base


    class Account(Base):
        __tablename__ = "accounts"
        id = Column(Integer, primary_key=True)
        name = Column(String(50))
        settings = Column(JSONB, server_default=text("'{}'::jsonb"))
"""
ORDERS = """
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import relationship

    from shop.models.base import Base


    class Order(Base):
        __tablename__ = "orders"
        id = Column(Integer, primary_key=True)
        account_id = Column(Integer, ForeignKey("accounts.id"))
        region_id = Column(Integer, ForeignKey("regions.id"))
        region = relationship("Region")
"""
REGIONS = """
    from sqlalchemy import Column, Integer, String

    from shop.models.base import Base


    class Region(Base):
        __tablename__ = "regions"
        id = Column(Integer, primary_key=True)
        label = Column(String(20))
"""


def shop(tmp_path: Path, package_init: str) -> Path:
    return write_files(
        tmp_path / "repo",
        {
            "shop/__init__.py": package_init,
            "shop/models/__init__.py": "",
            "shop/models/base.py": BASE,
            "shop/models/accounts.py": ACCOUNTS,
            "shop/models/orders.py": ORDERS,
            "shop/models/regions.py": REGIONS,
        },
    )


def build_report(repo: Path) -> tuple[int, dict[str, list[dict[str, str]]]]:
    plan = run_unify(
        "plan", ".", "-o", "unify.toml", "--target", "shop.models.unified",
        "--compat", "shop.models.compat", "--models", "shop/models/accounts.py",
        "--models", "shop/models/orders.py", cwd=repo,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    cli = run_unify("build", ".", "--plan", "unify.toml", "--format", "json", cwd=repo)
    return cli.returncode, json.loads(cli.stdout)


def codes(report: dict[str, list[dict[str, str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in report["findings"]:
        out.setdefault(f["code"], []).append(f["message"])
    return out


def test_a_package_that_imports_the_legacy_modules_is_checked_as_after_the_rewrite(
    tmp_path: Path,
) -> None:
    repo = shop(
        tmp_path,
        """
        from shop.models import accounts, orders  # noqa: F401
        from shop.models.accounts import Account

        FIRST = Account.__tablename__
        """,
    )
    status, report = build_report(repo)
    found = codes(report)
    assert status == 0, found
    assert "S001" not in found and "S002" not in found
    (app,) = found["S011"]
    assert "shop imports the legacy modules shop.models.accounts, shop.models.orders" in app
    assert (repo / "shop/models/unified.py").is_file()


def test_a_package_importing_a_name_the_built_modules_lack_fails_the_import(
    tmp_path: Path,
) -> None:
    repo = shop(tmp_path, "from shop.models.accounts import Nowhere  # noqa: F401\n")
    status, report = build_report(repo)
    found = codes(report)
    assert status == 1
    (failed,) = found["S001"]
    assert "cannot import name 'Nowhere' from 'shop.models.accounts'" in failed
    assert "gone" in failed


def test_the_unified_module_importing_a_legacy_module_is_still_an_error(tmp_path: Path) -> None:
    repo = shop(tmp_path, "from shop.models import accounts  # noqa: F401\n")
    build_report(repo)
    inventory = analyze_repo(repo, models=("shop/models/accounts.py", "shop/models/orders.py"))
    plan = load_plan(repo / "unify.toml")
    files = build_modules(repo, inventory, plan).files
    unified = files[0].text.replace(
        "\nclass ", "\nimport shop.models.orders  # noqa\n\n\nclass ", 1
    )
    built = (dataclasses.replace(files[0], text=unified), *files[1:])
    found = {f.code: f.message for f in self_check(repo, inventory, plan, built)}
    assert (
        "imported the legacy module shop.models.orders (imported by shop.models.unified)"
        in found["S002"]
    )
    assert "shop imports the legacy module shop.models.accounts;" in found["S011"]


def test_a_foreign_key_and_relationship_outside_the_plan_are_checked_with_its_module(
    tmp_path: Path,
) -> None:
    repo = shop(tmp_path, "")
    status, report = build_report(repo)
    found = codes(report)
    assert status == 0, found
    assert "S004" not in found and "S006" not in found
    (outside,) = found["S012"]
    assert "Region, regions: defined in shop.models.regions outside the plan" in outside


def test_a_foreign_key_to_a_table_defined_nowhere_is_still_an_error(tmp_path: Path) -> None:
    repo = shop(tmp_path, "")
    write_files(repo, {"shop/models/regions.py": ""})
    status, report = build_report(repo)
    found = codes(report)
    assert status == 1
    assert any("orders.region_id -> regions.id" in m for m in found["S004"])


def test_names_a_legacy_module_imported_from_elsewhere_are_reexported_by_the_compat_module(
    tmp_path: Path,
) -> None:
    repo = shop(tmp_path, "")
    orders = ORDERS.replace(
        "from shop.models.base import Base\n",
        "from shop.models.base import Base\n    from shop.util import money_format\n\n"
        "    if TYPE_CHECKING:\n        from shop.util import Ledger\n",
    ).replace(
        "from sqlalchemy import", "from typing import TYPE_CHECKING\n\n    from sqlalchemy import"
    )
    write_files(
        repo,
        {
            "shop/models/orders.py": orders,
            "shop/util.py": "class Ledger:\n    pass\n\n\ndef money_format(x):\n    return str(x)\n",
            "shop/views.py": "from shop.models.orders import Order, money_format  # noqa: F401\n",
        },
    )
    status, report = build_report(repo)
    found = codes(report)
    assert status == 0, found
    assert "B006" not in found
    compat = (repo / "shop/models/compat.py").read_text()
    assert "    money_format,\n" in compat  # the unified module imports it too
    assert "\nif TYPE_CHECKING:\n    from shop.util import Ledger  # noqa: F401\n" in compat


def test_two_foreign_keys_to_one_table_outside_the_plan_create_it_once(tmp_path: Path) -> None:
    repo = shop(tmp_path, "")
    twice = ORDERS.replace(
        '        region_id = Column(Integer, ForeignKey("regions.id"))\n',
        '        region_id = Column(Integer, ForeignKey("regions.id"))\n'
        '        billing_region_id = Column(Integer, ForeignKey("regions.id"))\n',
    ).replace('relationship("Region")', 'relationship("Region", foreign_keys=[region_id])')
    write_files(repo, {"shop/models/orders.py": twice})
    status, report = build_report(repo)
    found = codes(report)
    assert status == 0, found
    assert "S006" not in found


def test_a_cycle_the_unified_module_makes_through_the_app_is_an_import_error(
    tmp_path: Path,
) -> None:
    repo = shop(tmp_path, "from shop import helpers  # noqa: F401\n")
    orders = ORDERS.replace(
        "from shop.models.base import Base\n",
        "from shop.models.base import Base\n    from shop.helpers import describe\n",
    ).replace("    region = relationship", "    label = describe\n        region = relationship")
    write_files(
        repo,
        {
            "shop/models/orders.py": orders,
            "shop/helpers.py": "from shop.models.accounts import Account\n\n\n"
            "def describe():\n    return Account.__tablename__\n",
        },
    )
    status, report = build_report(repo)
    found = codes(report)
    assert status == 1
    (failed,) = found["S001"]
    assert "cannot import name 'describe'" in failed
    assert "on the way: shop.helpers imports the legacy module shop.models.accounts" in failed


def test_an_import_cycle_is_named_with_the_plan_decisions_that_break_it(tmp_path: Path) -> None:
    repo = shop(tmp_path, "")
    # orders needs shop.reports, which needs Account: apart, no cycle; unified, one
    orders = ORDERS.replace(
        "from shop.models.base import Base\n",
        "from shop.models.base import Base\n    from shop.reports import summary\n",
    ).replace("    region = relationship", "    label = summary\n        region = relationship")
    write_files(
        repo,
        {
            "shop/models/orders.py": orders,
            "shop/reports.py": "from shop.models.accounts import Account\n\n\n"
            "def summary():\n    return Account.__tablename__\n",
        },
    )
    status, report = build_report(repo)
    found = codes(report)
    assert status == 1
    (failed,) = found["S001"]
    assert (
        "import cycle: shop.models.unified -> shop.reports -> shop.models.accounts "
        "(the unified module after the rewrite)" in failed
    )
    assert "leave shop.models.orders out of the unification" in failed
    assert "(shop/models/orders.py imports shop.reports)" in failed
    assert "or shop.models.accounts" in failed
