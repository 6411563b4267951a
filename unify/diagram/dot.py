"""Graphviz DOT text: one HTML-like table per table (a port per column), one cluster per
section, foreign keys as edges from the column to the key it references.

Styles tell the kinds apart: a merged table (absorbs legacy tables) is orange, a renamed
one green, a missing table (a dangling foreign key's target) red and dashed, a table of
another section grey and dotted; a conflicting foreign key is red and labelled.  Each edge's
tooltip is its ``table.column -> table.column`` line, so an SVG names every foreign key.
"""

from __future__ import annotations

from html import escape

from unify.diagram.mermaid import summary, title
from unify.diagram.records import ColumnNode, Diagram, EdgeNode, TableNode

FONT = "Helvetica"
HEADER = {
    "table": "#dbe9f6",
    "association": "#eeeeee",
    "merged": "#ffd591",
    "renamed": "#c9efc0",
    "conflict": "#f8c4c4",
    "missing": "#f8c4c4",
    "outside": "#ffffff",
}


def render_dot(diagram: Diagram) -> str:
    caption = _quoted(f"{title(diagram)}\n{summary(diagram)}")
    lines = [
        "digraph schema {",
        f"  graph [rankdir=LR, fontname={_quoted(FONT)}, labelloc=t, label={caption}];",
        f"  node [shape=plaintext, fontname={_quoted(FONT)}];",
        f"  edge [fontname={_quoted(FONT)}, fontsize=10, dir=both, arrowtail=crow, arrowhead=teeodot];",
    ]
    for index, section in enumerate(_sections(diagram), start=1):
        tables = [t for t in diagram.tables if t.section == section and t.kind != "outside"]
        if not tables:
            continue
        lines += [
            f"  subgraph cluster_{index} {{",
            f'    label={_quoted(section)}; style=rounded; color="#999999";',
        ]
        lines += [f"    {_node(t)}" for t in tables]
        lines.append("  }")
    loose = [t for t in diagram.tables if t.kind == "outside" or t.section not in diagram.sections]
    lines += [f"  {_node(t)}" for t in loose]
    lines += [f"  {_edge(e, diagram)}" for e in diagram.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _sections(diagram: Diagram) -> list[str]:
    return [s for s in diagram.sections if any(t.section == s for t in diagram.tables)]


def _style(table: TableNode) -> str:
    if table.kind in ("missing", "outside"):
        return table.kind
    if table.notes:
        return "conflict"
    if table.absorbs or table.merges:
        return "merged"
    if table.was:
        return "renamed"
    return table.kind


def _node(table: TableNode) -> str:
    style = _style(table)
    border = ' STYLE="dashed"' if style == "missing" else ""
    color = {"missing": "#cc0000", "conflict": "#cc0000", "outside": "#999999"}.get(
        style, "#555555"
    )
    rows = [f'<TR><TD COLSPAN="3" BGCOLOR="{HEADER[style]}"><B>{escape(table.name)}</B></TD></TR>']
    rows += [f'<TR><TD COLSPAN="3"><I>{escape(mark)}</I></TD></TR>' for mark in table.marks]
    rows += [_row(c) for c in table.columns]
    table_tag = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="{color}"{border}>'
    )
    html = "\n      ".join([table_tag, *rows, "</TABLE>"])
    return f"{_quoted(table.name)} [label=<{html}>];"


def _row(column: ColumnNode) -> str:
    name = f"<U>{escape(column.name)}</U>" if column.primary_key else escape(column.name)
    into, out = _quoted(f"in_{column.name}"), _quoted(f"out_{column.name}")
    return (
        f'<TR><TD PORT={into} ALIGN="LEFT">{name}</TD>'
        f'<TD ALIGN="LEFT">{escape(column.type)}</TD>'
        f'<TD PORT={out} ALIGN="LEFT">{" ".join(column.keys)}</TD></TR>'
    )


def _edge(edge: EdgeNode, diagram: Diagram) -> str:
    source = _port(diagram, edge.table, "out", edge.columns[0])
    target = _port(diagram, edge.target_table, "in", edge.target_columns[0])
    attrs = [f"tooltip={_quoted(edge.line)}"]
    if not edge.nullable:
        attrs.append("arrowhead=teetee")
    if edge.notes:
        attrs += [
            f"label={_quoted('; '.join(edge.notes))}",
            'color="#cc0000"',
            'fontcolor="#cc0000"',
            "penwidth=2",
        ]
    return f"{source} -> {target} [{', '.join(attrs)}];"


def _port(diagram: Diagram, table: str, way: str, column: str) -> str:
    """The column's port (``in_`` on the west side of its row, ``out_`` on the east side)
    when the node draws the column, else the node itself."""
    node = diagram.table(table)
    if node is not None and any(c.name == column for c in node.columns):
        side = "e" if way == "out" else "w"
        port = _quoted(f"{way}_{column}")
        return f"{_quoted(table)}:{port}:{side}"
    return _quoted(table)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
