"""The decisions checked among themselves (the inventory is checked by build): each
contradiction becomes a problem with its line, gathered by ``load.parse_plan``."""

from __future__ import annotations

from collections.abc import Iterable

from unify.decisions.lines import Loc, Problems
from unify.models import Plan

UNDECIDED = ""  # a merge choice left empty: the build stops and lists it


def check_plan(plan: Plan, problems: Problems) -> None:
    """Add a problem for each decision that contradicts another (each with its line)."""
    _check_head(plan, problems)
    _check_classes(plan, problems)
    _check_merges(plan, problems)
    _check_tables(plan, problems)
    _check_column_types(plan, problems)


def _check_head(plan: Plan, problems: Problems) -> None:
    if plan.target_module and plan.target_module == plan.compat_module:
        problems.add(
            ("unify", "compat_module"), "[unify]: compat_module must differ from target_module"
        )
    if plan.compat_module and plan.compat_module in plan.legacy_modules:
        problems.add(
            ("unify", "compat_module"), "[unify]: compat_module must not be a legacy module"
        )
    for name in _duplicates(plan.legacy_modules):
        problems.add(("unify", "legacy_modules"), f"[unify]: legacy module {name!r} listed twice")
    if not plan.legacy_modules and "legacy_modules" in problems.keys_of("unify"):
        problems.add(("unify", "legacy_modules"), "[unify]: legacy_modules is empty")
    for name in _duplicates(plan.retired_modules):
        problems.add(("unify", "retired_modules"), f"[unify]: retired module {name!r} listed twice")
    for name in plan.retired_modules:
        if name in plan.legacy_modules:
            problems.add(
                ("unify", "retired_modules"),
                f"[unify]: retired module {name!r} is also a legacy module (a source)",
            )
        if name in (plan.target_module, plan.compat_module):
            which = "target" if name == plan.target_module else "compat"
            problems.add(
                ("unify", "retired_modules"), f"[unify]: retired module {name!r} is the {which} module"
            )
    for name in _duplicates(plan.sections):
        problems.add(("unify", "sections"), f"[unify]: section {name!r} listed twice")
    if not plan.sections and "sections" in problems.keys_of("unify"):
        problems.add(("unify", "sections"), "[unify]: sections is empty")


def _check_classes(plan: Plan, problems: Problems) -> None:
    seen_source: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    seen_table: dict[str, int] = {}
    for index, decision in enumerate(plan.classes):
        loc: Loc = ("class", index)
        if plan.sections and decision.section and decision.section not in plan.sections:
            problems.add(
                (*loc, "section"),
                f"[[class]] #{index + 1}: section {decision.section!r} is not one of {', '.join(repr(s) for s in plan.sections)}",
            )
        if decision.source and decision.source.rpartition(".")[0] not in plan.legacy_modules:
            problems.add(
                (*loc, "source"),
                f"[[class]] #{index + 1}: {decision.source} is not in a legacy module ({', '.join(plan.legacy_modules)})",
            )
        for value, seen, what in (
            (decision.source, seen_source, "source"),
            (decision.name, seen_name, "name"),
            (decision.table, seen_table, "table"),
        ):
            if value and value in seen:  # an empty table (mixin) may repeat
                problems.add(
                    (*loc, what),
                    f"[[class]] #{index + 1}: {what} {value!r} already used by [[class]] #{seen[value] + 1}",
                )
            seen.setdefault(value, index)


def _check_merges(plan: Plan, problems: Problems) -> None:
    by_source = {c.source: c for c in plan.classes}
    absorbed_seen: set[str] = set()
    for index, merge in enumerate(plan.merges):
        loc: Loc = ("merge", index)
        where = f"[[merge]] #{index + 1}"
        survivor = by_source.get(merge.survivor)
        if merge.survivor and survivor is None:
            problems.add(
                (*loc, "survivor"), f"{where}: survivor {merge.survivor} has no [[class]] entry"
            )
        elif (
            survivor is not None and merge.survivor_table and merge.survivor_table != survivor.table
        ):
            problems.add(
                (*loc, "survivor_table"),
                f"{where}: survivor_table {merge.survivor_table!r} differs from the survivor's table {survivor.table!r}",
            )
        for name in merge.absorbed:
            if name in by_source:
                problems.add(
                    (*loc, "absorbed"),
                    f"{where}: {name} is absorbed, so it must not have its own [[class]] entry",
                )
            if name in absorbed_seen or name == merge.survivor:
                problems.add((*loc, "absorbed"), f"{where}: {name} is absorbed twice")
            absorbed_seen.add(name)
        sides = {merge.survivor, *merge.absorbed}
        for choice in merge.choices:
            if choice.take_from != UNDECIDED and choice.take_from not in sides:
                problems.add(
                    (*loc, "choices", choice.member),
                    f"{where}: choice {choice.member!r} takes from {choice.take_from!r}, which is not one of {', '.join(sorted(sides))}",
                )


def _check_tables(plan: Plan, problems: Problems) -> None:
    olds: dict[str, int] = {}
    for index, rename in enumerate(plan.tables):
        loc: Loc = ("table_rename", index)
        if rename.old and rename.old == rename.new:
            problems.add(loc, f"[[table_rename]] #{index + 1}: old and new are both {rename.old!r}")
        if rename.old in olds:
            problems.add(
                (*loc, "old"),
                f"[[table_rename]] #{index + 1}: {rename.old!r} already renamed by #{olds[rename.old] + 1}",
            )
        olds.setdefault(rename.old, index)
    news = {r.new for r in plan.tables}
    for index, rename in enumerate(plan.tables):
        if rename.old in news:
            problems.add(
                ("table_rename", index, "old"),
                f"[[table_rename]] #{index + 1}: {rename.old!r} is also a new name (chained renames are ambiguous)",
            )


def _check_column_types(plan: Plan, problems: Problems) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, decision in enumerate(plan.column_types):
        key = (decision.table, decision.column)
        if key in seen:
            problems.add(
                ("column_type", index),
                f"[[column_type]] #{index + 1}: {decision.table}.{decision.column} already typed by #{seen[key] + 1}",
            )
        seen.setdefault(key, index)


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for item in items:
        if item in seen and item not in dups:
            dups.append(item)
        seen.add(item)
    return dups
