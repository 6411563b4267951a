"""An oracle for ``unify analyze``: its tables against the ``MetaData`` SQLAlchemy builds.

``unify`` never imports the code it reads; this script does, to check it.  For each import
root of the repository it starts a subprocess of the app's interpreter that (inside the app's
context, when an app is named) imports the model modules analyze found there and prints, for
every table a module defines (a class mapping a table of its own, or a ``Table`` object bound
at its top level), the columns (type class, nullable, primary key) and foreign keys.  The
parent compares them with analyze's ``tables`` (``unify.report.tables.table_entries``):
tables, columns (type family, nullable, primary key) and foreign keys must be equal.

    python benchmarks/corpus/oracle.py REPO [--python PY] [--models PATH ...] [--app M:F]
                                       [--path DIR ...]

prints each difference and a summary line; exit 0 when equal, 1 on differences, 2 when no
model module imports.  ``compare_inventory(root, models, python, app=...)`` is the same as a
function returning an ``OracleResult`` (the corpus gate runs it for every project).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from unify.analyze import analyze_repo  # noqa: E402
from unify.report.tables import table_entries  # noqa: E402
from unify.vocabulary import type_family  # noqa: E402

IMPORT_TIMEOUT = 300

MARK = "oracle-metadata: "

# Runs in the app's interpreter: argv[1] is a JSON list of module names, argv[2] the app
# (MODULE:FACTORY or MODULE:OBJECT, or "") whose context the imports run in.  Prints one line,
# MARK then a JSON object: {"failed": {module: error}, "tables": [{module, owner, table,
# columns, foreign_keys, owners}]}.
IMPORTER = r"""
import importlib, json, re, sys, traceback
import sqlalchemy as sa
import sqlalchemy.orm

def one_line(exc):
    return (traceback.format_exception_only(type(exc), exc) or ["?"])[-1].strip()

def enter_app(spec):
    # the app (made by its factory when FACTORY is not an app) with its context pushed
    module, _, attr = spec.partition(":")
    target = getattr(importlib.import_module(module), attr)
    app = target if hasattr(target, "app_context") else target()
    app.app_context().push()

def type_name(column_type):
    # SQLAlchemy 1.x's with_variant() wraps the type in a Variant: the type is its impl
    while type(column_type).__name__ == "Variant" and hasattr(column_type, "impl"):
        column_type = column_type.impl
    return type(column_type).__name__

def columns(table):
    return [dict(name=c.name, type=type_name(c.type), nullable=bool(c.nullable),
                 primary_key=bool(c.primary_key)) for c in table.columns]

def foreign_keys(table):
    out = []
    for con in table.foreign_key_constraints:
        targets = [e.target_fullname.split(".") for e in con.elements]
        out.append(dict(columns=[e.parent.name for e in con.elements],
                        target_table=targets[0][-2], target_columns=[t[-1] for t in targets]))
    return out

def bound_here(module, var):
    try:
        text = open(module.__file__, encoding="utf-8", errors="replace").read()
    except (OSError, TypeError):
        return False
    return re.search(r"^[ \t]*" + re.escape(var) + r"\s*(:[^=]*)?=", text, re.M) is not None

def owners():
    # each table's modules: those of the classes that map it as their own __table__
    # (a class extending a table with extend_existing is one of them)
    out = {}
    try:
        from sqlalchemy.orm import mapperlib
        registries = list(mapperlib._mapper_registries)
    except Exception:
        return out
    for reg in registries:
        for mapper in list(getattr(reg, "mappers", ())):
            table = vars(mapper.class_).get("__table__")
            if isinstance(table, sa.Table):
                out.setdefault(id(table), set()).add(mapper.class_.__module__)
    return out

failed, found = {}, []
if sys.argv[2]:
    try:
        enter_app(sys.argv[2])
    except BaseException as exc:
        failed["app " + sys.argv[2]] = one_line(exc)
for name in json.loads(sys.argv[1]):
    try:
        module = importlib.import_module(name)
    except BaseException as exc:
        failed[name] = one_line(exc)
        continue
    for var, value in list(vars(module).items()):
        if isinstance(value, type) and "__table__" in vars(value) and value.__module__ == name:
            table = vars(value)["__table__"]
        elif isinstance(value, sa.Table) and bound_here(module, var):
            table = value
        else:
            continue
        if isinstance(table, sa.Table):
            found.append(dict(module=name, owner=f"{name}.{var}", table=table.name,
                              columns=columns(table), foreign_keys=foreign_keys(table),
                              id=id(table)))
try:
    sa.orm.configure_mappers()
except Exception as exc:
    failed["configure_mappers()"] = str(exc).splitlines()[0] if str(exc) else repr(exc)
shared = owners()
for entry in found:
    entry["owners"] = sorted(shared.pop(entry["id"], set()) | {entry["module"]})
print("oracle-metadata: " + json.dumps(dict(failed=failed, tables=found)))
"""


@dataclass(frozen=True, slots=True)
class Column:
    """A column as both sides are compared: type family, nullable, primary key."""

    family: str
    nullable: bool | None
    primary_key: bool


FkKey = tuple[tuple[str, ...], str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class OracleResult:
    """What the comparison found: the counts compared and each difference, one line each."""

    root: str
    modules: int  # model modules analyze found (or was given)
    failed: tuple[tuple[str, str], ...]  # (module, its import error), and the app's
    tables: int  # tables of the metadata (of the modules that imported)
    tables_equal: int
    columns: int  # columns of those tables
    columns_differing: int
    foreign_keys: int
    foreign_keys_differing: int
    missing: tuple[str, ...]  # tables analyze does not list
    extra: tuple[str, ...]  # tables analyze lists, the metadata not
    differences: tuple[str, ...]
    # columns and foreign keys the inventory lacks on a class analyze reports as inheriting
    # from a class outside the repository (outside-base, U026), and the types of columns it
    # reports as chosen by a function at start-up (runtime-column-type, U027): known to it,
    # not differences
    explained: tuple[str, ...] = ()

    @property
    def imported(self) -> int:
        """Model modules that imported."""
        return self.modules - sum(1 for name, _ in self.failed if not name.startswith("app "))

    @property
    def equal(self) -> bool:
        return not (self.missing or self.extra or self.differences)

    @property
    def problems(self) -> tuple[str, ...]:
        """Every table missing or extra and every difference, one line each."""
        return (
            *(f"{t}: not in the inventory" for t in self.missing),
            *(f"{t}: not in the metadata" for t in self.extra),
            *self.differences,
        )

    def counts(self) -> dict[str, int]:
        return {
            "modules": self.modules,
            "imported": self.imported,
            "tables": self.tables,
            "columns": self.columns,
            "foreign keys": self.foreign_keys,
            "differences": len(self.problems),
            "explained": len(self.explained),
        }

    def summary(self) -> str:
        return (
            f"{self.root}: {self.imported}/{self.modules} model modules imported; "
            f"{self.tables} tables ({self.tables_equal} equal, {len(self.missing)} missing "
            f"from the inventory, {len(self.extra)} not in the metadata); "
            f"{self.columns_differing} of {self.columns} columns differ; "
            f"{self.foreign_keys_differing} of {self.foreign_keys} foreign keys differ"
            + (
                f"; {len(self.explained)} lacking on an outside-base class"
                if self.explained
                else ""
            )
        )


@dataclass(slots=True)
class _Tally:
    """The comparison's counts as it goes (frozen into an ``OracleResult`` at the end)."""

    tables: int = 0
    tables_equal: int = 0
    columns: int = 0
    columns_differing: int = 0
    foreign_keys: int = 0
    foreign_keys_differing: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)


def compare_inventory(
    root: Path,
    models: Sequence[str],
    python: str,
    *,
    app: str = "",
    extra_path: Sequence[Path] = (),
) -> OracleResult:
    """Analyze ``root`` (``models``: the model modules' paths or dotted names; empty: the
    ones analyze finds), import them with ``python`` (one subprocess per import root, inside
    ``app``'s context when given, ``extra_path`` added to ``sys.path``) and compare."""
    if os.sep in python:
        python = os.path.abspath(python)  # the subprocesses run in the import roots
    inventory = analyze_repo(Path(root), models=tuple(models))
    by_root: dict[str, list[str]] = defaultdict(list)
    for module in inventory.modules:
        by_root[module.root].append(module.name)
    failed: dict[str, str] = {}
    metadata: list[dict[str, Any]] = []
    imported: set[tuple[str, str]] = set()
    for where, names in sorted(by_root.items()):
        not_imported, tables = _import(Path(inventory.root) / where, names, python, app, extra_path)
        failed.update(
            {(n if n.startswith("app ") else f"{n} ({where or '.'})"): e
             for n, e in not_imported.items()}
        )  # fmt: skip
        imported |= {(where, n) for n in names if n not in not_imported}
        metadata += [dict(t, root=where) for t in tables]
    roots = {m.path: m.root for m in inventory.modules}
    analyzed = [
        dict(e, root=roots[e["path"]])
        for e in table_entries(inventory)
        if (roots.get(e["path"]), e["module"]) in imported
    ]
    flagged = {f.objects[0] for f in inventory.findings if f.rule == "outside-base" and f.objects}
    outside = {
        (t["root"], t["module"], t["table"]) for t in analyzed if flagged & set(t["classes"])
    }
    # columns whose type a function chooses when the app starts (runtime-column-type)
    runtime = {
        f.objects[0] for f in inventory.findings if f.rule == "runtime-column-type" and f.objects
    }
    tally = _Tally()
    _compare(tally, metadata, analyzed, outside, runtime)
    return OracleResult(
        root=str(root),
        modules=len(inventory.modules),
        failed=tuple(sorted(failed.items())),
        tables=tally.tables,
        tables_equal=tally.tables_equal,
        columns=tally.columns,
        columns_differing=tally.columns_differing,
        foreign_keys=tally.foreign_keys,
        foreign_keys_differing=tally.foreign_keys_differing,
        missing=tuple(tally.missing),
        extra=tuple(tally.extra),
        differences=tuple(tally.differences),
        explained=tuple(tally.explained),
    )


def _import(
    root: Path, names: Sequence[str], python: str, app: str, extra_path: Sequence[Path]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    env = dict(os.environ)
    paths = [str(root), *(str(p) for p in extra_path), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run(
            [python, "-c", IMPORTER, json.dumps(list(names)), app],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {n: f"import took longer than {IMPORT_TIMEOUT}s" for n in names}, []
    found = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if not found:
        error = (proc.stderr.strip().splitlines() or [f"no output (exit {proc.returncode})"])[-1]
        return {n: error for n in names}, []
    data = json.loads(found[-1].removeprefix(MARK))
    return data["failed"], data["tables"]


def _compare(
    report: _Tally,
    metadata: list[dict[str, Any]],
    analyzed: list[dict[str, Any]],
    outside: set[tuple[str, str, str]],
    runtime: Collection[str] = (),
) -> None:
    """``outside``: the tables of classes analyze reports with a base outside the repository
    (what the inventory lacks there is explained, not a difference); ``runtime``: the
    ``table.column``s analyze reports with a type a function computes (their type alone
    differing is explained)."""
    theirs = {(t["root"], t["module"], t["table"]): t for t in metadata}
    ours = {(t["root"], t["module"], t["table"]): t for t in analyzed}
    shared = [k for k, t in theirs.items() if len(t.get("owners", ())) > 1 and k in ours]
    for key in shared:  # one table several modules extend: their columns together
        ours[key] = _union(key, theirs[key]["owners"], analyzed)
    types = _types_by_table(analyzed)
    report.tables = len(theirs)
    report.missing = [_where(k, t) for k, t in theirs.items() if k not in ours]
    report.extra = [_where(k, t) for k, t in ours.items() if k not in theirs]
    for key, table in theirs.items():
        if key not in ours:
            continue
        before = len(report.differences) + len(report.explained)
        _compare_table(report, _where(key, table), table, ours[key], types, key in outside, runtime)
        report.tables_equal += len(report.differences) + len(report.explained) == before


def _union(
    key: tuple[str, str, str], modules: Sequence[str], analyzed: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The analyzed entries of ``key``'s table in ``modules`` (the same import root first)
    as one: columns by name, foreign keys together."""
    root, module, table = key
    parts = [t for t in analyzed if t["table"] == table and t["module"] in modules]
    parts.sort(key=lambda t: (t["root"] != root, t["module"] != module))
    chosen: dict[str, Mapping[str, Any]] = {}
    for part in parts:
        chosen.setdefault(part["module"], part)
    columns: dict[str, Any] = {}
    fks: list[Any] = []
    for part in chosen.values():
        for col in part["columns"]:
            columns.setdefault(col["name"], col)
        fks += part["foreign_keys"]
    return {"table": table, "columns": list(columns.values()), "foreign_keys": fks}


def _where(key: tuple[str, str, str], table: Mapping[str, Any]) -> str:
    root, module, name = key
    return f"{module}:{name}" + (f" ({root})" if root else "")


def _compare_table(
    report: _Tally,
    where: str,
    theirs: Mapping[str, Any],
    ours: Mapping[str, Any],
    types: Mapping[str, Mapping[str, str]],
    outside: bool,
    runtime: Collection[str] = (),
) -> None:
    mine = {c["name"]: _our_column(c, ours, types) for c in ours["columns"]}
    for col in theirs["columns"]:
        report.columns += 1
        expected = Column(type_family(col["type"]), col["nullable"], col["primary_key"])
        got = mine.pop(col["name"], None)
        if got is None and outside:
            report.explained.append(f"{where}.{col['name']}: metadata {expected} (outside-base)")
        elif (
            got is not None
            and f"{theirs['table']}.{col['name']}" in runtime
            and dataclasses.replace(got, family=expected.family) == expected
        ):
            report.explained.append(
                f"{where}.{col['name']}: metadata {expected}, inventory {got} (runtime-column-type)"
            )
        elif got != expected:
            report.columns_differing += 1
            report.differences.append(
                f"{where}.{col['name']}: metadata {expected}, inventory {got}"
            )
    for name, got in mine.items():
        report.differences.append(f"{where}.{name}: not in the metadata, inventory {got}")
    expected_fks = _fk_keys(theirs["foreign_keys"])
    got_fks = _fk_keys(ours["foreign_keys"])
    report.foreign_keys += len(expected_fks)
    for fk in sorted(expected_fks ^ got_fks):
        side = "metadata only" if fk in expected_fks else "inventory only"
        if outside and fk in expected_fks:
            report.explained.append(f"{where}: foreign key {fk} (outside-base)")
            continue
        report.foreign_keys_differing += fk in expected_fks
        report.differences.append(f"{where}: foreign key {fk} ({side})")


def _fk_keys(fks: Iterable[Mapping[str, Any]]) -> set[FkKey]:
    return {(tuple(fk["columns"]), fk["target_table"], tuple(fk["target_columns"])) for fk in fks}


def _types_by_table(analyzed: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Each table's column types as analyze wrote them (for columns typed by their FK)."""
    out: dict[str, dict[str, str]] = {}
    for table in analyzed:
        types = out.setdefault(table["table"], {})
        for col in table["columns"]:
            types.setdefault(col["name"], col["type"])
    return out


def _our_column(
    col: Mapping[str, Any], table: Mapping[str, Any], types: Mapping[str, Mapping[str, str]]
) -> Column:
    """A column without a type takes the type of the column its foreign key references."""
    written = col["type"]
    if not written and col["foreign_key"]:
        target, _, column = str(col["foreign_key"]).rpartition(".")
        written = types.get(target.rpartition(".")[2], {}).get(column, "")
    if not written:
        fk = next((f for f in table["foreign_keys"] if col["name"] in f["columns"]), None)
        if fk is not None:
            column = fk["target_columns"][fk["columns"].index(col["name"])]
            written = types.get(fk["target_table"], {}).get(column, "")
    return Column(type_family(written) if written else "", col["nullable"], col["primary_key"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--python", default=sys.executable, help="the app's interpreter")
    parser.add_argument(
        "--models", action="append", default=[], help="a model module (path or dotted name)"
    )
    parser.add_argument("--app", default="", help="MODULE:FACTORY whose context imports run in")
    parser.add_argument("--path", action="append", type=Path, default=[], help="sys.path")
    args = parser.parse_args(argv)
    result = compare_inventory(
        args.repo, args.models, args.python, app=args.app, extra_path=args.path
    )
    for module, error in result.failed:
        print(f"not imported: {module}: {error}")
    for line in result.problems:
        print(line)
    print(result.summary())
    if result.modules and not result.imported:
        return 2
    return 0 if result.equal else 1


if __name__ == "__main__":
    sys.exit(main())
