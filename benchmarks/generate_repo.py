"""Generate a synthetic legacy Flask/SQLAlchemy repository for benchmarks.

    python benchmarks/generate_repo.py DEST [--models 300 --modules 30 --files 5000 --seed 7]

The repository has ``--modules`` model modules under ``app/models/`` holding ``--models``
classes in both styles (``db.Model`` + ``db.Column`` and ``Mapped[...] = mapped_column``),
foreign keys between modules, and ``--files`` dependent files that import the models in every
form real apps use (one-line and parenthesised from-imports, ``as``, star imports, ``import m``,
``import m as x``, package and relative imports, imports inside functions and try blocks,
importlib strings).  Problems are planted as in a drifted legacy app: duplicate tables and
models, dangling foreign keys, FK type mismatches, aliases, import cycles, non-model classes,
broken imports and attribute drift.  The output depends only on the arguments (seeded).
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = (
    "Account", "Asset", "Audit", "Badge", "Budget", "Campus", "Course", "Cohort", "Contract",
    "Device", "Event", "Grade", "Invoice", "Lesson", "Mentor", "Order", "Payment", "Policy",
    "Project", "Question", "Review", "Skill", "Survey", "Ticket", "Vendor",
)  # fmt: skip
SUFFIXES = (
    "Record", "Entry", "Link", "Profile", "Setting", "Log", "Type", "Status", "Group",
    "Version", "Note", "Rule", "Score", "Tag", "Slot", "Plan",
)  # fmt: skip
DOMAINS = (
    "accounts", "assessment", "audit", "billing", "catalog", "cohorts", "competency",
    "content", "contracts", "devices", "enrollment", "events", "feedback", "grading",
    "inventory", "learning", "mentoring", "notifications", "orders", "organization",
    "payments", "planning", "policies", "projects", "questionnaire", "reporting", "roles",
    "scheduling", "support", "vendors",
)  # fmt: skip
DATA_COLUMNS = (
    ("name", "String(120)", "str"), ("email", "String(255)", "str"),
    ("created_at", "DateTime", "datetime"), ("is_active", "Boolean", "bool"),
    ("score", "Float", "float"), ("notes", "Text", "str"), ("code", "String(32)", "str"),
    ("amount", "Numeric(10, 2)", "Decimal"), ("status", "String(20)", "str"),
    ("position", "Integer", "int"), ("title", "String(200)", "str"),
    ("updated_at", "DateTime", "datetime"),
)  # fmt: skip
PY_TYPES = {"Integer": "int", "String(36)": "str"}
FILES_PER_DIR = 100
PLANTED_DANGLING = 3
PLANTED_MISMATCH = 3
PLANTED_DUPLICATES = 3


# ---------------------------------------------------------------------------
# The model plan (pure, from the seeded random generator)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Col:
    name: str
    sql_type: str
    py_type: str
    fk: str | None = None  # "table.column"
    nullable: bool = True
    unique: bool = False
    index: bool = False


@dataclass(frozen=True, slots=True)
class Rel:
    attr: str
    target: str
    backref: str | None = None


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    module: int
    table: str
    explicit_table: bool
    pk_type: str
    columns: tuple[Col, ...]
    rels: tuple[Rel, ...] = ()
    extend_existing: bool = False


@dataclass(frozen=True, slots=True)
class ModulePlan:
    index: int
    name: str
    mapped: bool  # Mapped[...] = mapped_column style, else db.Column
    models: tuple[Model, ...]
    cycle_imports: tuple[tuple[int, str], ...] = ()  # (module index, class name)
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, class name)
    try_alias: tuple[int, str, str] | None = None  # (module, class, alias) in try/except
    helpers: bool = False  # a non-model class and plain functions


@dataclass(frozen=True, slots=True)
class RepoPlan:
    modules: tuple[ModulePlan, ...]

    @property
    def models(self) -> tuple[Model, ...]:
        return tuple(m for mod in self.modules for m in mod.models)


@dataclass(slots=True)
class _Draft:
    """Mutable working state of ``plan_repo``; never leaves this module."""

    rng: random.Random
    models: list[Model] = field(default_factory=list)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def class_names(count: int, rng: random.Random) -> list[str]:
    pool = [p + s for p, s in itertools.product(PREFIXES, SUFFIXES)]
    rng.shuffle(pool)
    names = pool[:count]
    names += [f"{pool[i % len(pool)]}{i // len(pool) + 2}" for i in range(len(pool), count)]
    return names


def plan_repo(models: int, modules: int, seed: int) -> RepoPlan:
    """Decide every model, column, FK and planted problem; no I/O."""
    if modules < 2 or models < modules * 2:
        raise ValueError("need at least 2 modules and 2 models per module")
    draft = _Draft(rng=random.Random(seed))
    names = class_names(models, draft.rng)
    per_module = [names[i::modules] for i in range(modules)]
    for index, chunk in enumerate(per_module):
        for name in chunk:
            draft.models.append(_plan_model(draft, name, index))
    _plant_model_problems(draft, modules)
    return _assemble(draft, modules)


def _plan_model(draft: _Draft, name: str, module: int) -> Model:
    rng = draft.rng
    explicit = module % 2 == 1 or rng.random() < 0.6  # Mapped-style modules always name it
    table = snake(name) + ("s" if rng.random() < 0.7 else "") if explicit else snake(name)
    pk_type = "String(36)" if rng.random() < 0.1 else "Integer"
    data = rng.sample(DATA_COLUMNS, rng.randint(2, 6))
    cols = [Col("id", pk_type, PY_TYPES[pk_type], nullable=False)]
    cols += [
        Col(n, t, p, nullable=rng.random() < 0.6, unique=n in ("email", "code"), index=n == "name")
        for n, t, p in data
    ]
    rels: list[Rel] = []
    earlier = [m for m in draft.models if m.module <= module]
    for target in rng.sample(earlier, min(len(earlier), rng.randint(0, 2))):
        attr = snake(target.name)
        cols.append(
            Col(f"{attr}_id", target.pk_type, PY_TYPES[target.pk_type], fk=f"{target.table}.id")
        )
        backref = f"{snake(name)}_items" if rng.random() < 0.4 else None
        rels.append(Rel(attr, target.name, backref))
    return Model(name, module, table, explicit, pk_type, tuple(cols), tuple(rels))


def _plant_model_problems(draft: _Draft, modules: int) -> None:
    rng = draft.rng
    ms = draft.models
    # dangling FKs: a plural/singular slip on an existing table
    for i in rng.sample(range(len(ms) // 2, len(ms)), PLANTED_DANGLING):
        ms[i] = _with_extra_col(
            ms[i], Col("owner_ref_id", "Integer", "int", fk=f"{_slip(ms[0].table)}.id")
        )
    # FK type mismatches: String(36) column pointing at an Integer primary key
    ints = [m for m in ms if m.pk_type == "Integer"]
    for i in rng.sample(range(len(ms) // 2, len(ms)), PLANTED_MISMATCH):
        target = rng.choice(ints[: len(ints) // 2])
        ms[i] = _with_extra_col(
            ms[i], Col("legacy_ref_id", "String(36)", "str", fk=f"{target.table}.id")
        )
    # unresolved relationship
    i = rng.randrange(len(ms))
    ms[i] = _replace_rels(ms[i], (*ms[i].rels, Rel("ghost", "RetiredModel")))
    # duplicates: the same entity (name and table) modelled again in another module
    for original in rng.sample(ms[: len(ms) // 3], PLANTED_DUPLICATES):
        module = (original.module + modules // 2) % modules
        copy = Model(
            original.name,
            module,
            original.table,
            True,
            original.pk_type,
            original.columns[:3],
            (),
            extend_existing=rng.random() < 0.5,
        )
        ms.append(copy)


def _slip(table: str) -> str:
    return table[:-1] if table.endswith("s") else table + "s"


def _with_extra_col(model: Model, col: Col) -> Model:
    return Model(
        model.name,
        model.module,
        model.table,
        model.explicit_table,
        model.pk_type,
        (*model.columns, col),
        model.rels,
        model.extend_existing,
    )


def _replace_rels(model: Model, rels: tuple[Rel, ...]) -> Model:
    return Model(
        model.name,
        model.module,
        model.table,
        model.explicit_table,
        model.pk_type,
        model.columns,
        rels,
        model.extend_existing,
    )


def _assemble(draft: _Draft, modules: int) -> RepoPlan:
    rng = draft.rng
    by_module = [tuple(m for m in draft.models if m.module == i) for i in range(modules)]
    cycles = _cycle_imports(by_module, rng)
    plans = []
    for i in range(modules):
        firsts = [m.name for m in by_module[i][:2]]
        aliases = ((f"Legacy{firsts[0]}", firsts[0]),) if i % 5 == 0 else ()
        other = by_module[(i + 1) % modules][0].name
        try_alias = ((i + 1) % modules, other, f"Compat{other}") if i % 7 == 3 else None
        plans.append(
            ModulePlan(
                i,
                DOMAINS[i % len(DOMAINS)] + ("" if i < len(DOMAINS) else str(i)),
                i % 2 == 1,
                by_module[i],
                cycles.get(i, ()),
                aliases,
                try_alias,
                helpers=i % 6 == 2,
            )
        )
    return RepoPlan(tuple(plans))


def _cycle_imports(
    by_module: Sequence[tuple[Model, ...]], rng: random.Random
) -> dict[int, tuple[tuple[int, str], ...]]:
    """Three pairs of modules that import a class from each other at module level."""
    count = len(by_module)
    pairs = rng.sample(
        [(a, b) for a in range(count) for b in range(a + 1, count)], min(3, count // 2)
    )
    out: dict[int, list[tuple[int, str]]] = {}
    for a, b in pairs:
        out.setdefault(a, []).append((b, by_module[b][0].name))
        out.setdefault(b, []).append((a, by_module[a][0].name))
    return {k: tuple(v) for k, v in out.items()}


# ---------------------------------------------------------------------------
# Rendering model modules
# ---------------------------------------------------------------------------

DB_MODULE = '''"""Database handles shared by every model module."""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
'''


def render_model_module(plan: RepoPlan, mod: ModulePlan) -> str:
    lines = [f'"""Models of the {mod.name} domain (generated legacy module)."""']
    lines += _module_imports(plan, mod)
    for model in mod.models:
        lines += ["", "", *(_mapped_class(model) if mod.mapped else _db_class(model))]
    lines += [""] + [f"{alias} = {name}" for alias, name in mod.aliases]
    if mod.helpers:
        lines += ["", "", *_helpers(mod)]
    return "\n".join(lines) + "\n"


def _module_imports(plan: RepoPlan, mod: ModulePlan) -> list[str]:
    lines = ["from __future__ import annotations", ""]
    if mod.mapped:
        lines += ["from datetime import datetime", "from decimal import Decimal", ""]
        lines += [
            "from sqlalchemy import ForeignKey, Integer, String, Text, Boolean, DateTime, Float, Numeric",
            "from sqlalchemy.orm import Mapped, mapped_column, relationship",
            "",
        ]
        lines.append("from app.db import Base")
    else:
        lines.append("from app.db import db")
    for target, name in mod.cycle_imports:
        lines.append(f"from app.models.{plan.modules[target].name} import {name}  # noqa: F401")
    if mod.try_alias is not None:
        target, name, alias = mod.try_alias
        lines += [
            "",
            "try:",
            f"    from app.models.{plan.modules[target].name} import {name} as {alias}",
            "except ImportError:  # older deployments",
            f"    class {alias}:  # placeholder",
            "        pass",
        ]
    return lines


def _db_class(model: Model) -> list[str]:
    lines = [f"class {model.name}(db.Model):"]
    if model.explicit_table:
        lines.append(f'    __tablename__ = "{model.table}"')
    if model.extend_existing:
        lines.append('    __table_args__ = {"extend_existing": True}')
    for col in model.columns:
        args = [f"db.{col.sql_type}"]
        if col.fk:
            args.append(f'db.ForeignKey("{col.fk}")')
        args += _col_flags(col)
        lines.append(f"    {col.name} = db.Column({', '.join(args)})")
    for rel in model.rels:
        extra = f', backref="{rel.backref}"' if rel.backref else ""
        lines.append(f'    {rel.attr} = db.relationship("{rel.target}"{extra})')
    return lines


def _mapped_class(model: Model) -> list[str]:
    lines = [f"class {model.name}(Base):", f'    __tablename__ = "{model.table}"']
    if model.extend_existing:
        lines.append('    __table_args__ = {"extend_existing": True}')
    for col in model.columns:
        args = [col.sql_type] + ([f'ForeignKey("{col.fk}")'] if col.fk else []) + _col_flags(col)
        py = col.py_type if not col.nullable or col.name == "id" else f"{col.py_type} | None"
        lines.append(f"    {col.name}: Mapped[{py}] = mapped_column({', '.join(args)})")
    for rel in model.rels:
        extra = f', backref="{rel.backref}"' if rel.backref else ""
        lines.append(
            f'    {rel.attr}: Mapped["{rel.target}"] = relationship("{rel.target}"{extra})'
        )
    return lines


def _col_flags(col: Col) -> list[str]:
    flags = ["primary_key=True"] if col.name == "id" else []
    if col.name != "id" and not col.nullable:
        flags.append("nullable=False")
    if col.unique:
        flags.append("unique=True")
    if col.index:
        flags.append("index=True")
    if col.name == "created_at":
        flags.append("default=None")
    return flags


def _helpers(mod: ModulePlan) -> list[str]:
    first = mod.models[0].name
    return [
        f"class {first}Wrapper:",
        f'    """Compatibility wrapper around {first} (not a model)."""',
        "",
        "    def __init__(self, row):",
        "        self.row = row",
        "",
        "",
        f"def find_{snake(first)}(key):",
        f"    return {first}.query.get(key)",
    ]


def render_models_package(plan: RepoPlan) -> str:
    """``app/models/__init__.py``: re-exports a few names from each module."""
    lines = ['"""Model package: re-exports kept for old imports."""']
    for mod in plan.modules:
        names = sorted({m.name for m in mod.models[:3]})
        lines.append(f"from app.models.{mod.name} import {', '.join(names)}  # noqa: F401")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Rendering dependent files
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DepDir:
    """A folder of dependent files: ``package`` folders get ``__init__.py`` files."""

    path: str
    package: bool
    depth: int  # dots needed to reach ``app`` in a relative import (package folders only)


def dependent_dirs(files: int) -> list[DepDir]:
    groups = (
        ("app/services", True, 3),
        ("app/api", True, 3),
        ("jobs", False, 0),
        ("tests", False, 0),
    )
    count = max(1, -(-files // FILES_PER_DIR))
    return [
        DepDir(f"{groups[i % 4][0]}/part_{i // 4:03d}", groups[i % 4][1], groups[i % 4][2])
        for i in range(count)
    ]


@dataclass(slots=True)
class _FileDraft:
    """Lines of one dependent file being rendered; never leaves this module."""

    imports: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    needs_importlib: bool = False


FORMS = (
    "one",
    "paren",
    "as",
    "star",
    "module",
    "module_as",
    "from_pkg_module",
    "reexport",
    "relative",
    "function",
    "try",
)


def render_dependent(plan: RepoPlan, ddir: DepDir, number: int, rng: random.Random) -> str:
    draft = _FileDraft()
    for form in rng.sample(FORMS, rng.randint(2, 5)):
        mod = rng.choice(plan.modules)
        models = rng.sample(mod.models, min(len(mod.models), rng.randint(1, 3)))
        _render_form(draft, plan, ddir, form, mod, models, rng)
    _plant_dependent_problems(draft, plan, number, rng)
    head = [f'"""Generated dependent module {ddir.path}/mod_{number:05d}."""', ""]
    head += ["import importlib", ""] if draft.needs_importlib else []
    return "\n".join([*head, *draft.imports, "", *draft.body]) + "\n"


def _render_form(
    draft: _FileDraft,
    plan: RepoPlan,
    ddir: DepDir,
    form: str,
    mod: ModulePlan,
    models: Sequence[Model],
    rng: random.Random,
) -> None:
    dotted = f"app.models.{mod.name}"
    names = [m.name for m in models]
    fn = f"use_{form}_{len(draft.body)}"
    if form == "one":
        draft.imports.append(f"from {dotted} import {', '.join(names)}")
        draft.body += _uses(fn, [(n, m) for n, m in zip(names, models, strict=True)], rng)
    elif form == "paren":
        draft.imports += [
            f"from {dotted} import (",
            *(f"    {n},  # {mod.name}" for n in names),
            ")",
        ]
        draft.body += _uses(fn, [(n, m) for n, m in zip(names, models, strict=True)], rng)
    elif form == "as":
        draft.imports.append(f"from {dotted} import {names[0]} as {names[0]}Model")
        draft.body += _uses(fn, [(f"{names[0]}Model", models[0])], rng)
    elif form == "star":
        draft.imports.append(f"from {dotted} import *  # noqa: F403")
        draft.body += _uses(fn, [(n, m) for n, m in zip(names, models, strict=True)], rng)
    elif form in ("module", "module_as", "from_pkg_module"):
        prefix = _module_import(draft, dotted, mod.name, form)
        draft.body += _uses(
            fn, [(f"{prefix}.{n}", m) for n, m in zip(names, models, strict=True)], rng
        )
    else:
        _render_form_nested(draft, plan, ddir, form, mod, models, rng)


def _module_import(draft: _FileDraft, dotted: str, short: str, form: str) -> str:
    if form == "module":
        draft.imports.append(f"import {dotted}")
        return dotted
    if form == "module_as":
        draft.imports.append(f"import {dotted} as {short}_models")
        return f"{short}_models"
    draft.imports.append(f"from app.models import {short}")
    return short


def _render_form_nested(
    draft: _FileDraft,
    plan: RepoPlan,
    ddir: DepDir,
    form: str,
    mod: ModulePlan,
    models: Sequence[Model],
    rng: random.Random,
) -> None:
    model = models[0]
    fn = f"use_{form}_{len(draft.body)}"
    if form == "reexport":
        pkg_names = [m for m in plan.modules[model.module].models[:3] if m.name == model.name]
        if pkg_names:
            draft.imports.append(f"from app.models import {model.name}")
            draft.body += _uses(fn, [(model.name, model)], rng)
            return
        form = "function"
    if form == "relative" and ddir.package:
        draft.imports.append(f"from {'.' * ddir.depth}models.{mod.name} import {model.name}")
        draft.body += _uses(fn, [(model.name, model)], rng)
        return
    if form == "try":
        draft.imports += [
            "try:",
            f"    from app.models.{mod.name} import {model.name}",
            "except ImportError:  # optional feature",
            f"    {model.name} = None",
        ]
        draft.body += _uses(fn, [(model.name, model)], rng)
        return
    body = _uses(fn, [(model.name, model)], rng)
    draft.body += [body[0], f"    from app.models.{mod.name} import {model.name}", *body[1:]]


def _uses(fn: str, pairs: Sequence[tuple[str, Model]], rng: random.Random) -> list[str]:
    """A function using each class: query, filter_by on a real column, attribute access."""
    lines = [f"def {fn}(session, key):", "    found = []"]
    for ref, model in pairs:
        col = rng.choice(model.columns[1:] or model.columns)
        value = {"str": "str(key)", "int": "int(key)", "bool": "bool(key)"}.get(col.py_type, "key")
        lines += [
            f"    found.append({ref}.query.filter_by({col.name}={value}).first())",
            f"    found.append(session.query({ref}).filter({ref}.{col.name} == key).all())",
        ]
    lines += ["    return found", "", ""]
    return lines


def is_broken(number: int) -> bool:
    return number % 97 == 5


def is_drifted(number: int) -> bool:
    return number % 89 == 7


def is_dynamic(number: int) -> bool:
    return number % 211 == 11


def _plant_dependent_problems(
    draft: _FileDraft, plan: RepoPlan, number: int, rng: random.Random
) -> None:
    mod = plan.modules[number % len(plan.modules)]
    if is_broken(number):  # broken import inside a function never called
        draft.body += [
            "def never_called():",
            f"    from app.models.{mod.name} import RetiredThing",
            "    return RetiredThing",
            "",
            "",
        ]
    if is_drifted(number):  # attribute drift: a column the class does not define
        model = mod.models[0]
        draft.imports.append(f"from app.models.{mod.name} import {model.name}")
        draft.body += [
            "def drifted(key):",
            f"    return {model.name}.query.filter_by(legacy_flag=key).all()",
            "",
            "",
        ]
    if is_dynamic(number):  # dynamic import of a model module
        draft.needs_importlib = True
        draft.body += [
            "def load_models():",
            f'    return importlib.import_module("app.models.{mod.name}")',
            "",
            "",
        ]


# ---------------------------------------------------------------------------
# Writing the repository
# ---------------------------------------------------------------------------


def planted_problems(plan: RepoPlan, files: int) -> dict[str, int]:
    """How many problems of each analyze rule were planted (for ``duplicate-model``, how many
    copies; near names may add more candidates)."""
    mods = plan.modules
    return {
        "dangling-fk": PLANTED_DANGLING,
        "fk-type-mismatch": PLANTED_MISMATCH,
        "duplicate-table": PLANTED_DUPLICATES,
        "duplicate-model": PLANTED_DUPLICATES,
        "unresolved-relationship": 1,
        "import-cycle": len({frozenset((m.index, t)) for m in mods for t, _ in m.cycle_imports}),
        "model-alias": sum(len(m.aliases) + (m.try_alias is not None) for m in mods),
        "non-model-class": sum(2 * m.helpers + (m.try_alias is not None) for m in mods),
        "broken-import": sum(map(is_broken, range(files))),
        "attribute-drift": sum(map(is_drifted, range(files))),
        "dynamic-import": sum(map(is_dynamic, range(files))),
        "parse-error": 1,
    }


def generate(
    dest: Path, models: int = 300, modules: int = 30, files: int = 5000, seed: int = 7
) -> int:
    """Write the repository to ``dest`` (replaced if it exists); return the number of files."""
    plan = plan_repo(models, modules, seed)
    if dest.exists():
        shutil.rmtree(dest)
    written = 0
    for rel, text in _repo_files(plan, files, random.Random(seed + 1)):
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    return written


def _repo_files(plan: RepoPlan, files: int, rng: random.Random) -> Iterator[tuple[str, str]]:
    yield "app/__init__.py", '"""Generated legacy application."""\n'
    yield "app/db.py", DB_MODULE
    yield "app/models/__init__.py", render_models_package(plan)
    for mod in plan.modules:
        yield f"app/models/{mod.name}.py", render_model_module(plan, mod)
    yield f"app/models/{plan.modules[0].name}.py.unused", render_model_module(plan, plan.modules[0])
    yield from _package_inits(dependent_dirs(files))
    dirs = dependent_dirs(files)
    for number in range(files):
        ddir = dirs[number // FILES_PER_DIR]
        yield f"{ddir.path}/mod_{number:05d}.py", render_dependent(plan, ddir, number, rng)
    yield "jobs/broken_script.py", "def broken(:\n    pass\n"


def _package_inits(dirs: Sequence[DepDir]) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for ddir in dirs:
        if not ddir.package:
            continue
        parts = ddir.path.split("/")
        for i in range(2, len(parts) + 1):
            folder = "/".join(parts[:i])
            if folder not in seen:
                seen.add(folder)
                yield f"{folder}/__init__.py", ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dest", type=Path, help="folder to create (replaced if it exists)")
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--modules", type=int, default=30)
    parser.add_argument("--files", type=int, default=5000, help="dependent files")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        count = generate(args.dest, args.models, args.modules, args.files, args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} files to {args.dest}")
    planted = planted_problems(plan_repo(args.models, args.modules, args.seed), args.files)
    print("planted: " + ", ".join(f"{rule} {n}" for rule, n in sorted(planted.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
