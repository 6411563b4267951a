"""The picture of the unified schema before the build: the resolved plan's entities (the
survivor's columns, an absorbed class's where it adds one or a choice takes it), the
plan's key types, and the legacy association tables under their unified names."""

from __future__ import annotations

from collections.abc import Iterator

from unify.diagram.built import relationship_node
from unify.diagram.marks import (
    association_section,
    class_sections,
    display_type,
    legacy_classes,
    marked,
    name_changes,
    ordered_edges,
    ordered_tables,
    table_sections,
)
from unify.diagram.records import ClassNode, ColumnNode, Diagram, EdgeNode, TableNode
from unify.models import (
    ColumnSpec,
    Entity,
    ForeignKeySpec,
    Inventory,
    ModelClass,
    ResolvedPlan,
    TableDef,
)
from unify.resolve import kept_relationships


def diagram_from_plan(resolved: ResolvedPlan, inventory: Inventory) -> Diagram:
    """What the build will make of the legacy classes, as a picture."""
    tables, edges = [], []
    for entity in resolved.entities:
        if entity.table:
            table, more = _entity_table(entity, resolved)
            tables.append(table)
            edges += more
    sections = table_sections(resolved)
    for tdef in _association_tables(inventory, resolved):
        name = resolved.tables.get(tdef.table, tdef.table)
        more = [_edge(name, fk, tdef.columns, resolved) for fk in tdef.foreign_keys]
        columns = tuple(_column(name, c, more, resolved) for c in tdef.columns)
        section = association_section(more, name, sections)
        tables.append(TableNode(name=name, columns=columns, section=section, kind="association"))
        edges += more
    return Diagram(
        source="plan",
        module=resolved.plan.target_module,
        tables=ordered_tables((marked(t, resolved) for t in tables), resolved.sections),
        edges=ordered_edges(edges),
        sections=resolved.sections,
        classes=tuple(_class_node(e, resolved) for e in resolved.entities),
        names=name_changes(resolved),
    )


def _entity_table(entity: Entity, resolved: ResolvedPlan) -> tuple[TableNode, list[EdgeNode]]:
    kept = _kept_columns(entity, resolved)
    edges = [
        _edge(entity.table, fk, tuple(c for _, c in kept), resolved)
        for cls in entity.classes
        for fk in cls.foreign_keys
        if all(any(o is cls and c.name == col for o, c in kept) for col in fk.columns)
    ]
    columns = tuple(_column(entity.table, c, edges, resolved) for _, c in kept)
    section = table_sections(resolved).get(entity.table, "")
    node = TableNode(name=entity.table, columns=columns, section=section, classes=(entity.name,))
    return node, edges


def _kept_columns(entity: Entity, resolved: ResolvedPlan) -> list[tuple[ModelClass, ColumnSpec]]:
    """The survivor's columns, each absorbed class's that add one (or that a choice takes);
    mixin columns last, as SQLAlchemy places them."""
    choice = {
        c.member: c.take_from
        for m in resolved.plan.merges
        if m.survivor == entity.survivor.qualname
        for c in m.choices
    }
    kept: dict[str, tuple[ModelClass, ColumnSpec]] = {}
    for cls in entity.classes:
        for col in cls.columns:
            if col.name not in kept or choice.get(col.attr) == cls.qualname:
                kept[col.name] = (cls, col)
    own = [k for k in kept.values() if not k[1].from_mixin]
    return own + [k for k in kept.values() if k[1].from_mixin]


def _column(
    table: str, col: ColumnSpec, edges: list[EdgeNode], resolved: ResolvedPlan
) -> ColumnNode:
    fk_columns = {c for e in edges if e.table == table for c in e.columns}
    return ColumnNode(
        name=col.name,
        type=display_type(resolved.column_types.get((table, col.name), col.type)),
        primary_key=col.primary_key,
        foreign_key=col.name in fk_columns,
        unique=col.unique,
        nullable=col.nullable if col.nullable is not None else not col.primary_key,
    )


def _edge(
    table: str, fk: ForeignKeySpec, columns: tuple[ColumnSpec, ...], resolved: ResolvedPlan
) -> EdgeNode:
    nullable = {c.name: c.nullable is not False and not c.primary_key for c in columns}
    return EdgeNode(
        table=table,
        columns=fk.columns,
        target_table=resolved.tables.get(fk.target_table, fk.target_table),
        target_columns=fk.target_columns,
        nullable=any(nullable.get(c, True) for c in fk.columns),
    )


def _association_tables(inventory: Inventory, resolved: ResolvedPlan) -> Iterator[TableDef]:
    """The legacy modules' ``Table(...)`` objects, once per unified table name."""
    seen: set[str] = set()
    for module in inventory.modules:
        if module.name not in resolved.plan.legacy_modules:
            continue
        for tdef in module.tables:
            name = resolved.tables.get(tdef.table, tdef.table)
            if name not in seen:
                seen.add(name)
                yield tdef


def _class_node(entity: Entity, resolved: ResolvedPlan) -> ClassNode:
    relationships = tuple(
        relationship_node(
            rel,
            resolved.final_in(cls.module, rel.target.rpartition(".")[2]),
            resolved.backrefs.get((cls.qualname, rel.attr)),
        )
        for cls, rel in kept_relationships(entity, resolved.plan.merges)
    )
    return ClassNode(
        name=entity.name,
        table=entity.table,
        section=class_sections(resolved).get(entity.name, ""),
        legacy=legacy_classes(resolved).get(entity.name, ()),
        relationships=relationships,
    )
