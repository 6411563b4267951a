"""One section of a picture: its tables, and the tables of other sections its foreign keys
reach, drawn as bare ``outside`` nodes so every edge still has both ends."""

from __future__ import annotations

from dataclasses import replace

from unify.diagram.records import Diagram, TableNode
from unify.errors import InputError


def select_section(diagram: Diagram, section: str) -> Diagram:
    """``diagram`` cut down to ``section`` (a plan section, or a module of the legacy
    picture); an unknown name is an input error listing the known ones."""
    if section not in diagram.sections:
        known = ", ".join(diagram.sections) or "none"
        raise InputError(f"--section {section!r}: no such section (sections: {known})")
    inside = {t.name for t in diagram.tables if t.section == section}
    edges = tuple(e for e in diagram.edges if e.table in inside or e.target_table in inside)
    reached = {n for e in edges for n in (e.table, e.target_table)} - inside
    tables = [t for t in diagram.tables if t.name in inside]
    tables += [_outside(t) for t in diagram.tables if t.name in reached]
    return replace(
        diagram,
        tables=tuple(tables),
        edges=edges,
        classes=tuple(c for c in diagram.classes if c.section == section),
        section=section,
    )


def _outside(table: TableNode) -> TableNode:
    where = f"in {table.section}" if table.section else "outside the section"
    return TableNode(name=table.name, section=table.section, kind="outside", notes=(where,))
