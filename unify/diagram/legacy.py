"""The picture of the legacy schema, before the unification, with analyze's conflicts
marked: a table mapped twice (duplicate-table), a foreign key to a table no model defines
(dangling-fk, drawn to a placeholder marked missing), a foreign key whose column type
differs from its key's (fk-type-mismatch, labelled with both types)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from unify.diagram.built import relationship_node
from unify.diagram.marks import display_type, ordered_edges, ordered_tables
from unify.diagram.records import ClassNode, ColumnNode, Diagram, EdgeNode, TableNode
from unify.models import (
    ColumnSpec,
    Finding,
    ForeignKeySpec,
    Inventory,
    ModelClass,
    ModelModule,
)

DUPLICATE_TABLE, DANGLING_FK, FK_TYPE_MISMATCH = "U002", "U003", "U004"


@dataclass(slots=True)
class _Tables:
    """The legacy tables as they are gathered: columns by name (the first class's spelling
    wins), the classes mapping each, the module declaring it first, every foreign key."""

    columns: dict[str, dict[str, ColumnSpec]] = field(default_factory=dict)
    owners: dict[str, list[str]] = field(default_factory=dict)
    section: dict[str, str] = field(default_factory=dict)
    specs: list[ForeignKeySpec] = field(default_factory=list)

    def add(self, module: str, table: str, columns: Iterable[ColumnSpec]) -> None:
        found = self.columns.setdefault(table, {})
        for col in columns:
            found.setdefault(col.name, col)
        self.section.setdefault(table, module)


def diagram_from_inventory(inventory: Inventory, modules: tuple[str, ...] = ()) -> Diagram:
    """Every table the legacy ``modules`` (default: all model modules) map, one section
    per module, with the conflicts analyze found."""
    picked = [m for m in inventory.modules if not modules or m.name in modules]
    found = _gather(picked)
    # the conflicts of the modules drawn (a dead copy the plan retires is not drawn, nor are
    # the duplicates it makes)
    paths = {m.path for m in picked}
    findings = tuple(f for f in inventory.findings if not modules or f.path in paths)
    columns = found.columns
    edges = [_marked_edge(_edge(fk, columns), fk, findings, columns) for fk in found.specs]
    keyed = {(fk.table, c) for fk in found.specs for c in fk.columns}
    tables = [
        _table(name, cols, found.section[name], found.owners.get(name, ()), findings, keyed)
        for name, cols in columns.items()
    ]
    tables += _missing(edges, columns)
    names = tuple(m.name for m in picked)
    return Diagram(
        source="legacy",
        module=", ".join(names),
        tables=ordered_tables(tables, names),
        edges=ordered_edges(edges),
        sections=names,
        classes=tuple(_class_node(m.name, c) for m in picked for c in m.classes if not c.guarded),
    )


def _gather(modules: Iterable[ModelModule]) -> _Tables:
    found = _Tables()
    for module in modules:
        for cls in module.classes:
            if cls.table and not (cls.mixin or cls.abstract or cls.guarded):
                found.add(module.name, cls.table, cls.columns)
                found.owners.setdefault(cls.table, []).append(cls.qualname)
                found.specs += cls.foreign_keys
        for tdef in module.tables:
            found.add(module.name, tdef.table, tdef.columns)
            found.specs += tdef.foreign_keys
    return found


def _class_node(module: str, cls: ModelClass) -> ClassNode:
    return ClassNode(
        name=cls.qualname,
        table=cls.table or "",
        section=module,
        relationships=tuple(relationship_node(r, r.target) for r in cls.relationships),
    )


def _edge(fk: ForeignKeySpec, columns: dict[str, dict[str, ColumnSpec]]) -> EdgeNode:
    mine = columns.get(fk.table, {})
    return EdgeNode(
        table=fk.table,
        columns=fk.columns,
        target_table=fk.target_table,
        target_columns=fk.target_columns,
        nullable=any(mine[c].nullable is not False for c in fk.columns if c in mine),
    )


def _marked_edge(
    edge: EdgeNode,
    fk: ForeignKeySpec,
    findings: Iterable[Finding],
    columns: dict[str, dict[str, ColumnSpec]],
) -> EdgeNode:
    """The edge with the dangling-fk and fk-type-mismatch findings made at its column."""
    notes = []
    child = f"{fk.table}.{fk.columns[0]}"
    for f in findings:
        if f.code == DANGLING_FK and f.objects[:1] == (fk.model,) and f.line == fk.line:
            meant = f" (means {f.objects[2]}?)" if len(f.objects) > 2 and f.objects[2] else ""
            notes.append(f"dangling: no table {fk.target_table}{meant}")
        elif f.code == FK_TYPE_MISMATCH and len(f.objects) > 2 and f.objects[1] == child:
            parent = f.objects[2]
            table, _, column = parent.partition(".")
            mine = columns.get(fk.table, {}).get(fk.columns[0])
            theirs = columns.get(table, {}).get(column)
            left = display_type(mine.type) if mine else "?"
            right = display_type(theirs.type) if theirs else "?"
            notes.append(f"type mismatch: {left} vs {parent} {right}")
    return replace(edge, notes=tuple(notes))


def _table(
    name: str,
    columns: dict[str, ColumnSpec],
    section: str,
    owners: Iterable[str],
    findings: Iterable[Finding],
    keyed: set[tuple[str, str]],
) -> TableNode:
    classes = tuple(owners)
    twice = any(f.code == DUPLICATE_TABLE and name in f.objects[-1:] for f in findings)
    notes = (f"mapped twice: {', '.join(classes)}",) if twice else ()
    fk_columns = {c for t, c in keyed if t == name}
    return TableNode(
        name=name,
        columns=tuple(_column(c, fk_columns) for c in columns.values()),
        section=section,
        classes=classes,
        kind="table" if classes else "association",
        notes=notes,
    )


def _column(col: ColumnSpec, fk_columns: set[str]) -> ColumnNode:
    return ColumnNode(
        name=col.name,
        type=display_type(col.type),
        primary_key=col.primary_key,
        foreign_key=col.name in fk_columns,
        unique=col.unique,
        nullable=col.nullable if col.nullable is not None else not col.primary_key,
    )


def _missing(
    edges: Iterable[EdgeNode], columns: dict[str, dict[str, ColumnSpec]]
) -> list[TableNode]:
    """A placeholder for each table a foreign key names that no model defines."""
    wanted: dict[str, dict[str, None]] = {}
    for edge in edges:
        if edge.target_table not in columns:
            wanted.setdefault(edge.target_table, {}).update(dict.fromkeys(edge.target_columns))
    return [
        TableNode(
            name=name,
            columns=tuple(ColumnNode(name=c, type="unknown", primary_key=True) for c in cols),
            kind="missing",
        )
        for name, cols in wanted.items()
    ]
