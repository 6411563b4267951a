"""The rule catalogue of ``unify analyze`` and the checks that turn inventory records into
findings.

Every rule has a stable kebab-case name, a code, a severity and a one-line summary; each is
documented (what / why / how to fix) in ``docs/rules.md``.  The checks are pure functions:
records in, ``Finding`` values out.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from unify.models import (
    AttributeUse,
    ColumnSpec,
    DynamicImport,
    Finding,
    ForeignKeySpec,
    ImportRecord,
    ModelClass,
    ModelModule,
    ModuleAttribute,
    Rule,
    Severity,
    TableDef,
    rule_catalogue,
)

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: dict[str, Rule] = rule_catalogue(
    Rule(name="parse-error", code="U001", severity=_E, summary="a file Python cannot parse"),
    Rule(name="duplicate-table", code="U002", severity=_E, summary="two classes map one table"),
    Rule(name="dangling-fk", code="U003", severity=_E, summary="a foreign key to no table"),
    Rule(
        name="fk-type-mismatch",
        code="U004",
        severity=_E,
        summary="FK column type differs from the referenced column",
    ),
    Rule(name="import-cycle", code="U005", severity=_E, summary="model modules import in a loop"),
    Rule(name="broken-import", code="U006", severity=_E, summary="a name the module lacks"),
    Rule(
        name="unresolved-relationship",
        code="U007",
        severity=_E,
        summary="relationship to a class defined nowhere",
    ),
    Rule(
        name="duplicate-model",
        code="U008",
        severity=_W,
        summary="classes that model one entity (merge candidates)",
    ),
    Rule(
        name="attribute-drift",
        code="U009",
        severity=_W,
        summary="an attribute the class does not define",
    ),
    Rule(name="star-import", code="U010", severity=_W, summary="from <model module> import *"),
    Rule(name="reexport", code="U011", severity=_W, summary="a name taken from a re-exporter"),
    Rule(
        name="dynamic-import",
        code="U012",
        severity=_W,
        summary="importlib / __import__ naming a model module",
    ),
    Rule(name="model-alias", code="U013", severity=_I, summary="a second name for a model"),
    Rule(
        name="non-model-class",
        code="U014",
        severity=_I,
        summary="a class or function in a model module that is not a model",
    ),
    Rule(
        name="other-python-file",
        code="U015",
        severity=_I,
        summary="Python kept under another suffix",
    ),
    Rule(
        name="module-name-clash",
        code="U016",
        severity=_W,
        summary="one dotted module name for several model files",
    ),
)


def make_finding(
    rule: str, message: str, *, path: str | None, line: int | None, objects: Sequence[str] = ()
) -> Finding:
    """A finding of a catalogued rule (its code and severity come from the catalogue)."""
    return RULES[rule].finding(message, path=path, line=line, objects=tuple(objects))


def mapped_classes(classes: Iterable[ModelClass]) -> list[ModelClass]:
    """Classes that map a table of their own (no mixin, abstract base or placeholder)."""
    return [c for c in classes if c.table and not c.mixin and not c.abstract and not c.guarded]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def check_duplicate_tables(classes: Sequence[ModelClass]) -> list[Finding]:
    """Two classes (not single-table subclasses) declaring the same ``__tablename__``."""
    by_table: dict[str, list[ModelClass]] = defaultdict(list)
    for cls in mapped_classes(classes):
        if cls.table_explicit or not _inherits_table(cls, classes):
            by_table[cls.table or ""].append(cls)
    out = []
    for table, owners in sorted(by_table.items()):
        for other in owners[1:]:
            first = owners[0]
            note = " (extend_existing hides it at runtime)" if other.extend_existing else ""
            out.append(
                make_finding(
                    "duplicate-table",
                    f"table '{table}' is mapped by {first.qualname} and {other.qualname}{note}; "
                    f"keep one class for it (merge them) and point the other's users at it",
                    path=other.path,
                    line=other.line,
                    objects=(first.qualname, other.qualname, table),
                )
            )
    return out


def _inherits_table(cls: ModelClass, classes: Sequence[ModelClass]) -> bool:
    parents = {c.name: c for c in classes if c.table and c is not cls}
    return any(parents.get(b.rsplit(".", 1)[-1]) is not None for b in cls.bases) and not any(
        col.primary_key and not col.from_mixin for col in cls.columns
    )


# ---------------------------------------------------------------------------
# Foreign keys
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownTable:
    """A table some class or ``Table()`` defines, with its columns when they are all known."""

    name: str
    owner: str
    columns: Mapping[str, ColumnSpec] | None


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
        dangling = make_finding(
            "dangling-fk",
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
            make_finding(
                "dangling-fk",
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
            make_finding(
                "fk-type-mismatch",
                f"{fk.table or owner.rsplit('.', 1)[-1]}.{local} ({owner}) is {mine.type} but "
                f"{target.name}.{remote}{note} is {theirs.type}; give both the same type "
                f"(e.g. {theirs.type}) and convert the data",
                path=fk.path,
                line=mine.line or fk.line,
                objects=(owner, f"{fk.table}.{local}", f"{target.name}.{remote}"),
            )
        )
    return out


_FAMILIES = {
    "integer": ("integer", "biginteger", "smallinteger", "int", "bigint", "smallint", "serial"),
    "string": ("string", "unicode", "varchar", "nvarchar", "text", "unicodetext", "char", "nchar"),
    "uuid": ("uuid", "uuidtype", "guid"),
    "numeric": ("numeric", "decimal", "float", "real", "double", "double_precision"),
    "boolean": ("boolean", "bool"),
    "datetime": ("datetime", "timestamp"),
    "date": ("date",),
    "binary": ("largebinary", "binary", "varbinary", "blob", "bytea"),
}
_FAMILY_OF = {name: fam for fam, names in _FAMILIES.items() for name in names}


def type_family(type_text: str) -> str:
    """``String(36)`` -> ``string``; ``BigInteger`` -> ``integer``; unknown types stay as named."""
    name = type_text.split("(", 1)[0].rsplit(".", 1)[-1].lower()
    return _FAMILY_OF.get(name, name)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The near name: singular/plural forms first, then difflib's closest match."""
    pool = list(candidates)
    if not pool:
        return None
    for form in _number_forms(name):
        if form in pool:
            return form
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.8)
    return close[0] if close else None


def _number_forms(name: str) -> list[str]:
    forms = []
    if name.endswith("ies"):
        forms.append(name[:-3] + "y")
    if name.endswith("es"):
        forms.append(name[:-2])
    if name.endswith("s"):
        forms.append(name[:-1])
    if name.endswith("y"):
        forms.append(name[:-1] + "ies")
    forms += [name + "s", name + "es"]
    return forms


# ---------------------------------------------------------------------------
# Duplicated entities
# ---------------------------------------------------------------------------

_PREFIXES = re.compile(r"^(mvp|se|legacy|old|new|base|unified|core|derik)_?", re.I)
_SUFFIXES = re.compile(r"_?(model|legacy|old|new|v\d+)$", re.I)
_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "uuid"})


def entity_key(class_name: str) -> str:
    """``MVPUser`` -> ``user``; ``SECompetency`` -> ``competency``."""
    snake = snake_case(class_name)
    return _SUFFIXES.sub("", _PREFIXES.sub("", snake)).replace("_", "")


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name for a class name."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def check_duplicate_models(classes: Sequence[ModelClass]) -> list[Finding]:
    """Pairs of mapped classes that look like one entity: same table, or near names with
    overlapping columns."""
    mapped = mapped_classes(classes)
    columns = {id(c): frozenset(col.name for col in c.columns) - _BOOKKEEPING for c in mapped}
    out = []
    for a, b in combinations(mapped, 2):
        reason = _same_entity(a, b, columns[id(a)], columns[id(b)])
        if reason:
            out.append(
                make_finding(
                    "duplicate-model",
                    f"{a.qualname} and {b.qualname} model the same entity ({reason}); "
                    f"merge them into one class and keep the other name as a compat alias",
                    path=b.path,
                    line=b.line,
                    objects=(a.qualname, b.qualname),
                )
            )
    return out


def _same_entity(
    a: ModelClass, b: ModelClass, cols_a: frozenset[str], cols_b: frozenset[str]
) -> str | None:
    if a.table == b.table:
        return f"both map table '{a.table}'"
    shared = cols_a & cols_b
    if len(shared) < 2 or len(shared) / (min(len(cols_a), len(cols_b)) or 1) < 0.4:
        return None  # checked first: set operations are cheap, name similarity is not
    overlap = len(shared) / (min(len(cols_a), len(cols_b)) or 1)
    same_key = entity_key(a.name) == entity_key(b.name)
    if not same_key and (len(shared) < 3 or overlap < 0.5):
        return None  # merely similar names need stronger column evidence
    if same_key or difflib.SequenceMatcher(None, a.name.lower(), b.name.lower()).ratio() >= 0.85:
        return f"similar names, {len(shared)} shared columns: {', '.join(sorted(shared))}"
    return None


# ---------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------


def check_imports(imports: Sequence[ImportRecord]) -> list[Finding]:
    """``broken-import``, ``reexport`` and ``star-import`` for each import of a model module."""
    out: list[Finding] = []
    for imp in imports:
        if imp.form == "from-star":
            out.append(_star_finding(imp))
            continue
        for name in imp.names:
            if name.status == "missing":
                out.append(
                    make_finding(
                        "broken-import",
                        f"'{name.name}' is imported from {imp.target} which does not define it; "
                        f"import it from the module that defines it or remove the import",
                        path=imp.path,
                        line=imp.line,
                        objects=(imp.target, name.name),
                    )
                )
            elif name.status == "reexported" and name.provided_by != imp.target:
                out.append(
                    make_finding(
                        "reexport",
                        f"'{name.name}' is imported from {imp.target}, which only re-exports it "
                        f"from {name.provided_by}; import it from {name.provided_by}",
                        path=imp.path,
                        line=imp.line,
                        objects=(imp.target, name.name, name.provided_by or ""),
                    )
                )
    return out


def _star_finding(imp: ImportRecord) -> Finding:
    used = [n.name for n in imp.names]
    silent = [n.name for n in imp.names if n.status == "reexported"]
    uses = ", ".join(used) if used else "nothing"
    extra = f"; of these {', '.join(silent)} only pass through {imp.target}" if silent else ""
    fix = f"from {imp.written} import {', '.join(used)}" if used else "remove it"
    return make_finding(
        "star-import",
        f"'from {imp.written} import *' silently supplies {uses}{extra}; write it out: {fix}",
        path=imp.path,
        line=imp.line,
        objects=(imp.target, *used),
    )


def check_import_cycles(imports: Sequence[ImportRecord], modules: Iterable[str]) -> list[Finding]:
    """One finding per strongly connected group of model modules (Tarjan)."""
    nodes = set(modules)
    edges: dict[str, dict[str, ImportRecord]] = defaultdict(dict)
    for imp in imports:
        if imp.importer in nodes and imp.target in nodes:
            edges[imp.importer].setdefault(imp.target, imp)
    out = []
    for group in strongly_connected(sorted(nodes), {k: sorted(v) for k, v in edges.items()}):
        if len(group) == 1 and group[0] not in edges.get(group[0], {}):
            continue
        links = [edges[a][b] for a in group for b in sorted(edges.get(a, {})) if b in group]
        first = min(links, key=lambda i: (i.path, i.line))
        chain = "; ".join(f"{i.importer} -> {i.target} ({i.path}:{i.line})" for i in links)
        out.append(
            make_finding(
                "import-cycle",
                f"model modules import each other: {chain}; move the shared classes into one "
                f"module (or import lazily) to break the loop",
                path=first.path,
                line=first.line,
                objects=tuple(group),
            )
        )
    return out


def strongly_connected(nodes: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; groups in discovery order, members sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            succ = edges.get(node, ())
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def check_module_attributes(attributes: Sequence[ModuleAttribute]) -> list[Finding]:
    """``module.Name`` through ``import module [as alias]``: re-exported or missing names."""
    out = []
    for attr in attributes:
        shown = f"{attr.via}.{attr.name}"
        if attr.status == "missing":
            out.append(
                make_finding(
                    "broken-import",
                    f"{shown}: {attr.module} does not define '{attr.name}'; take it from the "
                    f"module that defines it",
                    path=attr.path,
                    line=attr.line,
                    objects=(attr.module, attr.name),
                )
            )
        elif attr.status == "reexported" and attr.provided_by != attr.module:
            out.append(
                make_finding(
                    "reexport",
                    f"{shown}: {attr.module} only re-exports '{attr.name}' (it comes from "
                    f"{attr.provided_by}); take it from {attr.provided_by}",
                    path=attr.path,
                    line=attr.line,
                    objects=(attr.module, attr.name, attr.provided_by or ""),
                )
            )
    return out


def check_dynamic_imports(dynamic: Sequence[DynamicImport]) -> list[Finding]:
    return [
        make_finding(
            "dynamic-import",
            f"{d.call}('{d.module}') loads a model module by name; an import rewrite cannot see "
            f"it, so update the string by hand (or import the module statically)",
            path=d.path,
            line=d.line,
            objects=(d.module,),
        )
        for d in dynamic
    ]


# ---------------------------------------------------------------------------
# Relationships and attributes
# ---------------------------------------------------------------------------


def check_relationships(classes: Sequence[ModelClass], defined: Iterable[str]) -> list[Finding]:
    """Relationship targets that name no class anywhere in the repository."""
    names = set(defined)
    out = []
    for cls in classes:
        for rel in cls.relationships:
            if rel.target and rel.target not in names:
                guess = did_you_mean(rel.target, names)
                hint = f" (did you mean '{guess}'?)" if guess else ""
                out.append(
                    make_finding(
                        "unresolved-relationship",
                        f"{cls.qualname}.{rel.attr} targets class '{rel.target}' which is defined "
                        f"nowhere{hint}; name an existing model class",
                        path=cls.path,
                        line=rel.line,
                        objects=(cls.qualname, rel.target),
                    )
                )
    return out


def check_attribute_drift(
    uses: Sequence[AttributeUse], members: Mapping[str, frozenset[str] | None]
) -> list[Finding]:
    """Uses of ``Class.attr`` / ``filter_by(attr=...)`` the class does not define.  Classes
    whose members cannot be known (unknown bases) map to ``None`` and are skipped.  The
    message names the other classes that do define the attribute, if any."""
    out = []
    seen: set[tuple[str, int, str, str]] = set()
    for use in uses:
        known = members.get(use.model)
        dunder = use.attr.startswith("__") and use.attr.endswith("__")
        if known is None or use.attr in known or dunder:
            continue
        if (use.path, use.line, use.model, use.attr) in seen:
            continue
        seen.add((use.path, use.line, use.model, use.attr))
        alias = "" if use.via == use.model.rsplit(".", 1)[-1] else f" (via {use.via})"
        form = f"filter_by({use.attr}=...)" if use.kind == "filter_by" else f".{use.attr}"
        owners = sorted(q for q, m in members.items() if m and use.attr in m and q != use.model)
        where = (
            f"; {', '.join(owners[:3])} define{'s' if len(owners) == 1 else ''} it"
            if owners
            else ""
        )
        out.append(
            make_finding(
                "attribute-drift",
                f"{form} on {use.model}{alias}, which defines no '{use.attr}'{where}: add it to "
                f"the (unified) class or fix the use",
                path=use.path,
                line=use.line,
                objects=(use.model, use.attr),
            )
        )
    return out


# ---------------------------------------------------------------------------
# Module contents
# ---------------------------------------------------------------------------


def check_module_contents(modules: Sequence[ModelModule]) -> list[Finding]:
    """``model-alias`` for each second name and ``non-model-class`` for helpers in model modules."""
    out = []
    for mod in modules:
        for alias in mod.aliases:
            how = "assignment" if alias.kind == "assign" else "aliased import"
            where = " inside try/except" if alias.guarded else ""
            out.append(
                make_finding(
                    "model-alias",
                    f"{mod.name}.{alias.name} is another name for {alias.target} ({how}{where}); "
                    f"keep it only in the compat module and use {alias.target.rsplit('.', 1)[-1]}",
                    path=alias.path,
                    line=alias.line,
                    objects=(f"{mod.name}.{alias.name}", alias.target),
                )
            )
        aliased = {a.name for a in mod.aliases}
        public = [f for f in mod.functions if not f.name.startswith("_")]
        for sym in (*mod.other_classes, *public):
            what = "placeholder class" if sym.name in aliased else sym.kind
            out.append(
                make_finding(
                    "non-model-class",
                    f"{what} {mod.name}.{sym.name} lives in a model module but is not a model; "
                    f"move it to a helper module (or the compat module) when unifying",
                    path=sym.path,
                    line=sym.line,
                    objects=(f"{mod.name}.{sym.name}",),
                )
            )
    return out


def check_other_python(paths: Sequence[str]) -> list[Finding]:
    return [
        make_finding(
            "other-python-file",
            f"{p} holds Python under another suffix; it is not imported, but review it (delete it "
            f"or rename it to .py) so stale model code does not come back",
            path=p,
            line=None,
            objects=(p,),
        )
        for p in paths
    ]


def check_module_names(clashes: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Separate apps of one repository (``examples/*/app/models.py``) share a dotted name:
    imports cannot tell them apart, so neither can the inventory.  ``clashes``: module name
    -> its files (sorted)."""
    out = []
    for name, found in sorted(clashes.items()):
        first, *others = found
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        out.append(
            make_finding(
                "module-name-clash",
                f"model module {name!r} is {len(found)} files ({first} and {shown}); a class name "
                f"they share is inventoried once, from {first}: analyze and plan one app at a "
                f"time with --models FILE",
                path=others[0],
                line=None,
                objects=(name, *found),
            )
        )
    return out
