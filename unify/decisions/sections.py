"""The sections the plan proposes, from the app itself.

The first section holds what every class needs: the database setup, the declarative bases,
the mixins and abstract classes.  Then one section per legacy module, named after it, in the
order of the modules, holding the entities whose surviving class comes from that module.  A
class that inherits from another entity's class is placed no earlier than that class's
section (a base must be defined first).  The user may rename, reorder or regroup them.
"""

from __future__ import annotations

from collections.abc import Iterable

from unify.models import Entity, Inventory
from unify.vocabulary import last_part

SHARED_SECTION = "Shared bases and database setup"

SECTIONS_COMMENT = (
    "# Sections of the unified module, in order (any names): the first holds the database",
    "# setup, the declarative bases and the mixins; then one section per legacy module, named",
    "# after it, for the entities whose surviving class comes from it (a subclass goes no",
    "# earlier than its base).  Rename, reorder or regroup them as you like.",
)


def propose_sections(
    inventory: Inventory, entities: Iterable[Entity]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """``(sections in order, survivor qualname -> section)``."""
    entities = list(entities)
    ranks = {SHARED_SECTION: 0} | {m.name: i + 1 for i, m in enumerate(inventory.modules)}
    section = {e.survivor.qualname: _own_section(e) for e in entities}
    parents = _parent_survivors(entities)
    for _ in entities:  # a chain of subclasses settles in at most one pass per entity
        moved = False
        for child, bases in parents.items():
            latest = max((section[b] for b in bases), key=ranks.__getitem__, default="")
            if latest and ranks[latest] > ranks[section[child]]:
                section[child], moved = latest, True
        if not moved:
            break
    used = set(section.values())
    ordered = (SHARED_SECTION, *(m for m in ranks if m in used and m != SHARED_SECTION))
    return ordered, section


def _own_section(entity: Entity) -> str:
    survivor = entity.survivor
    if survivor.mixin or survivor.abstract:
        return SHARED_SECTION
    return survivor.qualname.rpartition(".")[0]


def _parent_survivors(entities: list[Entity]) -> dict[str, list[str]]:
    """``survivor qualname -> survivors of the other entities its classes inherit from``."""
    survivor_of = {c.name: e.survivor.qualname for e in entities for c in e.classes}
    parents: dict[str, list[str]] = {}
    for entity in entities:
        own = entity.survivor.qualname
        bases = {survivor_of.get(last_part(b), "") for c in entity.classes for b in c.bases}
        parents[own] = sorted(b for b in bases if b and b != own)
    return parents
