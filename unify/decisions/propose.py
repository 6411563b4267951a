"""A first plan derived from the inventory: entities and their merges, canonical tables,
key types, renames of aliases, backref renames and sections; every value a proposal the
user may change in the rendered file."""

from __future__ import annotations

from dataclasses import replace

from unify.decisions.entities import entity_tables, fk_target_tables, group_entities
from unify.decisions.members import conflicting_members
from unify.decisions.sections import propose_sections
from unify.errors import InputError
from unify.models import (
    BackrefDecision,
    ClassDecision,
    ColumnTypeDecision,
    Entity,
    Inventory,
    MemberChoice,
    MergeDecision,
    Plan,
    Rename,
    TableRename,
)
from unify.resolve import backref_collisions, unimported_copies
from unify.vocabulary import is_dotted_name, snake_case


def propose_plan(
    inventory: Inventory,
    *,
    target_module: str = "models",
    compat_module: str = "models_compat",
    picked: bool = False,
) -> Plan:
    """A first plan: one entity per group of legacy classes, singular tables where plural and
    singular compete, the survivor's key type where types disagree, version and legacy affixes dropped,
    sections taken from the app's modules (``sections``).

    ``picked``: the inventory was restricted with ``--models``; the plan records the files
    (``legacy_paths``) so that the build analyses the same ones."""
    for what, name in (("target", target_module), ("compat", compat_module)):
        if not is_dotted_name(name):
            raise InputError(f"--{what} {name!r}: not a dotted module name (e.g. app.models)")
    _check_unique_modules(inventory)
    inventory = importable_only(inventory)
    retired = unimported_copies(inventory)
    inventory = replace(inventory, modules=tuple(m for m in inventory.modules if m.name not in retired))
    if not inventory.modules:
        raise InputError(f"{inventory.root}: no model module found; nothing to plan")
    entities = group_entities(inventory)
    sections, section_of = propose_sections(inventory, entities)
    final = _final_by_qualname(entities)
    tables = _proposed_table_renames(inventory, entities)
    merges = tuple(_proposed_merge(inventory, e) for e in entities if len(e.classes) > 1)
    return Plan(
        path="unify.toml",
        target_module=target_module,
        compat_module=compat_module,
        legacy_modules=tuple(m.name for m in inventory.modules),
        classes=_class_decisions(entities, sections, section_of),
        merges=merges,
        column_types=_proposed_column_types(inventory, entities, tables),
        renames=_proposed_renames(inventory, final, target_module),
        tables=tables,
        backrefs=_proposed_backrefs(entities, final, merges),
        legacy_paths=tuple(m.path for m in inventory.modules) if picked else (),
        sections=sections,
        retired_modules=tuple(sorted(retired)),
    )


def _check_unique_modules(inventory: Inventory) -> None:
    """Separate apps in one repository (``examples/*/app/models.py``) share a dotted name
    that the plan cannot tell apart: stop and say how to pick."""
    paths: dict[str, list[str]] = {}
    for module in inventory.modules:
        paths.setdefault(module.name, []).append(module.path)
    for name, found in sorted(paths.items()):
        if len(found) > 1:
            raise InputError(
                f"module {name!r} is {len(found)} files ({', '.join(sorted(found)[:3])}"
                f"{', ...' if len(found) > 3 else ''}); plan one app at a time: "
                f"unify plan PATH --models FILE (repeatable)"
            )


def importable_only(inventory: Inventory) -> Inventory:
    """Without the model modules no import statement can name (``versions/90e6_x.py``)."""
    kept = tuple(m for m in inventory.modules if is_dotted_name(m.name))
    return inventory if len(kept) == len(inventory.modules) else replace(inventory, modules=kept)


def _class_decisions(
    entities: list[Entity], sections: tuple[str, ...], section_of: dict[str, str]
) -> tuple[ClassDecision, ...]:
    """One decision per entity, in section order (inventory order inside a section)."""
    decisions = [
        ClassDecision(
            source=e.survivor.qualname,
            name=e.name,
            table=e.table,
            section=section_of[e.survivor.qualname],
        )
        for e in entities
    ]
    return tuple(sorted(decisions, key=lambda d: sections.index(d.section)))


def _final_by_qualname(entities: list[Entity]) -> dict[str, str]:
    return {c.qualname: e.name for e in entities for c in e.classes}


def _proposed_table_renames(
    inventory: Inventory, entities: list[Entity]
) -> tuple[TableRename, ...]:
    fk_tables = fk_target_tables(inventory)
    renames: dict[str, str] = {}
    for entity in entities:
        if not entity.table:
            continue
        for old in sorted(entity_tables(entity, fk_tables) - {entity.table}):
            renames.setdefault(old, entity.table)
    return tuple(TableRename(old=o, new=n) for o, n in sorted(renames.items()))


def _proposed_merge(inventory: Inventory, entity: Entity) -> MergeDecision:
    survivor = entity.survivor
    absorbed = entity.classes[1:]
    choices = [
        MemberChoice(member=name, take_from=survivor.qualname)
        for name in conflicting_members(inventory, entity.classes)
    ]
    return MergeDecision(
        survivor=survivor.qualname,
        absorbed=tuple(c.qualname for c in absorbed),
        survivor_table=entity.table,
        absorbed_tables=tuple(c.table or "" for c in absorbed),
        choices=tuple(choices),
    )


def _proposed_column_types(
    inventory: Inventory, entities: list[Entity], tables: tuple[TableRename, ...]
) -> tuple[ColumnTypeDecision, ...]:
    renamed = {t.old: t.new for t in tables}
    out: list[ColumnTypeDecision] = []
    for entity in entities:
        keys = [col for col in entity.survivor.columns if col.primary_key]
        if len(keys) != 1 or not entity.table:
            continue
        key = keys[0]
        fk_columns = _fk_columns_to(inventory, entities, renamed, entity.table, key.name)
        key_types = {
            col.type
            for c in entity.classes
            for col in c.columns
            if col.primary_key and col.name == key.name
        }
        key_type = key.type  # the survivor's, whatever the absorbed classes' keys are
        if not fk_columns and len(key_types) == 1:
            continue
        out.append(ColumnTypeDecision(table=entity.table, column=key.name, type=key_type))
        out += [ColumnTypeDecision(table=t, column=c, type=key_type) for t, c in fk_columns]
    return tuple(_unique_column_types(out))


def _fk_columns_to(
    inventory: Inventory, entities: list[Entity], renamed: dict[str, str], table: str, column: str
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entity in entities:
        for cls in entity.classes:
            for fk in cls.foreign_keys:
                if renamed.get(fk.target_table, fk.target_table) == table and fk.target_columns == (
                    column,
                ):
                    found += [(entity.table, c) for c in fk.columns]
    for module in inventory.modules:
        for tdef in module.tables:
            for fk in tdef.foreign_keys:
                if renamed.get(fk.target_table, fk.target_table) == table and fk.target_columns == (
                    column,
                ):
                    found += [(tdef.table, c) for c in fk.columns]
    return sorted(set(found))


def _unique_column_types(items: list[ColumnTypeDecision]) -> list[ColumnTypeDecision]:
    seen: dict[tuple[str, str], ColumnTypeDecision] = {}
    for item in items:
        seen.setdefault((item.table, item.column), item)
    return list(seen.values())


def _proposed_renames(
    inventory: Inventory, final: dict[str, str], target: str
) -> tuple[Rename, ...]:
    out: list[Rename] = []
    for module in inventory.modules:
        for alias in module.aliases:
            new = final.get(alias.target) or final.get(_by_name(final, alias.target))
            if new and new != alias.name:
                out.append(
                    Rename(
                        legacy_module=module.name, legacy_name=alias.name, module=target, name=new
                    )
                )
    unique = {(r.legacy_module, r.legacy_name): r for r in out}
    return tuple(unique.values())


def _by_name(final: dict[str, str], target: str) -> str:
    """An alias target written ``Class`` or ``other.Class``: the one class of that name."""
    name = target.rpartition(".")[2]
    hits = [q for q in final if q.rpartition(".")[2] == name]
    return hits[0] if len(hits) == 1 else ""


def _proposed_backrefs(
    entities: list[Entity], final: dict[str, str], merges: tuple[MergeDecision, ...]
) -> tuple[BackrefDecision, ...]:
    decisions: list[BackrefDecision] = []
    for (_target, backref), owners in sorted(backref_collisions(entities, final, merges).items()):
        for owner, relationship in owners[1:]:
            rename_to = f"{backref}_{snake_case(final.get(owner, owner.rpartition('.')[2]))}"
            decisions.append(
                BackrefDecision(model=owner, relationship=relationship, rename_to=rename_to)
            )
    return tuple(decisions)
