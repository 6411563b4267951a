"""What a plan means: final names, the table map, column types, entities, backrefs, compat
names, worked out once from the plan and the inventory.

Stages read the ``ResolvedPlan``: decisions turns it into the rename map, build renders it,
verify checks the database against its table map, and a migration will execute it.  Nothing
else derives a final name or a table.  The inventory may lack classes the plan names (a legacy
file already deleted): what the plan alone says still resolves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TypeVar

from unify.models import (
    CompatName,
    Entity,
    ForeignKeySpec,
    Inventory,
    MergeDecision,
    ModelClass,
    ModelModule,
    Plan,
    RelationshipSpec,
    ResolvedPlan,
    TableMove,
)
from unify.vocabulary import strip_table_affixes


def resolve_plan(plan: Plan, inventory: Inventory) -> ResolvedPlan:
    classes = {c.qualname: c for m in inventory.modules for c in m.classes if not c.guarded}
    final = final_classes(plan)
    table_of = {d.name: d.table for d in plan.classes}
    moves = _table_moves(plan, classes, final, table_of)
    tables = {m.legacy: m.unified for m in moves}
    local = _local_names(inventory, plan, final)
    return ResolvedPlan(
        plan=plan,
        classes=_frozen(classes),
        final=_frozen(final),
        renamed=_frozen(final_names(plan)),
        entities=_entities(plan, classes),
        table_moves=moves,
        table_of=_frozen(table_of),
        column_types=_frozen(_column_types(inventory, plan, final, tables, table_of)),
        backrefs=_frozen({(b.model, b.relationship): b.rename_to for b in plan.backrefs}),
        local_names=_frozen({m: _frozen(n) for m, n in local.items()}),
        module_aliases=_frozen(
            {m: _frozen(a) for m, a in _module_aliases(inventory, set(plan.legacy_modules)).items()}
        ),
        compat=_compat_names(inventory, plan, local),
        sections=plan_sections(plan),
    )


def plan_sections(plan: Plan) -> tuple[str, ...]:
    """The plan's own section list, then any other section its classes name (none in a
    loaded plan, which is validated), in the order they first appear."""
    return tuple(dict.fromkeys((*plan.sections, *(d.section for d in plan.classes))))


K = TypeVar("K")
V = TypeVar("V")


def _frozen(mapping: dict[K, V]) -> Mapping[K, V]:
    return MappingProxyType(mapping)


# --- names -------------------------------------------------------------------


def final_classes(plan: Plan) -> dict[str, str]:
    """``legacy qualname -> final class name`` for every planned and absorbed class."""
    final = {d.source: d.name for d in plan.classes}
    for merge in plan.merges:
        for absorbed in merge.absorbed:
            final[absorbed] = final.get(merge.survivor, merge.survivor.rpartition(".")[2])
    return final


def final_names(plan: Plan) -> dict[tuple[str, str], str]:
    """``(legacy_module, legacy_name) -> final name`` for every class, absorbed class and
    explicit rename whose name changes."""
    out: dict[tuple[str, str], str] = {}
    by_source = {c.source: c.name for c in plan.classes}
    for decision in plan.classes:
        module, _, name = decision.source.rpartition(".")
        if name != decision.name:
            out[(module, name)] = decision.name
    for merge in plan.merges:
        final = by_source.get(merge.survivor, merge.survivor.rpartition(".")[2])
        for absorbed in merge.absorbed:
            module, _, name = absorbed.rpartition(".")
            if name != final:
                out[(module, name)] = final
    for rename in plan.renames:
        if rename.legacy_name != rename.name:
            out[(rename.legacy_module, rename.legacy_name)] = rename.name
    return out


def _local_names(
    inventory: Inventory, plan: Plan, final: dict[str, str]
) -> dict[str, dict[str, str]]:
    """For each legacy module: every model name written there -> its final name."""
    by_name: dict[str, set[str]] = {}
    for qualname, name in final.items():
        by_name.setdefault(qualname.rpartition(".")[2], set()).add(name)
    renamed = final_names(plan)
    local: dict[str, dict[str, str]] = {}
    for module in inventory.modules:
        names: dict[str, str] = {}
        for simple, finals in by_name.items():
            if len(finals) == 1:
                names[simple] = next(iter(finals))
        for qualname, name in final.items():
            if qualname.rpartition(".")[0] == module.name:
                names[qualname.rpartition(".")[2]] = name
        for alias in module.aliases:
            target = final.get(alias.target)
            if target:
                names[alias.name] = target
        for (legacy_module, legacy_name), new in renamed.items():
            if legacy_module == module.name:
                names[legacy_name] = new
        local[module.name] = names
    return local


def _module_aliases(inventory: Inventory, legacy: set[str]) -> dict[str, dict[str, str]]:
    """For each legacy module: the names it binds to other legacy *modules*
    (``from neutron.db import models_v2``, ``import models as m``, ``import a.b``)."""
    paths = {m.path: m.name for m in inventory.modules}
    out: dict[str, dict[str, str]] = {}
    for record in inventory.imports:
        owner = paths.get(record.path)
        if owner is None or record.target not in legacy:
            continue
        bound = out.setdefault(owner, {})
        for name in record.names:
            if record.form == "from" and record.target.endswith("." + name.name):
                bound[name.asname or name.name] = record.target
            elif record.form in ("import", "import-as"):
                bound[name.asname or record.target] = record.target
    return out


def _compat_names(
    inventory: Inventory, plan: Plan, local: dict[str, dict[str, str]]
) -> tuple[CompatName, ...]:
    """Each export of each legacy module (the target first, then the plan's order), with the
    name it stands for in the unified module; legacy modules bound as names are left out."""
    aliases = _module_aliases(inventory, set(plan.legacy_modules))
    out: list[CompatName] = []
    for module in legacy_modules_in_order(inventory, plan):
        names, modules = local.get(module.name, {}), aliases.get(module.name, {})
        out += [
            CompatName(module=module.name, name=e, final=names.get(e, e))
            for e in module.exports
            if e not in modules
        ]
    return tuple(out)


def unimported_copies(inventory: Inventory) -> dict[str, str]:
    """``dead copy -> the module it copies``: a model module nothing imports (by any form,
    dynamically, or as ``module.name``) whose every class has a class of the same name on the
    same table in one other model module, that one imported; when neither is imported, the
    copy is the one whose name is the other's plus a version word (``accounts_backup``)."""
    imported = {r.target_path for r in inventory.imports if r.path != r.target_path}
    imported |= {m.path for m in inventory.modules if m.name in _named_elsewhere(inventory)}
    out: dict[str, str] = {}
    for module in inventory.modules:
        if module.path in imported or not _classes_on_tables(module):
            continue
        for other in inventory.modules:
            if other is module or other.name in out or not _covers(other, module):
                continue
            leaf, other_leaf = module.name.rpartition(".")[2], other.name.rpartition(".")[2]
            if other.path in imported or other_leaf in strip_table_affixes(leaf):
                out[module.name] = other.name
                break
    return out


def _named_elsewhere(inventory: Inventory) -> set[str]:
    names = {d.module for d in inventory.dynamic_imports}
    return names | {a.module for a in inventory.module_attributes}


def _classes_on_tables(module: ModelModule) -> set[tuple[str, str]]:
    return {(c.name, c.table) for c in module.classes if not c.guarded and c.table}


def _covers(other: ModelModule, module: ModelModule) -> bool:
    mine = {(c.name, c.table or "") for c in module.classes if not c.guarded}
    return mine <= _classes_on_tables(other)


def legacy_modules_in_order(inventory: Inventory, plan: Plan) -> list[ModelModule]:
    """The plan's legacy modules present in the inventory, the target module first."""
    order = {name: index for index, name in enumerate(plan.legacy_modules)}
    found = [m for m in inventory.modules if m.name in order]
    return sorted(found, key=lambda m: (m.name != plan.target_module, order[m.name]))


def module_rel(inventory: Inventory, plan: Plan, module: str) -> str:
    """Where ``module`` (the unified or the compat module) lives, or will live, relative to
    the repository root: where a module of that name is, else next to the first legacy
    module."""
    for legacy in inventory.modules:
        if legacy.name == module:
            return legacy.path
    first = next((m for m in inventory.modules if m.name in plan.legacy_modules), None)
    root = PurePosixPath(first.root) if first and first.root else PurePosixPath()
    return str(root / (module.replace(".", "/") + ".py"))


# --- tables and types -------------------------------------------------------


def _table_moves(
    plan: Plan, classes: dict[str, ModelClass], final: dict[str, str], table_of: dict[str, str]
) -> tuple[TableMove, ...]:
    """The plan's table renames, then each merge's absorbed tables, then each class whose
    table differs from its decision's."""
    moves: dict[str, TableMove] = {
        t.old: TableMove(legacy=t.old, unified=t.new) for t in plan.tables
    }
    for merge in plan.merges:
        for old in merge.absorbed_tables:
            if old and old != merge.survivor_table and old not in moves:
                moves[old] = TableMove(legacy=old, unified=merge.survivor_table, merged=True)
    for qualname, cls in classes.items():
        new = table_of.get(final.get(qualname, ""), "")
        if cls.table and new and cls.table != new and cls.table not in moves:
            moves[cls.table] = TableMove(legacy=cls.table, unified=new)
    return tuple(moves.values())


def _column_types(
    inventory: Inventory,
    plan: Plan,
    final: dict[str, str],
    tables: dict[str, str],
    table_of: dict[str, str],
) -> dict[tuple[str, str], str]:
    """The plan's key and FK types, plus every other FK column aligned with its key."""
    decided = {(d.table, d.column): d.type for d in plan.column_types}
    survivors = {d.source for d in plan.classes}
    keys: dict[tuple[str, str], str] = {}
    for module in inventory.modules:
        for cls in module.classes:
            table = table_of.get(final.get(cls.qualname, ""), "")
            if cls.qualname in survivors and table:
                keys.update(
                    {(table, c.name): c.type for c in cls.columns if c.primary_key or c.unique}
                )
    out = dict(decided)
    for owner_table, fk in _all_foreign_keys(inventory, final, table_of, tables):
        target = (tables.get(fk.target_table, fk.target_table), fk.target_columns[0])
        key_type = decided.get(target) or keys.get(target)
        if key_type and len(fk.columns) == 1:
            out.setdefault((owner_table, fk.columns[0]), key_type)
    return out


def _all_foreign_keys(
    inventory: Inventory, final: dict[str, str], table_of: dict[str, str], tables: dict[str, str]
) -> list[tuple[str, ForeignKeySpec]]:
    """Each foreign key with its owner's unified table (a ``Table()`` the plan renames
    under its new name)."""
    found: list[tuple[str, ForeignKeySpec]] = []
    for module in inventory.modules:
        for cls in module.classes:
            table = table_of.get(final.get(cls.qualname, ""), "")
            found += [(table, fk) for fk in cls.foreign_keys if table]
        for tdef in module.tables:
            found += [(tables.get(tdef.table, tdef.table), fk) for fk in tdef.foreign_keys]
    return found


# --- entities and backrefs --------------------------------------------------


def _entities(plan: Plan, classes: dict[str, ModelClass]) -> tuple[Entity, ...]:
    """One entity per [[class]] entry: its class, then the classes its merge absorbs (those
    the inventory has)."""
    out: list[Entity] = []
    for decision in plan.classes:
        merge = next((m for m in plan.merges if m.survivor == decision.source), None)
        names = (decision.source, *(merge.absorbed if merge else ()))
        members = tuple(classes[n] for n in names if n in classes)
        out.append(Entity(classes=members, name=decision.name, table=decision.table))
    return tuple(out)


def kept_relationships(
    entity: Entity, merges: Iterable[MergeDecision]
) -> list[tuple[ModelClass, RelationshipSpec]]:
    """The relationships of the unified class: the survivor's, plus each absorbed class's
    that the survivor lacks (or that a choice takes from it)."""
    choice = {
        c.member: c.take_from
        for m in merges
        if m.survivor == entity.survivor.qualname
        for c in m.choices
    }
    kept: dict[str, tuple[ModelClass, RelationshipSpec]] = {}
    for cls in entity.classes:
        for rel in cls.relationships:
            if rel.attr not in kept or choice.get(rel.attr) == cls.qualname:
                kept[rel.attr] = (cls, rel)
    return list(kept.values())


def backref_collisions(
    entities: Iterable[Entity],
    final: Mapping[str, str],
    merges: Iterable[MergeDecision],
    renamed: Mapping[tuple[str, str], str] | None = None,
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``(target class, backref) -> [(owner "module.Class", relationship attr), ...]`` for
    every backref another relationship or member of the target already claims."""
    entities = [e for e in entities if e.classes]
    merges = tuple(merges)
    by_name = {e.name: e for e in entities}
    names = {c.name: e.name for e in entities for c in e.classes}
    claims: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for entity in entities:
        for cls, rel in kept_relationships(entity, merges):
            target = names.get(rel.target.rpartition(".")[2])
            backref = (renamed or {}).get((cls.qualname, rel.attr), rel.backref)
            if backref and target:
                claims.setdefault((target, backref), []).append((cls.qualname, rel.attr))
    collisions: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (target, backref), owners in claims.items():
        members = _entity_members(by_name[target])
        if len(owners) > 1 or backref in members:
            collisions[(target, backref)] = owners if len(owners) > 1 else [("", ""), *owners]
    return collisions


def _entity_members(entity: Entity) -> set[str]:
    return {
        n
        for c in entity.classes
        for n in (*c.members, *(x.attr for x in c.columns), *(r.attr for r in c.relationships))
    }
