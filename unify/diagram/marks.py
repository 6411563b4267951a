"""What the resolved plan says about each unified table and class: its section, the legacy
tables it absorbs or was called, the legacy classes it stands for.  Read, never derived: the
names and tables come from the ``ResolvedPlan``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from unify.diagram.records import EdgeNode, NameChange, TableNode
from unify.models import ResolvedPlan

_KEYWORD = re.compile(r"\b[a-z_]+=")


def display_type(text: str) -> str:
    """``String(length=36)`` -> ``String(36)``, ``Integer()`` -> ``Integer``."""
    shown = _KEYWORD.sub("", text.strip())
    return shown[:-2] if shown.endswith("()") else shown


def table_sections(resolved: ResolvedPlan) -> dict[str, str]:
    """``unified table -> section`` for every [[class]] entry with a table."""
    return {d.table: d.section for d in resolved.plan.classes if d.table}


def class_sections(resolved: ResolvedPlan) -> dict[str, str]:
    return {d.name: d.section for d in resolved.plan.classes}


def legacy_tables(resolved: ResolvedPlan) -> set[str]:
    """The tables the legacy classes map (placeholders left out)."""
    return {c.table for c in resolved.classes.values() if c.table}


def table_marks(resolved: ResolvedPlan) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """``unified table -> (absorbs, was)``: legacy tables whose rows join a table that
    exists already (a merge), or that the table is a new name for (a rename)."""
    existing = legacy_tables(resolved)
    incoming: dict[str, list[str]] = {}
    merged: set[str] = set()
    for move in resolved.table_moves:
        incoming.setdefault(move.unified, []).append(move.legacy)
        if move.merged or move.unified in existing:
            merged.add(move.unified)
    return {
        table: ((*olds,), ()) if table in merged else ((), (*olds,))
        for table, olds in incoming.items()
    }


def marked(table: TableNode, resolved: ResolvedPlan) -> TableNode:
    """``table`` with the legacy tables it absorbs or was called, the classes merged into it."""
    absorbs, was = table_marks(resolved).get(table.name, ((), ()))
    merges = tuple(
        a for m in resolved.plan.merges if m.survivor_table == table.name for a in m.absorbed
    )
    return replace(table, absorbs=absorbs, was=was, merges=merges)


def legacy_classes(resolved: ResolvedPlan) -> dict[str, tuple[str, ...]]:
    """``final class -> legacy classes (module.Class)`` it stands for, aliases included."""
    out: dict[str, list[str]] = {}
    for qualname, final in resolved.final.items():
        out.setdefault(final, []).append(qualname)
    for rename in resolved.plan.renames:
        out.setdefault(rename.name, []).append(f"{rename.legacy_module}.{rename.legacy_name}")
    return {name: tuple(dict.fromkeys(olds)) for name, olds in out.items()}


def name_changes(resolved: ResolvedPlan) -> tuple[NameChange, ...]:
    """Every legacy class and alias with its final class, then every legacy table that
    changes with its unified table."""
    merged = {a for m in resolved.plan.merges for a in m.absorbed}
    classes = [
        NameChange(kind="class", legacy=q, final=f, merged=q in merged)
        for q, f in resolved.final.items()
    ]
    classes += [
        NameChange(kind="class", legacy=f"{r.legacy_module}.{r.legacy_name}", final=r.name)
        for r in resolved.plan.renames
    ]
    absorbed = {t for t, (absorbs, _) in table_marks(resolved).items() if absorbs}
    tables = [
        NameChange(kind="table", legacy=m.legacy, final=m.unified, merged=m.unified in absorbed)
        for m in resolved.table_moves
    ]
    return (*sorted(classes, key=lambda n: n.legacy), *sorted(tables, key=lambda n: n.legacy))


def association_section(edges: Iterable[EdgeNode], table: str, sections: dict[str, str]) -> str:
    """An association table sits in the section of the first table it links."""
    targets = sorted(e.target_table for e in edges if e.table == table)
    return next((sections[t] for t in targets if t in sections), "")


def ordered_tables(tables: Iterable[TableNode], sections: Sequence[str]) -> tuple[TableNode, ...]:
    """By section (in the plan's order; tables of no section last), then by name."""
    rank = {s: i for i, s in enumerate(sections)}
    return tuple(sorted(tables, key=lambda t: (rank.get(t.section, len(rank)), t.name)))


def ordered_edges(edges: Iterable[EdgeNode]) -> tuple[EdgeNode, ...]:
    return tuple(sorted(edges, key=lambda e: (e.table, e.columns, e.target_table)))
