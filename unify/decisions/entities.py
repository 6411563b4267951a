"""Which legacy classes stand for one entity, which of them survives, and its name and table.

Two classes are one entity when they have the same name, or name the same table (singular
and plural aside), or when one is the other with a version or legacy affix (``ABCUser`` and
``User``, ``LegacyUser`` and ``User``, ``UserV2`` and ``User``; their tables ``abc_users``,
``legacy_users``, ``users_v2`` and ``users``) and the two share a column.  Never across a
foreign key: two tables where one references the other, or that one table both references,
are two entities.  A name that
matches only once any other word is stripped as well (``ShopUserV2`` and ``User``,
``BetaUser`` and ``User``) needs more: keys on the same columns (when both declare one), at
least two shared columns (bookkeeping columns aside), and an identical method or most of the
smaller class's columns.  No app's words:
the affixes are those of ``vocabulary.strip_affixes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from unify.models import Entity, Inventory, ModelClass
from unify.vocabulary import (
    last_part,
    singular,
    strip_affixes,
    strip_table_affixes,
    tables_told_apart,
)


def model_classes(inventory: Inventory) -> list[ModelClass]:
    """Every real (non-placeholder) class of the model modules, in inventory order."""
    return [c for m in inventory.modules for c in m.classes if not c.guarded]


def table_key(table: str) -> str:
    """The entity a table name stands for: its singular."""
    return singular(table)


def affixes_of(classes: Iterable[ModelClass]) -> tuple[str, ...]:
    """The legacy affixes of the classes' names (``ABC`` for ``ABCUser``)."""
    return tuple(affix for c in classes for _, affix in strip_affixes(c.name))


def table_variants(table: str, affixes: tuple[str, ...] = ()) -> set[str]:
    """The keys a table may stand for: itself, and without a version or legacy affix."""
    return {table_key(t) for t in (table, *strip_table_affixes(table, affixes))}


class _Groups:
    """Union-find over class indexes; two groups whose tables a foreign key tells apart
    (``apart``: pairs of table keys) are never joined."""

    def __init__(self, keys: list[str], apart: set[frozenset[str]] | None = None) -> None:
        self.parent = list(range(len(keys)))
        self.keys = [{k} if k else set() for k in keys]  # per root: its members' table keys
        self.apart = apart or set()

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> bool:
        one, other = self.find(i), self.find(j)
        if one == other:
            return True
        if any(frozenset((a, b)) in self.apart for a in self.keys[one] for b in self.keys[other]):
            return False
        self.parent[one] = other
        self.keys[other] |= self.keys[one]
        return True


def group_entities(inventory: Inventory) -> list[Entity]:
    """Group legacy classes into entities (see the module docstring)."""
    classes = model_classes(inventory)
    # each class's table, derived names included (Flask-SQLAlchemy's): a foreign key between
    # two tables tells their classes apart however the tables got their names
    keys = [table_key(c.table) if c.table and _is_mapped(c) else "" for c in classes]
    groups = _Groups(keys, tables_apart(inventory))
    _join_exact(classes, groups)
    affixed = _join_affixed(classes, groups)
    members: dict[int, list[ModelClass]] = {}
    for index, cls in enumerate(classes):
        members.setdefault(groups.find(index), []).append(cls)
    fk_tables = fk_target_tables(inventory)
    return [_entity(group, fk_tables, affixed) for group in members.values()]


def _join_exact(classes: list[ModelClass], groups: _Groups) -> None:
    """Same name, or the same explicit table (plural aside)."""
    names = {c.name for c in classes}
    tables = {c.name: c.table for c in classes}
    seen: dict[tuple[str, str], int] = {}
    for index, cls in enumerate(classes):
        keys = [("name", cls.name)]
        # a subclass naming its parent's own table extends that entity; another table is
        # joined-table inheritance: a separate entity
        parents = [last_part(b) for b in cls.bases if last_part(b) in names]
        inherits = any(tables[p] != cls.table for p in parents)
        if _has_own_table(cls) and not inherits:
            keys.append(("table", table_key(cls.table or "")))
        for key in keys:
            if key in seen:
                groups.join(index, seen[key])
            seen.setdefault(key, index)


def _has_own_table(cls: ModelClass) -> bool:
    return bool(cls.table and cls.table_explicit and _is_mapped(cls))


def _is_mapped(cls: ModelClass) -> bool:
    return not (cls.abstract or cls.mixin)


def _join_affixed(classes: list[ModelClass], groups: _Groups) -> dict[str, str]:
    """A class whose name or table, without a legacy affix, is another class's, and that
    shares a column with it.  Returns ``qualname -> name without the affix`` for the classes
    joined by their name."""
    by_name: dict[str, list[int]] = {}
    by_table: dict[str, list[int]] = {}
    for index, cls in enumerate(classes):
        by_name.setdefault(cls.name, []).append(index)
        if _has_own_table(cls):
            by_table.setdefault(table_key(cls.table or ""), []).append(index)
    stripped: dict[str, str] = {}
    for index, cls in enumerate(classes):
        if cls.abstract or cls.mixin:
            continue
        strong = strip_affixes(cls.name)
        for rest, affix in strong:
            if _join_any(index, by_name.get(rest, []), classes, groups, _share_a_column):
                stripped[cls.qualname] = rest
            if cls.table and cls.table_explicit:
                for key in table_variants(cls.table, (affix,)) - {table_key(cls.table)}:
                    _join_any(index, by_table.get(key, []), classes, groups, _share_a_column)
        for rest, _ in set(strip_affixes(cls.name, any_word=True)) - set(strong):
            others = [i for i in by_name.get(rest, []) if not strip_affixes(classes[i].name)]
            if _join_any(index, others, classes, groups, _much_alike):
                stripped.setdefault(cls.qualname, rest)
    return stripped


def _join_any(
    index: int,
    others: list[int],
    classes: list[ModelClass],
    groups: _Groups,
    alike: Callable[[ModelClass, ModelClass], bool],
) -> bool:
    joined = False
    for other in others:
        if other != index and alike(classes[index], classes[other]):
            joined = groups.join(index, other) or joined
    return joined


# columns most tables have: sharing them says nothing about the entity
_BOOKKEEPING = frozenset({"id", "uuid", "created_at", "updated_at", "created", "updated"})


def _data_columns(cls: ModelClass) -> set[str]:
    return {c.name for c in cls.columns if not c.primary_key and c.name not in _BOOKKEEPING}


def _share_a_column(one: ModelClass, other: ModelClass) -> bool:
    def names(cls: ModelClass) -> set[str]:
        return {c.name for c in cls.columns if not c.primary_key}

    return bool(names(one) & names(other))


def _much_alike(one: ModelClass, other: ModelClass) -> bool:
    """Keys on the same columns (when both declare one), at least two shared data columns,
    and an identical method or most of the smaller class's data columns shared."""
    if one.keyed_apart(other):
        return False
    mine, theirs = _data_columns(one), _data_columns(other)
    shared = mine & theirs
    if len(shared) < 2:
        return False
    return bool(identical_methods(one, other)) or len(shared) * 2 > min(len(mine), len(theirs))


def identical_methods(one: ModelClass, other: ModelClass) -> set[str]:
    """Methods and other non-column members both classes define with the same code."""
    mapped = {c.attr for c in (*one.columns, *other.columns)}
    mapped |= {r.attr for r in (*one.relationships, *other.relationships)}
    mine = {d.name: d.digest for d in one.member_digests if d.name not in mapped}
    theirs = {d.name: d.digest for d in other.member_digests if d.name not in mapped}
    return {n for n in mine.keys() & theirs.keys() if mine[n] == theirs[n]}


def tables_apart(inventory: Inventory) -> set[frozenset[str]]:
    """Pairs of table keys a foreign key tells apart (``tables_told_apart``)."""
    references = [
        (c.table, [fk.target_table for fk in c.foreign_keys])
        for c in model_classes(inventory)
        if c.table
    ]
    references += [
        (t.table, [fk.target_table for fk in t.foreign_keys])
        for m in inventory.modules
        for t in m.tables
    ]
    return tables_told_apart(references)


def fk_target_tables(inventory: Inventory) -> set[str]:
    """Every table a foreign key of the model modules points at."""
    tables = {fk.target_table for c in model_classes(inventory) for fk in c.foreign_keys}
    tables |= {
        fk.target_table for m in inventory.modules for t in m.tables for fk in t.foreign_keys
    }
    return tables


def entity_tables(entity: Entity, fk_tables: set[str]) -> set[str]:
    """The spellings of the entity's table: its members' and the FK targets meaning it."""
    table = entity.table or entity.survivor.table or ""
    affixes = affixes_of(entity.classes)
    members = {c.table for c in entity.classes if c.table}
    return members | {t for t in fk_tables if table_key(table) in table_variants(t, affixes)}


def _entity(members: list[ModelClass], fk_tables: set[str], stripped: dict[str, str]) -> Entity:
    names = {c.name for c in members}
    # a subclass extending another member's table never survives its parent
    ordered = sorted(
        members,
        key=lambda c: (
            any(last_part(b) in names for b in c.bases),
            *_survivor_rank(c, stripped),
        ),
    )
    survivor = ordered[0]
    name = stripped.get(survivor.qualname, survivor.name)
    entity = Entity(classes=tuple(ordered), name=name, table=survivor.table or "")
    table = entity.table
    if table and singular(table) != table and singular(table) in entity_tables(entity, fk_tables):
        table = singular(table)
    return Entity(classes=entity.classes, name=name, table=table)


def _survivor_rank(cls: ModelClass, stripped: dict[str, str]) -> tuple[int, int]:
    """A class without a legacy affix first, then the largest."""
    size = len(cls.columns) + len(cls.relationships) + len(cls.members)
    return (int(cls.qualname in stripped), -size)
