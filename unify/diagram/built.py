"""The picture of the built unified module: its metadata (exact, read in a subprocess by
``verify_fks.load_schema``) and its classes as analyze reads them (relationships)."""

from __future__ import annotations

from collections.abc import Sequence

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
from unify.diagram.records import (
    ClassNode,
    ColumnNode,
    Diagram,
    EdgeNode,
    RelationshipNode,
    TableKind,
    TableNode,
)
from unify.models import (
    ForeignKeyShape,
    ModelClass,
    RelationshipSpec,
    ResolvedPlan,
    SchemaShape,
    TableShape,
)


def diagram_from_schema(
    schema: SchemaShape, resolved: ResolvedPlan, classes: Sequence[ModelClass]
) -> Diagram:
    """Tables, columns and foreign keys from ``schema``; sections, merges and renames from
    the resolved plan; class names and relationships from the built module's ``classes``."""
    edges = ordered_edges(_edge(t, fk) for t in schema.tables for fk in t.foreign_keys)
    sections = table_sections(resolved)
    mapped = {c.table: c.name for c in classes if c.table}
    tables = []
    for shape in schema.tables:
        kind: TableKind = "table" if shape.name in mapped else "association"
        section = sections.get(shape.name) or association_section(edges, shape.name, sections)
        node = TableNode(
            name=shape.name,
            columns=_columns(shape),
            section=section,
            classes=(mapped[shape.name],) if shape.name in mapped else (),
            kind=kind,
        )
        tables.append(marked(node, resolved))
    return Diagram(
        source="built",
        module=schema.module,
        tables=ordered_tables(tables, resolved.sections),
        edges=edges,
        sections=resolved.sections,
        classes=_classes(classes, resolved),
        names=name_changes(resolved),
    )


def _columns(shape: TableShape) -> tuple[ColumnNode, ...]:
    fk_columns = {c for fk in shape.foreign_keys for c in fk.columns}
    unique = {u[0] for u in shape.unique if len(u) == 1}
    return tuple(
        ColumnNode(
            name=c.name,
            type=display_type(c.type),
            primary_key=c.primary_key,
            foreign_key=c.name in fk_columns,
            unique=c.name in unique,
            nullable=c.nullable,
        )
        for c in shape.columns
    )


def _edge(shape: TableShape, fk: ForeignKeyShape) -> EdgeNode:
    nullable = {c.name: c.nullable for c in shape.columns}
    return EdgeNode(
        table=shape.name,
        columns=fk.columns,
        target_table=fk.target_table,
        target_columns=fk.target_columns,
        nullable=any(nullable.get(c, True) for c in fk.columns),
    )


def _classes(classes: Sequence[ModelClass], resolved: ResolvedPlan) -> tuple[ClassNode, ...]:
    sections, legacy = class_sections(resolved), legacy_classes(resolved)
    return tuple(
        ClassNode(
            name=c.name,
            table=c.table or "",
            section=sections.get(c.name, ""),
            legacy=legacy.get(c.name, ()),
            relationships=tuple(relationship_node(r, r.target) for r in c.relationships),
        )
        for c in classes
    )


def relationship_node(
    rel: RelationshipSpec, target: str, backref: str | None = None
) -> RelationshipNode:
    """``rel`` pointing at class ``target``, its backref renamed when the plan says so."""
    return RelationshipNode(
        attr=rel.attr,
        target=target,
        backref=backref or rel.backref,
        back_populates=rel.back_populates,
        secondary=rel.secondary,
    )
