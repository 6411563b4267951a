"""``dangling-fk`` and ``fk-type-mismatch``: every foreign key against the tables the
repository defines."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from unify.inventory.rules.near import did_you_mean
from unify.models import (
    ClassLinks,
    ColumnSpec,
    Finding,
    ForeignKeySpec,
    Inventory,
    ModelClass,
    Rule,
    Severity,
    TableDef,
)
from unify.vocabulary import known_type, snake_case, type_family

DANGLING_FK = Rule(
    name="dangling-fk", code="U003", severity=Severity.ERROR, summary="a foreign key to no table"
)
FK_TYPE_MISMATCH = Rule(
    name="fk-type-mismatch",
    code="U004",
    severity=Severity.ERROR,
    summary="FK column type differs from the referenced column",
)


@dataclass(frozen=True, slots=True)
class KnownTable:
    """A table some class or ``Table()`` defines, with its columns when they are all known."""

    name: str
    owner: str
    columns: Mapping[str, ColumnSpec] | None


def known_tables(
    classes: Sequence[ModelClass],
    tables: Sequence[TableDef],
    links: Sequence[ClassLinks],
    in_scope: Collection[str],
) -> dict[str, KnownTable]:
    """Tables the classes define (columns merged across classes that extend one table), then
    ``Table()`` objects; columns are None when they cannot all be known."""
    bases_known = {link.model: link.bases_known for link in links}
    known: dict[str, KnownTable] = {}
    for cls in sorted(classes, key=lambda c: c.guarded):
        if not cls.table or cls.mixin:
            continue
        qual = cls.qualname
        columns = {c.name: c for c in cls.columns} if bases_known.get(qual, True) else None
        current = known.get(cls.table)
        if current is None:
            known[cls.table] = KnownTable(cls.table, qual, columns)
        elif current.columns is not None and columns is not None:
            merged = {**columns, **current.columns}
            known[cls.table] = KnownTable(cls.table, current.owner, merged)
    for tab in tables:
        columns = {c.name: c for c in tab.columns} if tab.module in in_scope else None
        owner = f"{tab.module}.{tab.name}"
        known.setdefault(tab.table, KnownTable(tab.table, owner, columns))
    return known


def with_history(known: Mapping[str, KnownTable], inventory: Inventory) -> dict[str, KnownTable]:
    """``known`` and the tables of the schema's history (``Inventory.history_tables``): a
    table only a revision defines exists (a framework's own table), and a column a revision
    gives a known table is one it has."""
    known = dict(known)
    for tab in inventory.history_tables:
        columns = {c.name: c for c in tab.columns}
        current = known.get(tab.table)
        if current is None:
            known[tab.table] = KnownTable(tab.table, f"{tab.module}.{tab.name}", columns)
        elif current.columns is not None:
            known[tab.table] = KnownTable(tab.table, current.owner, {**columns, **current.columns})
    return known


def unsure_tables(classes: Sequence[ModelClass], links: Sequence[ClassLinks]) -> frozenset[str]:
    """Names a mapped class without a known table may have: a base outside the repository
    can derive ``__tablename__`` (``Router`` -> ``routers``)."""
    bases_known = {link.model: link.bases_known for link in links}
    names: set[str] = set()
    for cls in classes:
        if cls.table or cls.mixin or cls.abstract or bases_known.get(cls.qualname, True):
            continue
        for stem in {cls.name.lower(), snake_case(cls.name)}:
            names.update({stem, f"{stem}s", f"{stem}es", f"{stem[:-1]}ies"})
    return frozenset(names)


def check_foreign_keys(
    classes: Sequence[ModelClass],
    tables: Sequence[TableDef],
    known: Mapping[str, KnownTable],
    unsure: frozenset[str] = frozenset(),
) -> list[Finding]:
    """``dangling-fk`` (with a did-you-mean) and ``fk-type-mismatch`` for every foreign key.
    Targets in ``unsure`` (tables a class may define under a derived name) are not judged."""
    out: list[Finding] = []
    for owner, cols, fks in _fk_owners(classes, tables):
        by_name = {c.name: c for c in cols}
        for fk in fks:
            if fk.target_table in unsure and fk.target_table not in known:
                continue
            out.extend(_check_fk(owner, fk, by_name, known))
    return out


def _fk_owners(
    classes: Sequence[ModelClass], tables: Sequence[TableDef]
) -> Iterator[tuple[str, tuple[ColumnSpec, ...], tuple[ForeignKeySpec, ...]]]:
    for cls in classes:
        if not cls.guarded:
            yield cls.qualname, cls.columns, cls.foreign_keys
    for tab in tables:
        yield f"{tab.module}.{tab.name}", tab.columns, tab.foreign_keys


def _check_fk(
    owner: str, fk: ForeignKeySpec, cols: Mapping[str, ColumnSpec], known: Mapping[str, KnownTable]
) -> list[Finding]:
    where = f"{fk.table or owner.rsplit('.', 1)[-1]}.{','.join(fk.columns)}"
    target = known.get(fk.target_table)
    if target is None:
        guess = did_you_mean(fk.target_table, known)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        fix = f"'{guess}.{fk.target_columns[0]}'" if guess else "an existing table"
        near = known.get(guess) if guess else None
        dangling = DANGLING_FK.finding(
            f"{where} ({owner}) references table '{fk.target_table}' which no model "
            f"defines{hint}; point the ForeignKey at {fix}",
            path=fk.path,
            line=fk.line,
            objects=(owner, fk.spec, *([guess] if guess else [])),
        )
        return [dangling, *(_type_mismatch(owner, fk, cols, near, meant=True) if near else [])]
    missing = [
        c for c in fk.target_columns if target.columns is not None and c not in target.columns
    ]
    if missing:
        guess = did_you_mean(missing[0], target.columns or {})
        hint = f" (did you mean '{guess}'?)" if guess else ""
        return [
            DANGLING_FK.finding(
                f"{where} ({owner}) references column '{fk.target_table}.{missing[0]}' which "
                f"{target.owner} does not define{hint}; reference an existing column",
                path=fk.path,
                line=fk.line,
                objects=(owner, fk.spec),
            )
        ]
    return _type_mismatch(owner, fk, cols, target)


def _mismatched(
    fk: ForeignKeySpec, cols: Mapping[str, ColumnSpec], target: KnownTable
) -> Iterator[tuple[ColumnSpec, ColumnSpec]]:
    for local, remote in zip(fk.columns, fk.target_columns, strict=False):
        mine = cols.get(local)
        theirs = (target.columns or {}).get(remote)
        if mine is None or theirs is None or not mine.type or not theirs.type:
            continue
        if not (known_type(mine.type) and known_type(theirs.type)) and mine.type != theirs.type:
            continue  # a custom type or a helper (``StringID()``): its family is not shown
        if type_family(mine.type) != type_family(theirs.type):
            yield mine, theirs


def _type_mismatch(
    owner: str,
    fk: ForeignKeySpec,
    cols: Mapping[str, ColumnSpec],
    target: KnownTable,
    *,
    meant: bool = False,
) -> list[Finding]:
    """One finding per FK column whose type family differs from the referenced column's;
    ``meant``: the target is the near match of a dangling table name."""
    out = []
    note = f" (the table '{fk.target_table}' most likely means)" if meant else ""
    for mine, theirs in _mismatched(fk, cols, target):
        local, remote = mine.name, theirs.name
        out.append(
            FK_TYPE_MISMATCH.finding(
                f"{fk.table or owner.rsplit('.', 1)[-1]}.{local} ({owner}) is {mine.type} but "
                f"{target.name}.{remote}{note} is {theirs.type}; give both the same type "
                f"(e.g. {theirs.type}) and convert the data",
                path=fk.path,
                line=mine.line or fk.line,
                objects=(owner, f"{fk.table}.{local}", f"{target.name}.{remote}"),
            )
        )
    return out
