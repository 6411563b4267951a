"""analyze's tables against the MetaData SQLAlchemy builds when the model modules are imported
(``benchmarks/oracle.py``; the import happens in a subprocess, never in unify)."""

from __future__ import annotations

import sys
from pathlib import Path

from clihelp import write_files

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from oracle import compare_with_metadata  # noqa: E402

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


def test_the_inventory_equals_the_imported_metadata(tmp_path: Path) -> None:
    report = compare_with_metadata(write_files(tmp_path, SHOP))
    assert report.failed == {}
    assert (report.differences, report.missing, report.extra) == ([], [], [])
    assert (report.tables, report.tables_equal) == (5, 5)
    assert report.columns == 18 and report.foreign_keys == 4


def test_the_oracle_reports_what_analyze_cannot_know(tmp_path: Path) -> None:
    files = dict(SHOP)
    files["shop/odd.py"] = (
        "from sqlalchemy import Column, Integer, String\n"
        "from shop.base import Base\n"
        "KEY = Integer\n"
        "class Odd(Base):\n"
        "    __tablename__ = 'odd'\n"
        "    id = Column(KEY, primary_key=True)\n"
        "    name = Column(String(5))\n"
    )
    report = compare_with_metadata(write_files(tmp_path, files))
    assert report.tables == 6 and report.columns_differing == 1
    (difference,) = report.differences
    assert difference.startswith("shop.odd:odd.id: metadata Column(family='integer'")


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
    report = compare_with_metadata(write_files(tmp_path, files))
    assert list(report.failed) == ["shop.broken (.)"]
    assert "not_installed_anywhere" in report.failed["shop.broken (.)"]
    assert report.equal and report.tables == 5
