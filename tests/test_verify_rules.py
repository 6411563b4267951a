"""The verify stage's rule families: every data-check module is registered once in ``CHECKS``,
its rules are in the stage's catalogue, and type families are the vocabulary's words."""

from __future__ import annotations

import pkgutil

import sqlalchemy as sa

from unify import verify_fks
from unify.mapping.conversion import OTHER, column_family, integer_bound
from unify.verify import checks
from unify.verify.checks import CHECKS
from unify.vocabulary import type_family


def test_every_check_module_is_one_entry_of_checks() -> None:
    modules = {m.name for m in pkgutil.iter_modules(checks.__path__)} - {"query"}
    registered = [family.make.__module__.rpartition(".")[2] for family in CHECKS]
    assert sorted(registered) == sorted(modules)


def test_the_catalogue_holds_every_family_rule_once() -> None:
    family_rules = [rule for family in CHECKS for rule in family.rules]
    assert all(verify_fks.RULES[rule.name] is rule for rule in family_rules)
    assert len(verify_fks.RULES) == len(family_rules) + 4  # load, 2 scratch, schema-drift


def test_type_families_are_the_vocabularys_words() -> None:
    for type_, name in [
        (sa.VARCHAR(36), "VARCHAR"),
        (sa.Text(), "Text"),
        (sa.BigInteger(), "BigInteger"),
        (sa.SmallInteger(), "SmallInteger"),
        (sa.Numeric(10, 2), "Numeric"),
        (sa.Uuid(), "Uuid"),
    ]:
        assert column_family(type_) == type_family(name)
    assert column_family(sa.Boolean()) == OTHER


def test_integer_width_is_its_own_concern() -> None:
    assert integer_bound(sa.SmallInteger()) == 2**15
    assert integer_bound(sa.Integer()) == 2**31
    assert integer_bound(sa.BigInteger()) == 2**63
