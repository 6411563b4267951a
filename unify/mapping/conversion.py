"""Conversion: a database value as the migration would cast it to the unified type, in SQL.

Two separate questions about a column type: its family, in the vocabulary's words
(``vocabulary.type_family``: integer, numeric, string, uuid; other families are not converted
here), and, for integers only, its width (the bounds of smallint, integer and bigint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from unify.vocabulary import type_family

INT_PATTERN = r"^\s*[+-]?[0-9]{1,18}\s*$"
NUMERIC_PATTERN = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
UUID_PATTERN = r"^\s*\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?\s*$"

# The SQLAlchemy base classes of the families a value is converted between, checked in this
# order; each family is the vocabulary's word for the base class (integer, numeric, string,
# uuid).  A type of none of them is OTHER (``Float`` too: since SQLAlchemy 2.1 it is not a
# ``Numeric``, and float columns are not converted here).
FAMILY_BASES: tuple[tuple[type[TypeEngine[Any]], str], ...] = tuple(
    (base, type_family(base.__name__)) for base in (sa.Integer, sa.Numeric, sa.String, sa.Uuid)
)
INTEGER, NUMERIC, STRING, UUID = (family for _, family in FAMILY_BASES)
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Conversion:
    """An SQL expression of a value as the unified type; ``guard`` is true when it converts."""

    value: str
    guard: str | None = None


def column_family(type_: TypeEngine[Any]) -> str:
    """The vocabulary family of a SQLAlchemy type (``VARCHAR`` and ``Enum`` are strings,
    ``BigInteger`` an integer); ``OTHER`` for the families not converted here."""
    for base, family in FAMILY_BASES:
        if isinstance(type_, base):
            return family
    return OTHER


def integer_bound(type_: TypeEngine[Any]) -> int:
    """An integer type's width as the exclusive bound of its absolute value (two's complement:
    values from ``-bound`` to ``bound - 1``)."""
    if isinstance(type_, sa.BigInteger):
        return 2**63
    if isinstance(type_, sa.SmallInteger):
        return 2**15
    return 2**31


def convert(expr: str, source: TypeEngine[Any], target: TypeEngine[Any]) -> Conversion | None:
    """``expr`` (of ``source`` type) as the migration would cast it to ``target``.

    Non-castable text becomes NULL (a regex guards the cast, so no query fails); ``None`` when
    unify does not know how the migration would convert.
    """
    src, dst = column_family(source), column_family(target)
    if dst == INTEGER:
        return _to_integer(expr, source, src, integer_bound(target))
    if src == dst and src != OTHER:
        return Conversion(expr)
    if dst == STRING:
        return Conversion(f"CAST({expr} AS text)")
    if src == STRING and dst in (NUMERIC, UUID):
        pattern = NUMERIC_PATTERN if dst == NUMERIC else UUID_PATTERN
        value = f"(CASE WHEN {expr} ~ '{pattern}' THEN CAST({expr} AS {dst}) END)"
        return Conversion(value, f"{value} IS NOT NULL")
    if type(source) is type(target):
        return Conversion(expr)
    return None


def unguarded(value: str) -> str:
    """A guarded text conversion (``(CASE WHEN x ~ 'pattern' THEN CAST(x AS t) END)``) as its
    bare cast, for rows already proved to convert: the same value without the regex; any
    other expression as it is."""
    head, _, rest = value.partition(" THEN ")
    if not (value.startswith("(CASE WHEN ") and " ~ '" in head and rest.endswith(" END)")):
        return value
    return rest.removesuffix(" END)")


def _to_integer(expr: str, source: TypeEngine[Any], src: str, bound: int) -> Conversion | None:
    if src == INTEGER:
        narrower = integer_bound(source) > bound
        return Conversion(expr, f"{expr} BETWEEN {-bound} AND {bound - 1}" if narrower else None)
    if src == STRING:
        value = f"(CASE WHEN {expr} ~ '{INT_PATTERN}' THEN CAST({expr} AS bigint) END)"
        return Conversion(value, f"{value} BETWEEN {-bound} AND {bound - 1}")
    if src == NUMERIC:
        value = f"(CASE WHEN {expr} = trunc({expr}) AND abs({expr}) < {bound} THEN CAST({expr} AS bigint) END)"
        return Conversion(value, f"{value} IS NOT NULL")
    return None
