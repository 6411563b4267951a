"""Members of legacy classes compared through the digests the inventory carries, to find the
members two classes of one entity define differently (each becomes a merge choice)."""

from __future__ import annotations

from collections.abc import Iterable

from unify.models import Inventory, ModelClass
from unify.vocabulary import TABLE_KEYS, last_part


def conflicting_members(inventory: Inventory, classes: Iterable[ModelClass]) -> list[str]:
    """Members that two classes of one entity both define, differently (sorted)."""
    mixins = {
        c.name: c
        for m in inventory.modules
        for c in m.classes
        if not c.guarded and (c.mixin or c.abstract)
    }
    bodies = [_with_inherited(mixins, c) for c in classes]
    conflicts: set[str] = set()
    for index, body in enumerate(bodies):
        for other in bodies[index + 1 :]:
            conflicts |= {
                m for m in body.keys() & other.keys() if body[m] != other[m] and m not in TABLE_KEYS
            }
    return sorted(conflicts)


def _with_inherited(mixins: dict[str, ModelClass], cls: ModelClass) -> dict[str, str]:
    """``member -> digest`` of ``cls``, with what it inherits from the mixins it names (a
    mixin column counts as a member)."""
    merged = {d.name: d.digest for d in cls.member_digests}
    for base in cls.bases:
        mixin = mixins.get(last_part(base))
        if mixin is not None:
            for digest in mixin.member_digests:
                merged.setdefault(digest.name, digest.digest)
    return merged


def column_source(cls: ModelClass, member: str) -> str:
    """The first source line of column ``member`` of ``cls`` (at most 80 characters)."""
    line = next((d.first_line for d in cls.member_digests if d.name == member), "")
    return line if len(line) <= 80 else line[:77] + "..."
