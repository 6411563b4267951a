"""The decisions file (``unify.toml``): propose it, render it, load and validate it, and
derive the rename map from the resolved plan.

The file is TOML.  Its tables, in order::

    [unify]            target_module, compat_module, legacy_modules (to retire),
                       legacy_paths (optional), sections (optional: the sections, in order)
    [[table_rename]]   old, new                      (every FK string and table name)
    [[class]]          source ("module.Class"), name, table, section
    [[merge]]          survivor, absorbed, survivor_table, absorbed_tables
    [merge.choices]    member = "module.Class"       (which side wins a conflicting member)
    [[column_type]]    table, column, type           (keys and FK columns; canonical tables)
    [[rename]]         legacy ("module.Name"), name  (aliases and other renamed names)
    [[backref]]        model ("module.Class"), relationship, rename_to

The stage, in order:

1. ``propose_plan(inventory)``: entities (``entities``), sections (``sections``), merges
   with the members both sides define differently (``members``), tables, types, renames.
2. ``render_plan_toml(plan, inventory)``: the commented file (``render``);
   ``write_plan_file`` writes it.
3. ``load_plan(path)``: TOML with line numbers (``lines``, ``load``), then the decisions
   checked among themselves (``validate``); every problem gathered into one ``PlanError``.
4. ``rename_map(resolved, phase)``: what legacy imports become (``renames``).
"""

from __future__ import annotations

from unify.decisions.load import check_legacy_paths, load_plan, parse_plan
from unify.decisions.propose import importable_only, propose_plan
from unify.decisions.renames import rename_map
from unify.decisions.render import render_plan_toml, write_plan_file
from unify.decisions.validate import UNDECIDED

__all__ = [
    "UNDECIDED",
    "check_legacy_paths",
    "importable_only",
    "load_plan",
    "parse_plan",
    "propose_plan",
    "rename_map",
    "render_plan_toml",
    "write_plan_file",
]
