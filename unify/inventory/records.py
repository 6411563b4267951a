"""Pass 5, *records*: each model class and mixin as a ``ModelClass``: mixin columns and
relationships inherited, the table named (explicit, single-table inheritance or
Flask-SQLAlchemy's default) and ``Model.id`` foreign keys turned into tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from unify.inventory.bases import ClassRef, ModelSet
from unify.inventory.classes import RawClass, TableRule
from unify.inventory.columns import RawFK
from unify.inventory.constraints import keyed_columns
from unify.models import ColumnSpec, ForeignKeyForm, ForeignKeySpec, ModelClass
from unify.vocabulary import last_part, snake_case


def build_classes(found: ModelSet) -> dict[str, ModelClass]:
    """Mixins first, then models (the order the checks see them in)."""
    refs = {**found.mixins, **found.models}
    raws = {qual: ref.top.body for qual, ref in refs.items()}
    tables = _table_names(found, raws)
    return {qual: _model_class(found, raws, tables, qual, ref) for qual, ref in refs.items()}


def _model_class(
    found: ModelSet,
    raws: Mapping[str, RawClass],
    tables: Mapping[str, str | None],
    qual: str,
    ref: ClassRef,
) -> ModelClass:
    raw = raws[qual]
    chain = _mixin_chain(found, qual)
    inherited = tuple(_from_mixin(c, m) for m in chain for c in raws[m].columns)
    inherited += tuple(
        _from_mixin(c, base)
        for base in _declarative_chain(found, qual, chain)
        for c in found.declarative_bodies[base].columns
    )  # a repository declarative base's columns: each model has them, as from a mixin
    explicit = raw.explicit_nullable.union(*(raws[m].explicit_nullable for m in chain))
    constraints = raw.constraints or next(
        (raws[m].constraints for m in chain if raws[m].constraints), ()
    )  # a mixin's ``__table_args__`` hold unless the class has its own
    columns = keyed_columns(raw.columns + inherited, constraints, explicit)
    mixin_fks = [fk for m in chain for fk in raws[m].fks]
    table = tables.get(qual)
    return ModelClass(
        name=ref.top.name,
        module=ref.outline.source.module,
        path=ref.outline.source.rel,
        line=ref.top.line,
        end_line=ref.top.end_line,
        bases=ref.top.bases,
        table=table,
        table_explicit=raw.table is not None,
        columns=columns,
        foreign_keys=tuple(_resolve_fks(raw, mixin_fks, table, qual, ref, tables)),
        relationships=raw.relationships + tuple(r for m in chain for r in raws[m].relationships),
        extend_existing=raw.extend_existing,
        table_args=raw.table_args,
        constraints=constraints,
        abstract=raw.abstract,
        mixin=qual in found.mixins and qual not in found.models,
        guarded=ref.top.guarded,
        members=raw.members,
    )


def _from_mixin(column: ColumnSpec, mixin: str) -> ColumnSpec:
    return replace(column, from_mixin=last_part(mixin))


def _declarative_chain(found: ModelSet, qual: str, mixins: list[str]) -> list[str]:
    """The repository declarative bases of the class and of its mixins, in that order."""
    found_in = (p for owner in (qual, *mixins) for p in found.parents.get(owner, ()))
    return list(dict.fromkeys(p for p in found_in if p and p in found.declarative_bodies))


def _mixin_chain(found: ModelSet, qual: str, depth: int = 0) -> list[str]:
    """The non-model ancestors whose columns the class inherits (mixins), nearest first."""
    out: list[str] = []
    for parent in found.parents.get(qual, ()):
        if parent and parent in found.mixins and parent not in found.models and depth < 10:
            out += [parent, *_mixin_chain(found, parent, depth + 1)]
    return list(dict.fromkeys(out))


def _table_names(found: ModelSet, raws: Mapping[str, RawClass]) -> dict[str, str | None]:
    """Explicit ``__tablename__``, single-table inheritance, a ``declared_attr`` rule of the
    class, a mixin or the declarative base, or Flask-SQLAlchemy's default."""
    out: dict[str, str | None] = {}

    def table_of(qual: str, depth: int = 0) -> str | None:
        if qual in out or depth > 20:
            return out.get(qual)
        raw = raws[qual]
        parents = [p for p in found.parents.get(qual, ()) if p and p in found.models]
        own_pk = any(c.primary_key for c in raw.columns)
        inherited = next((t for p in parents if (t := table_of(p, depth + 1))), None)
        from_mixin = next((raws[m].table for m in _mixin_chain(found, qual) if raws[m].table), None)
        if raw.table is not None or raw.abstract or qual not in found.models:
            result = raw.table
        elif from_mixin is not None:
            result = from_mixin  # a mixin's ``__tablename__``
        elif inherited and not own_pk:
            result = inherited  # single-table inheritance
        elif (rule := _rule_of(found, raws, qual)) is not None:
            result = rule.table(last_part(qual))  # a ``declared_attr`` computes it
        elif _flask_style(found, qual) and (own_pk or _mixin_pk(found, raws, qual)):
            result = snake_case(last_part(qual))
        else:
            result = None
        out[qual] = result
        return result

    for qual in {**found.mixins, **found.models}:
        table_of(qual)
    return out


def _rule_of(
    found: ModelSet, raws: Mapping[str, RawClass], qual: str, depth: int = 0
) -> TableRule | None:
    """The ``__tablename__`` rule the class takes: its own, else its bases' in order (a mixin's
    or model's, or a repository declarative base's)."""
    raw = raws.get(qual)
    if raw is not None and raw.table_rule is not None:
        return raw.table_rule
    if depth > 20:
        return None
    for parent in found.parents.get(qual, ()):
        if not parent:
            continue
        base = found.declarative_bodies.get(parent)
        rule = base.table_rule if base is not None else None
        if rule is None and parent in raws:
            rule = _rule_of(found, raws, parent, depth + 1)
        if rule is not None:
            return rule
    return None


def _flask_style(found: ModelSet, qual: str, depth: int = 0) -> bool:
    ref = found.models.get(qual) or found.mixins.get(qual)
    if ref is None or depth > 20:
        return False
    if any(last_part(b) == "Model" for b in found.bases_of(qual, ref.top.bases)):
        return True
    return any(p and _flask_style(found, p, depth + 1) for p in found.parents.get(qual, ()))


def _mixin_pk(found: ModelSet, raws: Mapping[str, RawClass], qual: str) -> bool:
    return any(c.primary_key for m in _mixin_chain(found, qual) for c in raws[m].columns)


def _resolve_fks(
    raw: RawClass,
    mixin_fks: list[RawFK],
    table: str | None,
    qual: str,
    ref: ClassRef,
    tables: Mapping[str, str | None],
) -> Iterator[ForeignKeySpec]:
    for fk in [*raw.fks, *mixin_fks]:
        pairs = [_fk_target(t, fk.form, qual, tables) for t in fk.targets]
        if not pairs or any(p is None for p in pairs):
            continue
        target_table = pairs[0][0] if pairs[0] else ""
        yield ForeignKeySpec(
            model=qual,
            table=table or "",
            columns=fk.columns,
            target_table=target_table,
            target_columns=tuple(p[1] for p in pairs if p),
            spec=fk.spec,
            form=fk.form,
            path=ref.outline.source.rel,
            line=fk.line,
        )


def _fk_target(
    text: str, form: ForeignKeyForm, qual: str, tables: Mapping[str, str | None]
) -> tuple[str, str] | None:
    """``'organization.id'`` -> (organization, id); ``Organization.__table__.c.id`` and
    ``Organization.id`` -> the class's table."""
    parts = text.split(".")
    if len(parts) < 2:
        return None
    head, column = parts[0], parts[-1]
    module = qual.rsplit(".", 1)[0]
    for candidate in (f"{module}.{head}", *(q for q in tables if last_part(q) == head)):
        if tables.get(candidate):
            return str(tables[candidate]), column
    if form == "attribute":
        return None  # a class outside the repository (or without a known table)
    return last_part(".".join(parts[:-1])), column
