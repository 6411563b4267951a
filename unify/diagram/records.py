"""The diagram's own records: a schema picture that every renderer reads.

Built from the unified module's metadata (``built``), from the resolved plan before the
build (``plan``) or from the legacy inventory (``legacy``); rendered as Mermaid, DOT or the
model document.  Nothing outside ``unify.diagram`` reads them, so they live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DiagramSource = Literal["built", "plan", "legacy"]
TableKind = Literal["table", "association", "missing", "outside"]
NameKind = Literal["class", "table"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnNode:
    """A column: ``type`` as written for people (``String(36)``, ``Integer``)."""

    name: str
    type: str
    primary_key: bool = False
    foreign_key: bool = False
    unique: bool = False
    nullable: bool = True

    @property
    def keys(self) -> tuple[str, ...]:
        flags = (("PK", self.primary_key), ("FK", self.foreign_key), ("UK", self.unique))
        return tuple(k for k, on in flags if on)


@dataclass(frozen=True, slots=True, kw_only=True)
class TableNode:
    """A table.  ``absorbs``: legacy tables merged into it; ``was``: its legacy name(s);
    ``merges``: legacy classes a merge folds into its class; ``notes``: conflicts (legacy)
    or remarks shown next to its name.  ``missing``: a table
    a foreign key names but no model defines; ``outside``: a table of another section."""

    name: str
    columns: tuple[ColumnNode, ...] = ()
    section: str = ""
    classes: tuple[str, ...] = ()
    kind: TableKind = "table"
    absorbs: tuple[str, ...] = ()
    was: tuple[str, ...] = ()
    merges: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def marks(self) -> tuple[str, ...]:
        """What the label says after the name: merges, renames, conflicts."""
        out = []
        if self.merges:
            out.append("merges " + ", ".join(self.merges))
        if self.absorbs:
            out.append("absorbs " + ", ".join(self.absorbs))
        if self.was:
            out.append("was " + ", ".join(self.was))
        if self.kind == "missing":
            out.append("MISSING: no model defines it")
        return (*out, *self.notes)

    @property
    def label(self) -> str:
        return f"{self.name} ({'; '.join(self.marks)})" if self.marks else self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeNode:
    """A foreign key ``table.columns -> target_table.target_columns``; ``notes`` name its
    conflicts (a dangling target, a type mismatch)."""

    table: str
    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]
    nullable: bool = True
    notes: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        cols, target = ",".join(self.columns), ",".join(self.target_columns)
        return f"{self.table}.{cols} -> {self.target_table}.{target}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationshipNode:
    """``attr = relationship(target, ...)`` on a class; ``target`` is a class name."""

    attr: str
    target: str
    backref: str | None = None
    back_populates: str | None = None
    secondary: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassNode:
    """A class of the schema: its table ("" for a mixin), section, the legacy classes it
    stands for (``module.Class``) and its relationships."""

    name: str
    table: str
    section: str = ""
    legacy: tuple[str, ...] = ()
    relationships: tuple[RelationshipNode, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NameChange:
    """A legacy name and what it became: a class (``module.Class -> Class``) or a table."""

    kind: NameKind
    legacy: str
    final: str
    merged: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagram:
    """A schema picture: tables grouped by ``sections`` (the plan's, or the legacy modules),
    foreign keys, classes, and the legacy names' fate."""

    source: DiagramSource
    module: str
    tables: tuple[TableNode, ...]
    edges: tuple[EdgeNode, ...]
    sections: tuple[str, ...] = ()
    classes: tuple[ClassNode, ...] = ()
    names: tuple[NameChange, ...] = ()
    section: str = ""  # set when the picture shows one section only

    def table(self, name: str) -> TableNode | None:
        return next((t for t in self.tables if t.name == name), None)
