"""Mermaid ``erDiagram`` text (renders on GitHub and GitLab) and the Markdown around it.

Merged and renamed tables carry their marks in the entity's alias (``users["users
(absorbs legacy_users)"]``, Mermaid 10.5+); conflicts of the legacy picture are in the alias
and the relationship label.  Sections are comment lines (``%% section``).
"""

from __future__ import annotations

import re

from unify.diagram.records import ColumnNode, Diagram, EdgeNode, TableNode

_NOT_TYPE_CHAR = re.compile(r"[^A-Za-z0-9_()\[\]-]+")
_NOT_LABEL_CHAR = re.compile(r'["%\\]')
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
SOURCES = {
    "built": "the built module",
    "plan": "the plan, before the build",
    "legacy": "the legacy modules, conflicts marked",
}


def render_mermaid(diagram: Diagram) -> str:
    """The ``erDiagram`` block (no fence)."""
    lines = ["erDiagram"]
    section = None
    for table in diagram.tables:
        if table.section != section and table.kind != "outside":
            section = table.section
            lines.append(f"    %% {section or 'not in a section'}")
        lines += _entity(table)
    lines += [_relationship(e) for e in diagram.edges]
    return "\n".join(lines) + "\n"


def render_markdown(diagram: Diagram) -> str:
    """A Markdown page: a title, what the picture shows, the fenced diagram."""
    return f"# {title(diagram)}\n\n{summary(diagram)}\n\n```mermaid\n{render_mermaid(diagram)}```\n"


def title(diagram: Diagram) -> str:
    what = "Legacy schema" if diagram.source == "legacy" else "Unified schema"
    part = f", section {diagram.section}" if diagram.section else ""
    return f"{what}: {diagram.module}{part}"


def summary(diagram: Diagram) -> str:
    return f"Drawn from {SOURCES[diagram.source]}: {counts(diagram)}."


def counts(diagram: Diagram) -> str:
    """How many tables and foreign keys, how many marked."""
    shown = [t for t in diagram.tables if t.kind != "outside"]
    marked = sum(1 for t in shown if t.marks)
    found = f"{len(shown)} tables, {len(diagram.edges)} foreign keys"
    if diagram.source == "legacy":
        bad = sum(1 for e in diagram.edges if e.notes)
        return f"{found}; {marked} table(s) and {bad} foreign key(s) marked with a conflict"
    return f"{found}; {marked} table(s) marked with a merge or rename"


def _entity(table: TableNode) -> list[str]:
    head = f"    {_name(table.name)}"
    if table.label != table.name:
        head += f'["{_label(table.label)}"]'
    if not table.columns:
        return [head]
    return [head + " {", *(_attribute(c) for c in table.columns), "    }"]


def _attribute(column: ColumnNode) -> str:
    """``type name keys``: both words limited to what every Mermaid since 9 parses."""
    kind = _word(column.type) or "unknown"
    keys = f" {', '.join(column.keys)}" if column.keys else ""
    return f"        {kind} {_word(column.name) or 'column'}{keys}"


def _word(text: str) -> str:
    word = _NOT_TYPE_CHAR.sub("_", text).strip("_")
    return f"_{word}" if word[:1].isdigit() else word


def _name(table: str) -> str:
    """A table name as an entity: quoted unless it is a plain word."""
    return table if _PLAIN_NAME.fullmatch(table) else f'"{_label(table)}"'


def _relationship(edge: EdgeNode) -> str:
    parent = "|o" if edge.nullable else "||"
    label = ", ".join(edge.columns)
    if edge.notes:
        label += " -- " + "; ".join(edge.notes)
    return f'    {_name(edge.target_table)} {parent}--o{{ {_name(edge.table)} : "{_label(label)}"'


def _label(text: str) -> str:
    return _NOT_LABEL_CHAR.sub("'", text)
