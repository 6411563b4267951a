"""The rule catalogue of ``unify analyze`` and the check that turns an ``Inventory`` into
findings.  The rule families live in :mod:`unify.inventory.rules`, each next to its checks;
every rule is documented (what / why / how to fix) in ``docs/rules.md``."""

from __future__ import annotations

from unify.inventory.rules import RULES, check_inventory

__all__ = ["RULES", "check_inventory"]
