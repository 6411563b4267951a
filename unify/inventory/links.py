"""Pass 8, *links*: each model class and mixin with its resolved bases, whether they are all
known, and every attribute it is known to have (columns, relationships, backrefs other
classes give it, its body's names and what its bases provide)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from unify.inventory.bases import ModelSet
from unify.models import ClassLinks, ModelClass
from unify.vocabulary import last_part

# attributes every mapped class has, whatever its body says
MAPPED_MEMBERS = frozenset(
    {
        "query",
        "query_class",
        "metadata",
        "registry",
        "__table__",
        "__tablename__",
        "__table_args__",
        "__mapper__",
        "__mapper_args__",
        "__init__",
        "__name__",
        "__class__",
        "__dict__",
        "__doc__",
        "__module__",
        "__subclasses__",
        "__bind_key__",
        "_sa_class_manager",
        "_sa_registry",
    }
)
# well-known bases outside the repository whose members are known
EXTERNAL_MEMBERS: dict[str, frozenset[str]] = {
    "UserMixin": frozenset({"is_authenticated", "is_active", "is_anonymous", "get_id"}),
    "object": frozenset(),
}


def class_links(found: ModelSet, classes: Mapping[str, ModelClass]) -> tuple[ClassLinks, ...]:
    backrefs = _backrefs(found, classes)
    return tuple(
        ClassLinks(
            model=qual,
            parents=found.parents.get(qual, ()),
            bases_known=_bases_known(found, cls),
            members=_sorted(_class_members(found, classes, qual, backrefs, 0)),
            outside_bases=_outside_bases(found, cls),
        )
        for qual, cls in classes.items()
    )


def _sorted(names: frozenset[str] | None) -> tuple[str, ...] | None:
    return None if names is None else tuple(sorted(names))


def _bases_known(found: ModelSet, cls: ModelClass) -> bool:
    parents = found.parents.get(cls.qualname, ())
    return all(
        p is not None or last_part(b) in found.bases
        for p, b in zip(parents, found.bases_of(cls.qualname, cls.bases), strict=False)
    )


def _outside_bases(found: ModelSet, cls: ModelClass) -> tuple[str, ...]:
    """The bases (as written) imported from an installed package that are neither declarative
    bases nor bases of known members: their columns are not read."""
    return tuple(
        b
        for b in found.outside.get(cls.qualname, ())
        if last_part(b) not in found.bases and last_part(b) not in EXTERNAL_MEMBERS
    )


def _backrefs(found: ModelSet, classes: Mapping[str, ModelClass]) -> dict[str, set[str]]:
    """The names other classes' ``backref=`` give each model."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for qual in found.models:
        by_name[last_part(qual)].append(qual)
    out: dict[str, set[str]] = defaultdict(set)
    for cls in classes.values():
        for rel in cls.relationships:
            for qual in by_name.get(rel.target, []):
                if rel.backref:
                    out[qual].add(rel.backref)
    return out


def _class_members(
    found: ModelSet,
    classes: Mapping[str, ModelClass],
    qual: str,
    backrefs: Mapping[str, set[str]],
    depth: int,
) -> frozenset[str] | None:
    cls = classes.get(qual)
    if cls is None or depth > 20:
        return None
    names = set(MAPPED_MEMBERS) | set(cls.members) | backrefs.get(qual, set())
    names |= {c.attr for c in cls.columns} | {r.attr for r in cls.relationships}
    for parent, written in zip(found.parents.get(qual, ()), cls.bases, strict=False):
        last = last_part(written)
        if parent in found.base_members:
            from_base = found.base_members[parent]
            if from_base is None:
                return None
            names |= from_base
        elif parent is not None:
            inherited = _class_members(found, classes, parent, backrefs, depth + 1)
            if inherited is None:
                return None
            names |= inherited
        elif last in EXTERNAL_MEMBERS:
            names |= EXTERNAL_MEMBERS[last]
        elif last not in found.bases:
            return None
    return frozenset(names)
