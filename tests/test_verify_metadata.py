"""verify's metadata: the unified module's table-level constraints (checks, indexes, unique,
composite primary keys) read in a subprocess and rebuilt for the scratch schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import write_files

from unify.mapping.load import load_schema
from unify.mapping.metadata import build_metadata

UNIFIED = """
from sqlalchemy import Column, Integer, String, CheckConstraint, Index, UniqueConstraint
from sqlalchemy import PrimaryKeyConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Price(Base):
    __tablename__ = 'prices'
    sku = Column(String(20))
    region = Column(String(4))
    amount = Column(Integer, nullable=False)
    __table_args__ = (
        PrimaryKeyConstraint('sku', 'region'),
        CheckConstraint('amount >= 0', name='ck_amount_positive'),
        UniqueConstraint('sku', 'amount'),
        Index('ix_price_amount', 'amount'),
    )
"""


def test_checks_and_indexes_reach_the_scratch_metadata(tmp_path: Path) -> None:
    repo = write_files(tmp_path, {"models.py": UNIFIED})
    schema = load_schema(repo, "models")
    assert not hasattr(schema, "rule"), schema
    (table,) = schema.tables  # type: ignore[union-attr]
    assert table.checks == ("amount >= 0",)
    assert table.indexes == (("ix_price_amount", ("amount",)),)
    metadata = build_metadata(schema)  # type: ignore[arg-type]
    prices = metadata.tables["prices"]
    assert [c.name for c in prices.primary_key.columns] == ["sku", "region"]
    assert [i.name for i in prices.indexes] == ["ix_price_amount"]
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(prices.insert().values(sku="a", region="eu", amount=1))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(prices.insert().values(sku="b", region="eu", amount=-1))
