"""An oracle for ``unify analyze``: its tables against the ``MetaData`` SQLAlchemy builds.

``unify`` never imports the code it reads; this script does, to check it.  For each import
root of the repository it starts a subprocess of the app's interpreter that imports the model
modules analyze found there and prints, for every table a module defines (a class mapping a
table of its own, or a ``Table`` object bound at its top level), the columns (type class,
nullable, primary key) and foreign keys.  The parent compares them with analyze's ``tables``
(``unify.report.tables.table_entries``): tables, columns (type family, nullable, primary key)
and foreign keys must be equal.

    python benchmarks/oracle.py REPO [--python PY] [--module NAME ...] [--path DIR ...]

prints each difference and a summary line; exit 0 when equal, 1 on differences, 2 when no
model module imports.  ``compare_with_metadata(repo)`` is the same as a function, for other
scripts (the corpus gate).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from unify.analyze import analyze_repo  # noqa: E402
from unify.report.tables import table_entries  # noqa: E402
from unify.vocabulary import type_family  # noqa: E402

IMPORT_TIMEOUT = 300

# Runs in the app's interpreter: argv[1] is a JSON list of module names.  Prints one JSON
# object: {"failed": {module: error}, "tables": [{module, owner, table, columns, foreign_keys}]}.
IMPORTER = r"""
import importlib, json, re, sys, traceback
import sqlalchemy as sa
import sqlalchemy.orm

def columns(table):
    return [dict(name=c.name, type=type(c.type).__name__, nullable=bool(c.nullable),
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
for name in json.loads(sys.argv[1]):
    try:
        module = importlib.import_module(name)
    except BaseException as exc:
        failed[name] = (traceback.format_exception_only(type(exc), exc) or ["?"])[-1].strip()
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
print(json.dumps(dict(failed=failed, tables=found)))
"""


@dataclass(frozen=True, slots=True)
class Column:
    """A column as both sides are compared: type family, nullable, primary key."""

    family: str
    nullable: bool | None
    primary_key: bool


FkKey = tuple[tuple[str, ...], str, tuple[str, ...]]


@dataclass(slots=True)
class OracleReport:
    """What the comparison found; ``differences`` one line each."""

    repo: str
    modules: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # module -> its import error
    tables: int = 0  # tables of the metadata (of the modules that imported)
    tables_equal: int = 0
    columns: int = 0  # columns of those tables
    columns_differing: int = 0
    foreign_keys: int = 0
    foreign_keys_differing: int = 0
    missing: list[str] = field(default_factory=list)  # tables analyze does not list
    extra: list[str] = field(default_factory=list)  # tables analyze lists, the metadata not
    differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.missing or self.extra or self.differences)

    def summary(self) -> str:
        return (
            f"{self.repo}: {self.modules - len(self.failed)}/{self.modules} model modules "
            f"imported; {self.tables} tables ({self.tables_equal} equal, {len(self.missing)} "
            f"missing from the inventory, {len(self.extra)} not in the metadata); "
            f"{self.columns_differing} of {self.columns} columns differ; "
            f"{self.foreign_keys_differing} of {self.foreign_keys} foreign keys differ"
        )


def compare_with_metadata(
    repo: Path,
    *,
    python: str = sys.executable,
    modules: Sequence[str] = (),
    extra_path: Sequence[Path] = (),
) -> OracleReport:
    """Analyze ``repo``, import its model modules (or ``modules``) with ``python`` (one
    subprocess per import root, ``extra_path`` added to ``sys.path``) and compare."""
    if os.sep in python:
        python = os.path.abspath(python)  # the subprocesses run in the import roots
    inventory = analyze_repo(repo)
    chosen = [m for m in inventory.modules if not modules or m.name in modules]
    report = OracleReport(repo=str(repo), modules=len(chosen))
    by_root: dict[str, list[str]] = defaultdict(list)
    for module in chosen:
        by_root[module.root].append(module.name)
    metadata: list[dict[str, Any]] = []
    imported: set[tuple[str, str]] = set()
    for root, names in sorted(by_root.items()):
        failed, tables = _import(Path(inventory.root) / root, names, python, extra_path)
        report.failed.update({f"{n} ({root or '.'})": e for n, e in failed.items()})
        imported |= {(root, n) for n in names if n not in failed}
        metadata += [dict(t, root=root) for t in tables]
    roots = {m.path: m.root for m in chosen}
    analyzed = [
        dict(e, root=roots[e["path"]])
        for e in table_entries(inventory)
        if (roots.get(e["path"]), e["module"]) in imported
    ]
    _compare(report, metadata, analyzed)
    return report


def _import(
    root: Path, names: Sequence[str], python: str, extra_path: Sequence[Path]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    env = dict(os.environ)
    paths = [str(root), *(str(p) for p in extra_path), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run(
            [python, "-c", IMPORTER, json.dumps(list(names))],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {n: f"import took longer than {IMPORT_TIMEOUT}s" for n in names}, []
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        error = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {n: error for n in names}, []
    data = json.loads(lines[-1])
    return data["failed"], data["tables"]


def _compare(
    report: OracleReport, metadata: list[dict[str, Any]], analyzed: list[dict[str, Any]]
) -> None:
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
        before = len(report.differences)
        _compare_table(report, _where(key, table), table, ours[key], types)
        report.tables_equal += len(report.differences) == before


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
    report: OracleReport,
    where: str,
    theirs: Mapping[str, Any],
    ours: Mapping[str, Any],
    types: Mapping[str, Mapping[str, str]],
) -> None:
    mine = {c["name"]: _our_column(c, ours, types) for c in ours["columns"]}
    for col in theirs["columns"]:
        report.columns += 1
        expected = Column(type_family(col["type"]), col["nullable"], col["primary_key"])
        got = mine.pop(col["name"], None)
        if got != expected:
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
    parser.add_argument("--module", action="append", default=[], help="only these modules")
    parser.add_argument("--path", action="append", type=Path, default=[], help="sys.path")
    args = parser.parse_args(argv)
    report = compare_with_metadata(
        args.repo, python=args.python, modules=args.module, extra_path=args.path
    )
    for module, error in sorted(report.failed.items()):
        print(f"not imported: {module}: {error}")
    for line in [*report.missing, *report.extra, *report.differences]:
        print(line)
    print(report.summary())
    if report.modules and len(report.failed) >= report.modules:
        return 2
    return 0 if report.equal else 1


if __name__ == "__main__":
    sys.exit(main())
