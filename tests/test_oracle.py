"""analyze's tables against the MetaData SQLAlchemy builds when the model modules are imported
(``benchmarks/corpus/oracle.py``; the import happens in a subprocess, never in unify)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from clihelp import write_files

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))

from oracle import compare_inventory, main  # noqa: E402

SHOP = {
    "shop/__init__.py": "",
    "shop/base.py": (
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"
    ),
    "shop/catalog.py": """
from typing import Optional
import sqlalchemy as sa
from sqlalchemy import Column, Integer, String, Text, ForeignKey, Table
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, ForeignKeyConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship, dynamic_loader
from shop.base import Base


class Stamped:
    created = Column(Integer, nullable=False)
    note = Column(Text)


class Vendor(Stamped, Base):
    __tablename__ = 'vendors'
    code = Column(String(12))
    region = Column(String(8))
    name: Mapped[str] = mapped_column(String(80))
    motto: Mapped[Optional[str]]
    __table_args__ = (
        PrimaryKeyConstraint('code', 'region'),
        UniqueConstraint('name'),
        {'sqlite_autoincrement': False},
    )


class Item(Base):
    __tablename__ = 'items'
    id = Column(Integer, primary_key=True)
    kind = Column(String(20))
    vendor_code = Column(String(12))
    vendor_region = Column(String(8))
    price = Column(sa.Numeric(10, 2), nullable=False)
    tags = dynamic_loader('Tag', secondary='item_tags')
    __table_args__ = (
        ForeignKeyConstraint(
            ['vendor_code', 'vendor_region'], ['vendors.code', 'vendors.region']
        ),
        Index('ix_item_price', 'price'),
    )
    __mapper_args__ = {'polymorphic_on': kind, 'polymorphic_identity': 'item'}


class Book(Item):
    isbn = Column(String(13))
    __mapper_args__ = {'polymorphic_identity': 'book'}


class Tag(Base):
    __tablename__ = 'tags'
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30), unique=True)


item_tags = Table(
    'item_tags',
    Base.metadata,
    Column('item_id', ForeignKey('items.id'), primary_key=True),
    Column('tag_id', Integer, ForeignKey('tags.id'), primary_key=True),
)
tag_aliases = sa.Table(
    'tag_aliases',
    Base.metadata,
    sa.Column('tag_id', sa.Integer, nullable=False),
    sa.Column('alias', sa.String(30)),
    sa.PrimaryKeyConstraint('tag_id', 'alias'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id']),
)
""",
}


# A column typed through a module-level alias: analyze cannot know the type, the metadata can.
SHOP_ODD = (
    "from sqlalchemy import Column, Integer, String\n"
    "from shop.base import Base\n"
    "KEY = Integer\n"
    "class Odd(Base):\n"
    "    __tablename__ = 'odd'\n"
    "    id = Column(KEY, primary_key=True)\n"
    "    name = Column(String(5))\n"
)


def test_the_inventory_equals_the_imported_metadata(tmp_path: Path) -> None:
    report = compare_inventory(write_files(tmp_path, SHOP), (), sys.executable)
    assert report.failed == ()
    assert (report.differences, report.missing, report.extra) == ((), (), ())
    assert (report.tables, report.tables_equal) == (5, 5)
    assert report.columns == 18 and report.foreign_keys == 4
    assert report.counts() == {
        "modules": 1, "imported": 1, "tables": 5, "columns": 18, "foreign keys": 4,
        "differences": 0, "explained": 0,
    }  # fmt: skip


def test_only_the_model_modules_given_are_compared(tmp_path: Path) -> None:
    report = compare_inventory(write_files(tmp_path, SHOP), ["shop/catalog.py"], sys.executable)
    assert (report.modules, report.imported, report.tables) == (1, 1, 5)
    assert report.equal


def test_the_oracle_reports_what_analyze_cannot_know(tmp_path: Path) -> None:
    files = {**SHOP, "shop/odd.py": SHOP_ODD}
    report = compare_inventory(write_files(tmp_path, files), (), sys.executable)
    assert report.tables == 6 and report.columns_differing == 1
    (difference,) = report.differences
    assert difference.startswith("shop.odd:odd.id: metadata Column(family='integer'")
    assert report.counts()["differences"] == 1 and not report.equal


def test_a_module_that_does_not_import_is_reported(tmp_path: Path) -> None:
    files = dict(SHOP)
    files["shop/broken.py"] = (
        "import not_installed_anywhere\n"
        "from sqlalchemy import Column, Integer\n"
        "from shop.base import Base\n"
        "class Gone(Base):\n"
        "    __tablename__ = 'gone'\n"
        "    id = Column(Integer, primary_key=True)\n"
    )
    report = compare_inventory(write_files(tmp_path, files), (), sys.executable)
    ((module, error),) = report.failed
    assert module == "shop.broken (.)" and "not_installed_anywhere" in error
    assert report.equal and report.tables == 5
    assert (report.modules, report.imported) == (2, 1)


# A model module that reads the app's configuration when imported: it imports only inside the
# app's context (as Flask apps whose models read ``current_app.config``).
CONFIGURED = {
    "shop/app.py": (
        "CONFIG = {}\n"
        "class Context:\n"
        "    def push(self):\n"
        "        CONFIG['prefix'] = 'shop_'\n"
        "class App:\n"
        "    def app_context(self):\n"
        "        return Context()\n"
        "def create_app():\n"
        "    return App()\n"
    ),
    "shop/configured.py": (
        "from sqlalchemy import Column, Integer, String\n"
        "from shop.app import CONFIG\n"
        "from shop.base import Base\n"
        "if not CONFIG:\n"
        "    raise RuntimeError('working outside of application context')\n"
        "class Setting(Base):\n"
        "    __tablename__ = 'settings'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    value = Column(String(40), nullable=False)\n"
    ),
}


def test_models_that_need_the_app_import_inside_its_context(tmp_path: Path) -> None:
    root = write_files(tmp_path, {**SHOP, **CONFIGURED})
    without = compare_inventory(root, (), sys.executable)
    ((module, error),) = without.failed
    assert module == "shop.configured (.)" and "outside of application context" in error
    within = compare_inventory(root, (), sys.executable, app="shop.app:create_app")
    assert within.failed == () and within.equal
    assert (within.imported, within.tables, within.columns) == (2, 6, 20)


def test_an_app_that_does_not_start_is_reported(tmp_path: Path) -> None:
    root = write_files(tmp_path, {**SHOP, **CONFIGURED})
    result = compare_inventory(root, ["shop/catalog.py"], sys.executable, app="shop.app:gone")
    ((what, error),) = result.failed
    assert what == "app shop.app:gone" and "gone" in error
    assert result.imported == 1 and result.tables == 5


def test_the_command_line_exits_1_on_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {**SHOP, "shop/odd.py": SHOP_ODD}
    assert main([str(write_files(tmp_path, files))]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("shop.odd:odd.id: metadata")
    assert out[-1].endswith("1 of 20 columns differ; 0 of 4 foreign keys differ")


# A mixin of an installed package (outside the repository) adds columns analyze cannot read;
# analyze says so (outside-base, U026) and the oracle counts them apart from the differences.
INSTALLED_MIXIN = {
    "authmix/__init__.py": (
        "from sqlalchemy import Column, Integer, String, ForeignKey\n"
        "class ClientMixin:\n"
        "    client_id = Column(String(48), index=True)\n"
        "    issued_at = Column(Integer, nullable=False, default=0)\n"
        "    owner_id = Column(Integer, ForeignKey('tags.id'))\n"
    ),
}
CLIENTS = {
    "shop/clients.py": (
        "from sqlalchemy import Column, Integer\n"
        "from authmix import ClientMixin\n"
        "from shop.base import Base\n"
        "class Client(Base, ClientMixin):\n"
        "    __tablename__ = 'clients'\n"
        "    id = Column(Integer, primary_key=True)\n"
    ),
}


def test_columns_of_an_installed_mixin_are_explained_by_outside_base(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", INSTALLED_MIXIN)
    root = write_files(tmp_path / "repo", {**SHOP, **CLIENTS})
    result = compare_inventory(root, (), sys.executable, extra_path=[site])
    assert result.failed == () and result.equal
    assert result.explained == (
        "shop.clients:clients.client_id: metadata Column(family='string', nullable=True, "
        "primary_key=False) (outside-base)",
        "shop.clients:clients.issued_at: metadata Column(family='integer', nullable=False, "
        "primary_key=False) (outside-base)",
        "shop.clients:clients.owner_id: metadata Column(family='integer', nullable=True, "
        "primary_key=False) (outside-base)",
        "shop.clients:clients: foreign key (('owner_id',), 'tags', ('id',)) (outside-base)",
    )
    assert result.counts()["differences"] == 0 and result.counts()["explained"] == 4
    assert (result.tables, result.tables_equal) == (6, 5)


# A column whose type a function of the repository computes (as superset's encrypted fields,
# chosen from the app's configuration): analyze says it cannot know it (runtime-column-type).
SECRETS = {
    "shop/fields.py": (
        "from sqlalchemy import LargeBinary, String\n"
        "def encrypted(inner):\n"
        "    return LargeBinary() if inner.length > 100 else String(inner.length)\n"
    ),
    "shop/secrets.py": (
        "from sqlalchemy import Column, Integer, String\n"
        "from shop.base import Base\n"
        "from shop.fields import encrypted\n"
        "class Secret(Base):\n"
        "    __tablename__ = 'secrets'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    password = Column(encrypted(String(1024)), nullable=False)\n"
    ),
}


def test_a_type_computed_at_start_up_is_explained_by_runtime_column_type(tmp_path: Path) -> None:
    root = write_files(tmp_path, {**SHOP, **SECRETS})
    result = compare_inventory(root, (), sys.executable)
    assert result.equal and result.counts()["differences"] == 0
    (explained,) = result.explained
    assert explained.startswith(
        "shop.secrets:secrets.password: metadata Column(family='binary', nullable=False"
    )
    assert explained.endswith("(runtime-column-type)")
