"""Verify the unified schema: load it, create it on a scratch database, compare it with a
restored database.

Three stages, each turning what it sees into records and findings:

1. **load**: the unified module is imported in a subprocess (with the repository's import
   root on ``sys.path``); its mappers are configured and its metadata printed as JSON.  The
   parent never imports user code: it rebuilds a ``MetaData`` from the ``SchemaShape``.
2. **scratch**: ``create_all`` on a database unify creates (and drops), then every foreign
   key is inspected: target table and columns exist, column types equal.
3. **compare**: inside one READ ONLY transaction with a statement timeout, the restored
   database is reflected and diffed with alembic's ``compare_metadata``; foreign keys are
   compared as normalised signatures; data checks run in SQL (counts and a few samples,
   never rows loaded into Python).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection
from sqlalchemy.types import TypeEngine, UserDefinedType

from unify import db
from unify.errors import InputError
from unify.models import (
    ColumnShape,
    Finding,
    FkInspection,
    ForeignKeyShape,
    ResolvedPlan,
    Rule,
    SchemaShape,
    ScratchKind,
    Severity,
    TableShape,
    VerifyResult,
    rule_catalogue,
)
from unify.scan import describe_files, list_repo_files

LOAD_TIMEOUT = 120

RULES: dict[str, Rule] = rule_catalogue(
    Rule(
        name="load-failed",
        code="V001",
        severity=Severity.ERROR,
        summary="the unified module does not import or has no tables",
    ),
    Rule(
        name="fk-missing-target",
        code="V101",
        severity=Severity.ERROR,
        summary="a foreign key to a table or column the schema lacks",
    ),
    Rule(
        name="fk-type-mismatch",
        code="V102",
        severity=Severity.ERROR,
        summary="FK column type differs from its key's on PostgreSQL",
    ),
    Rule(
        name="schema-drift",
        code="V201",
        severity=Severity.WARNING,
        summary="tables, columns, types or foreign keys differ from the database",
    ),
    Rule(
        name="orphaned-rows",
        code="V301",
        severity=Severity.ERROR,
        summary="rows a new foreign key would reject",
    ),
    Rule(
        name="uncastable-values",
        code="V302",
        severity=Severity.ERROR,
        summary="values that will not convert to the new type",
    ),
    Rule(
        name="value-too-long",
        code="V303",
        severity=Severity.ERROR,
        summary="values longer than the new length",
    ),
    Rule(
        name="not-null-violation",
        code="V304",
        severity=Severity.ERROR,
        summary="NULLs in a column that becomes NOT NULL",
    ),
    Rule(
        name="unique-violation",
        code="V305",
        severity=Severity.ERROR,
        summary="duplicates in a column that becomes UNIQUE",
    ),
    Rule(
        name="merge-collision",
        code="V306",
        severity=Severity.ERROR,
        summary="merged rows clash with the survivor's unique values",
    ),
    Rule(
        name="fk-inconsistent",
        code="V307",
        severity=Severity.ERROR,
        summary="a row disagrees with its parent on a shared column",
    ),
)


def finding(rule: str, message: str, severity: Severity | None = None, **where: Any) -> Finding:
    return RULES[rule].finding(message, severity=severity, **where)


def verify(
    repo: Path,
    resolved: ResolvedPlan,
    database_url: URL,
    *,
    scratch: ScratchKind = "postgres",
    timeout: float = 300.0,
    samples: int = 5,
) -> VerifyResult:
    """Run the three stages against the restored database at ``database_url``."""
    plan = resolved.plan
    db.ping(database_url)
    loaded = load_schema(repo, plan.target_module)
    masked = db.mask(database_url)
    if isinstance(loaded, Finding):
        return VerifyResult(
            module=plan.target_module,
            database=masked,
            schema=None,
            inspection=None,
            findings=(loaded,),
        )
    with db.scratch_database(database_url.set(database="postgres"), "verify", scratch) as target:
        inspection = inspect_foreign_keys(loaded, target)
    comparison = compare_database(
        database_url, loaded, resolved, timeout=timeout, samples=samples
    )
    return VerifyResult(
        module=plan.target_module,
        database=masked,
        schema=loaded,
        inspection=inspection,
        findings=inspection.findings + comparison.findings,
        tables_compared=comparison.tables_compared,
        checks_run=comparison.checks_run,
    )


# ---------------------------------------------------------------------------
# Stage 1: load the unified module in a subprocess
# ---------------------------------------------------------------------------

LOADER = r"""
import importlib, json, sys
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import configure_mappers

module = importlib.import_module(sys.argv[1])
configure_mappers()
metas = []
for value in list(vars(module).values()):
    for cand in (value, getattr(value, "metadata", None)):
        if isinstance(cand, sa.MetaData) and all(cand is not m for m in metas):
            metas.append(cand)

def type_info(col):
    t = col.type
    while isinstance(t, sa.types.TypeDecorator):
        t = t.impl_instance
    try:
        sql = col.type.compile(dialect=postgresql.dialect())
    except Exception:
        sql = "TEXT"
    cls = type(t)
    return repr(t), cls.__module__ + "." + cls.__qualname__, sql

def target(fk):
    parts = fk.target_fullname.split(".")
    return ".".join(parts[:-1]), parts[-1]

def table_info(table):
    cols = []
    for c in table.columns:
        rep, cls, sql = type_info(c)
        cols.append(dict(name=c.name, type=rep, type_class=cls, sql_type=sql,
                         nullable=bool(c.nullable), primary_key=bool(c.primary_key)))
    fks = []
    for con in table.foreign_key_constraints:
        targets = [target(e) for e in con.elements]
        fks.append(dict(columns=[e.parent.name for e in con.elements],
                        target_table=targets[0][0], target_columns=[t[1] for t in targets],
                        ondelete=con.ondelete, onupdate=con.onupdate, deferrable=con.deferrable))
    unique = [[c.name for c in k.columns] for k in table.constraints
              if isinstance(k, sa.UniqueConstraint)]
    unique += [[c.name for c in i.columns] for i in table.indexes if i.unique]
    return dict(name=table.name, columns=cols, foreign_keys=fks, unique=unique)

tables = {}
for m in metas:
    for t in m.tables.values():
        tables.setdefault(t.name, table_info(t))
print(json.dumps([tables[k] for k in sorted(tables)]))
"""


def load_schema(repo: Path, module: str) -> SchemaShape | Finding:
    """Import ``module`` of ``repo`` in a subprocess; its metadata, or a load-failed finding."""
    root = module_root(repo, module)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", LOADER, module],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=LOAD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return finding("load-failed", f"importing {module} took longer than {LOAD_TIMEOUT}s")
    if proc.returncode != 0:
        last = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or ["no output"]
        return finding("load-failed", f"{module} does not import alone: {last[0].strip()}")
    tables = tuple(_table_shape(t) for t in json.loads(proc.stdout.strip().splitlines()[-1]))
    if not tables:
        return finding(
            "load-failed", f"{module} imports but defines no mapped table (no MetaData found)"
        )
    return SchemaShape(module=module, tables=tables)


def module_root(repo: Path, module: str) -> Path:
    """The import root folder from which ``module`` of ``repo`` imports."""
    files = list_repo_files(repo)
    matches = [f for f in describe_files(files.root, files.python) if f.module == module]
    if not matches:
        raise InputError(f"{repo}: module {module} not found (run `unify build` first?)")
    best = min(matches, key=lambda f: (f.root.count("/") if f.root else -1, f.rel))
    return files.root / best.root if best.root else files.root


def _table_shape(raw: dict[str, Any]) -> TableShape:
    name = raw["name"]
    return TableShape(
        name=name,
        columns=tuple(ColumnShape(**c) for c in raw["columns"]),
        foreign_keys=tuple(
            ForeignKeyShape(
                table=name,
                columns=tuple(fk["columns"]),
                target_table=fk["target_table"],
                target_columns=tuple(fk["target_columns"]),
                ondelete=fk["ondelete"],
                onupdate=fk["onupdate"],
                deferrable=fk["deferrable"],
            )
            for fk in raw["foreign_keys"]
        ),
        unique=tuple(dict.fromkeys(tuple(u) for u in raw["unique"])),
    )


# ---------------------------------------------------------------------------
# Rebuilding a MetaData from shapes (never from user code)
# ---------------------------------------------------------------------------


class LiteralType(UserDefinedType[Any]):
    """A column type known only by its DDL text (a type unify cannot rebuild)."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **kw: Any) -> str:
        return self.spec


def rebuild_type(column: ColumnShape) -> TypeEngine[Any]:
    """The SQLAlchemy type of a column shape, rebuilt from its repr without ``eval``."""
    module = column.type_class.rpartition(".")[0]
    if not module.startswith("sqlalchemy"):
        return LiteralType(column.sql_type)
    try:
        node = ast.parse(column.type, mode="eval").body
        return _build_type(node, importlib.import_module(module))
    except (SyntaxError, ValueError, TypeError, AttributeError, ImportError):
        return LiteralType(column.sql_type)


def _build_type(node: ast.expr, home: Any) -> TypeEngine[Any]:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError("not a type call")
    name = node.func.id
    cls = getattr(home, name, None) or getattr(sa.types, name, None) or getattr(postgresql, name)
    if not (isinstance(cls, type) and issubclass(cls, TypeEngine)):
        raise ValueError(f"{name} is not a type")
    args = [_type_arg(a) for a in node.args]
    kwargs = {k.arg: _type_arg(k.value) for k in node.keywords if k.arg}
    built: TypeEngine[Any] = cls(*args, **kwargs)
    return built


def _type_arg(node: ast.expr) -> Any:
    if isinstance(node, ast.Call):
        return _build_type(node, sa.types)
    return ast.literal_eval(node)


def build_metadata(
    schema: SchemaShape,
    *,
    names: dict[str, str] | None = None,
    skip: Iterable[ForeignKeyShape] = (),
    with_constraints: bool = True,
) -> sa.MetaData:
    """A new MetaData for the shapes; ``names`` renames tables; ``skip`` leaves FKs out."""
    names = names or {}
    skipped = set(skip)
    metadata = sa.MetaData()
    for table in schema.tables:
        items: list[Any] = [
            sa.Column(c.name, rebuild_type(c), nullable=c.nullable, primary_key=c.primary_key)
            for c in table.columns
        ]
        if with_constraints:
            items += [_fk_constraint(fk) for fk in table.foreign_keys if fk not in skipped]
            items += [sa.UniqueConstraint(*cols) for cols in table.unique]
        sa.Table(names.get(table.name, table.name), metadata, *items)
    return metadata


def _fk_constraint(fk: ForeignKeyShape) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        list(fk.columns),
        [f"{fk.target_table}.{c}" for c in fk.target_columns],
        ondelete=fk.ondelete,
        onupdate=fk.onupdate,
        deferrable=fk.deferrable,
    )


# ---------------------------------------------------------------------------
# Stage 2: create the schema on a scratch database and inspect every foreign key
# ---------------------------------------------------------------------------


def inspect_foreign_keys(schema: SchemaShape, scratch: db.ScratchDatabase) -> FkInspection:
    """``create_all`` on the scratch database, then the inspector's view of every FK."""
    broken, findings = precheck_foreign_keys(schema)
    db.create_schema(scratch, build_metadata(schema, skip=broken))
    engine = db.engine_for(scratch.url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables = sorted(inspector.get_table_names())
            columns = {t: {c["name"]: c for c in inspector.get_columns(t)} for t in tables}
            found = [_inspected_fk(t, fk) for t in tables for fk in inspector.get_foreign_keys(t)]
            fks = sorted(found, key=lambda fk: fk.line)
            types = {
                t: {n: _ddl(c["type"], conn) for n, c in cols.items()}
                for t, cols in columns.items()
            }
    finally:
        engine.dispose()
    findings += [f for fk in fks for f in _check_inspected(fk, types)]
    return FkInspection(
        backend=scratch.kind,
        table_count=len(tables),
        foreign_keys=tuple(fks),
        findings=tuple(findings),
    )


def _ddl(type_: TypeEngine[Any], conn: Connection) -> str:
    try:
        return str(type_.compile(dialect=conn.dialect))
    except sa.exc.CompileError:
        return repr(type_)


def _inspected_fk(table: str, fk: Any) -> ForeignKeyShape:
    options = fk.get("options") or {}
    return ForeignKeyShape(
        table=table,
        columns=tuple(fk["constrained_columns"]),
        target_table=fk["referred_table"],
        target_columns=tuple(fk["referred_columns"]),
        ondelete=options.get("ondelete"),
        onupdate=options.get("onupdate"),
        deferrable=options.get("deferrable"),
    )


def precheck_foreign_keys(schema: SchemaShape) -> tuple[list[ForeignKeyShape], list[Finding]]:
    """FKs whose target is missing or whose types differ (they would stop ``create_all``)."""
    tables = {t.name: {c.name: c for c in t.columns} for t in schema.tables}
    broken: list[ForeignKeyShape] = []
    findings: list[Finding] = []
    for fk in (fk for t in schema.tables for fk in t.foreign_keys):
        target = tables.get(fk.target_table)
        missing = [c for c in fk.target_columns if target is None or c not in target]
        if missing:
            what = fk.target_table if target is None else f"{fk.target_table}.{','.join(missing)}"
            findings.append(_missing_target(fk, what))
        elif target is not None:
            pairs = zip(fk.columns, fk.target_columns, strict=False)
            bad = [(c, t) for c, t in pairs if tables[fk.table][c].sql_type != target[t].sql_type]
            if not bad:
                continue
            findings.append(
                _type_mismatch(fk, tables[fk.table][bad[0][0]].sql_type, target[bad[0][1]].sql_type)
            )
        broken.append(fk)
    return broken, findings


def _missing_target(fk: ForeignKeyShape, what: str) -> Finding:
    return finding(
        "fk-missing-target",
        f"FK {fk.line} points to {what}, which the unified schema does not define; "
        "fix the ForeignKey target or add the table",
        table=fk.table,
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _type_mismatch(fk: ForeignKeyShape, child: str, parent: str) -> Finding:
    return finding(
        "fk-type-mismatch",
        f"FK {fk.line}: column type {child} differs from the referred {parent}; "
        "give both columns the same type",
        table=fk.table,
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _check_inspected(fk: ForeignKeyShape, types: dict[str, dict[str, str]]) -> list[Finding]:
    target = types.get(fk.target_table)
    if target is None or any(c not in target for c in fk.target_columns):
        return [_missing_target(fk, fk.target_table)]
    for col, ref in zip(fk.columns, fk.target_columns, strict=False):
        if types[fk.table][col] != target[ref]:
            return [_type_mismatch(fk, types[fk.table][col], target[ref])]
    return []


# ---------------------------------------------------------------------------
# Stage 3: compare with the restored database
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    findings: tuple[Finding, ...]
    tables_compared: int
    checks_run: int


@dataclass(frozen=True, slots=True)
class TableMap:
    """Unified table names and the database's (legacy) names of the same tables."""

    to_db: dict[str, str]  # unified -> database table, for the tables the database has
    to_unified: dict[str, str]  # database table -> unified
    absorbed: dict[str, tuple[str, ...]]  # unified survivor -> database tables merged into it


def map_tables(schema: SchemaShape, resolved: ResolvedPlan, present: set[str]) -> TableMap:
    """Pair unified tables with database tables through the resolved plan's table moves.

    A renamed table whose new name the database also has is merged into it, like the
    absorbed tables of a merge.
    """
    moves = resolved.table_moves
    to_db: dict[str, str] = {}
    for table in schema.tables:
        olds = [m.legacy for m in moves if m.unified == table.name and m.legacy in present]
        if table.name in present:
            to_db[table.name] = table.name
        elif olds:
            to_db[table.name] = olds[0]
    used = set(to_db.values())
    merged = [(m.unified, m.legacy) for m in moves if m.merged]
    merged += [(m.unified, m.legacy) for m in moves if not m.merged]
    absorbed: dict[str, tuple[str, ...]] = {}
    for survivor, name in merged:
        if survivor in to_db and name in present and name not in used:
            absorbed[survivor] = (*absorbed.get(survivor, ()), name)
            used.add(name)
    to_unified = {old: new for new, old in to_db.items()}
    for survivor, tables in absorbed.items():
        to_unified.update(dict.fromkeys(tables, survivor))
    return TableMap(to_db=to_db, to_unified=to_unified, absorbed=absorbed)


def compare_database(
    url: URL, schema: SchemaShape, resolved: ResolvedPlan, *, timeout: float, samples: int
) -> Comparison:
    """Schema diff and data checks, all inside one read-only transaction."""
    with db.read_only(url, timeout) as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        tables = map_tables(schema, resolved, set(reflected.tables))
        findings = schema_drift(conn, schema, tables)
        findings += compare_foreign_keys(schema, reflected, tables)
        checks = data_checks(schema, reflected, tables, samples)
        findings += run_checks(conn, checks)
    return Comparison(
        findings=tuple(findings), tables_compared=len(tables.to_db), checks_run=len(checks)
    )


# --- schema diff (alembic) -------------------------------------------------


def schema_drift(conn: Connection, schema: SchemaShape, tables: TableMap) -> list[Finding]:
    """Missing/extra tables and columns, type and nullability changes (alembic's compare)."""
    expected = build_metadata(schema, names=tables.to_db, with_constraints=False)
    absorbed = {t for group in tables.absorbed.values() for t in group}

    def include_name(name: str | None, type_: str, parent: Any) -> bool:
        return not (type_ == "table" and (name in absorbed or name == "alembic_version"))

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        return type_ in ("table", "column")

    context = MigrationContext.configure(
        connection=conn,
        opts={"compare_type": True, "include_name": include_name, "include_object": include_object},
    )
    diffs = compare_metadata(context, expected)
    findings = [f for diff in diffs for item in _flatten(diff) if (f := _drift(item, tables))]
    for survivor, group in tables.absorbed.items():
        findings += [_merged(t, survivor) for t in group]
    return findings


def _flatten(diff: Any) -> list[tuple[Any, ...]]:
    return list(diff) if isinstance(diff, list) else [diff]


def _named(table: str, tables: TableMap) -> str:
    unified = tables.to_unified.get(table, table)
    return table if unified == table else f"{table} ({unified} in the unified schema)"


def _drift(item: tuple[Any, ...], tables: TableMap) -> Finding | None:
    kind = item[0]
    if kind in ("add_table", "remove_table"):
        name = item[1].name
        text = (
            f"table {name} of the unified schema is not in the database; the migration must create it"
            if kind == "add_table"
            else f"table {name} is in the database but not in the unified schema; its rows would be left behind"
        )
        return finding("schema-drift", text, table=name)
    if kind in ("add_column", "remove_column"):
        table, column = item[2], item[3]
        text = (
            f"column {column.name} ({column.type}) of {_named(table, tables)} is missing from the database"
            if kind == "add_column"
            else f"column {column.name} of {_named(table, tables)} is not in the unified schema"
        )
        return finding("schema-drift", text, table=table, column=column.name)
    return _modified(item, tables)


def _modified(item: tuple[Any, ...], tables: TableMap) -> Finding | None:
    kind, table, column = item[0], item[2], item[3]
    where = f"{_named(table, tables)}.{column}"
    if kind == "modify_type":
        text = f"{where}: type {item[5]} in the database, {item[6]} in the unified schema"
    elif kind == "modify_nullable":
        old, new = ("NULL" if item[5] else "NOT NULL"), ("NULL" if item[6] else "NOT NULL")
        text = f"{where}: {old} in the database, {new} in the unified schema"
    else:
        return None
    return finding("schema-drift", text, table=table, column=column)


def _merged(table: str, survivor: str) -> Finding:
    return finding(
        "schema-drift",
        f"table {table} is merged into {survivor} by the plan; its rows move there (see merge-collision)",
        severity=Severity.INFO,
        table=table,
    )


# --- foreign keys as normalised signatures ---------------------------------

Signature = tuple[str, tuple[str, ...], str, tuple[str, ...]]


def fk_signature(fk: ForeignKeyShape) -> Signature:
    return (fk.table, fk.columns, fk.target_table, fk.target_columns)


def fk_options(fk: ForeignKeyShape) -> tuple[str, str, bool]:
    """Options with the defaults spelled one way (``NO ACTION`` == unset)."""

    def action(value: str | None) -> str:
        return (value or "NO ACTION").upper()

    return action(fk.ondelete), action(fk.onupdate), bool(fk.deferrable)


def reflected_foreign_keys(reflected: sa.MetaData, tables: TableMap) -> list[ForeignKeyShape]:
    """The database's FKs, with table names translated to the unified names."""
    out: list[ForeignKeyShape] = []
    for table in reflected.tables.values():
        for con in table.foreign_key_constraints:
            target = con.referred_table.name
            out.append(
                ForeignKeyShape(
                    table=tables.to_unified.get(table.name, table.name),
                    columns=tuple(e.parent.name for e in con.elements),
                    target_table=tables.to_unified.get(target, target),
                    target_columns=tuple(e.column.name for e in con.elements),
                    ondelete=con.ondelete,
                    onupdate=con.onupdate,
                    deferrable=con.deferrable,
                )
            )
    return out


def compare_foreign_keys(
    schema: SchemaShape, reflected: sa.MetaData, tables: TableMap
) -> list[Finding]:
    """Missing, extra and changed FKs; an option change is "changed", not drop + add."""
    absorbed = {t for group in tables.absorbed.values() for t in group}
    expected = {
        fk_signature(fk): fk
        for t in schema.tables
        if t.name in tables.to_db
        for fk in t.foreign_keys
    }
    actual = {
        fk_signature(fk): fk
        for fk in reflected_foreign_keys(reflected, tables)
        if tables.to_db.get(fk.table) is not None and fk.table not in absorbed
    }
    findings = [
        _fk_drift("missing", fk, tables) for sig, fk in expected.items() if sig not in actual
    ]
    findings += [
        _fk_drift("extra", fk, tables) for sig, fk in actual.items() if sig not in expected
    ]
    for sig, fk in expected.items():
        if sig in actual and fk_options(fk) != fk_options(actual[sig]):
            findings.append(_fk_changed(actual[sig], fk, tables))
    return findings


def _fk_drift(kind: str, fk: ForeignKeyShape, tables: TableMap) -> Finding:
    text = (
        f"FK {fk.line} is not in the database; the migration adds it (see orphaned-rows)"
        if kind == "missing"
        else f"FK {fk.line} is in the database but not in the unified schema"
    )
    return finding(
        "schema-drift",
        text,
        table=tables.to_db.get(fk.table, fk.table),
        column=",".join(fk.columns),
        objects=(fk.line,),
    )


def _fk_changed(old: ForeignKeyShape, new: ForeignKeyShape, tables: TableMap) -> Finding:
    labels = ("ondelete", "onupdate", "deferrable")
    changes = [
        f"{label} {a} -> {b}"
        for label, a, b in zip(labels, fk_options(old), fk_options(new), strict=True)
        if a != b
    ]
    return finding(
        "schema-drift",
        f"FK {new.line} changed: {', '.join(changes)}",
        table=tables.to_db.get(new.table, new.table),
        column=",".join(new.columns),
        objects=(new.line,),
    )


# --- data checks, computed in SQL ------------------------------------------

_PREPARER = postgresql.psycopg2.dialect().identifier_preparer  # type: ignore[no-untyped-call]
QUOTE = _PREPARER.quote
INT_PATTERN = r"^\s*[+-]?[0-9]{1,18}\s*$"
NUMERIC_PATTERN = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
UUID_PATTERN = r"^\s*\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?\s*$"
INT_BOUNDS = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


@dataclass(frozen=True, slots=True)
class Check:
    """One SQL query returning ``(count, samples[])`` and the finding it makes when count > 0."""

    rule: str
    table: str
    column: str
    sql: str
    message: str  # ends with the count, filled in with ``{count}``


@dataclass(frozen=True, slots=True)
class Conversion:
    """An SQL expression of a value as the unified type; ``guard`` is true when it converts."""

    value: str
    guard: str | None = None


def type_family(type_: TypeEngine[Any]) -> str:
    if isinstance(type_, sa.BigInteger):
        return "bigint"
    if isinstance(type_, sa.SmallInteger):
        return "smallint"
    if isinstance(type_, sa.Integer):
        return "integer"
    if isinstance(type_, sa.Numeric):
        return "numeric"
    if isinstance(type_, sa.String):
        return "text"
    if isinstance(type_, sa.Uuid):
        return "uuid"
    return "other"


def convert(expr: str, source: TypeEngine[Any], target: TypeEngine[Any]) -> Conversion | None:
    """``expr`` (of ``source`` type) as the migration would cast it to ``target``.

    Non-castable text becomes NULL (a regex guards the cast, so no query fails); ``None`` when
    unify does not know how the migration would convert.
    """
    src, dst = type_family(source), type_family(target)
    if dst in INT_BOUNDS:
        return _to_integer(expr, src, dst)
    if src == dst and src != "other":
        return Conversion(expr)
    if dst == "text":
        return Conversion(f"CAST({expr} AS text)")
    if src == "text" and dst in ("numeric", "uuid"):
        pattern = NUMERIC_PATTERN if dst == "numeric" else UUID_PATTERN
        value = f"(CASE WHEN {expr} ~ '{pattern}' THEN CAST({expr} AS {dst}) END)"
        return Conversion(value, f"{value} IS NOT NULL")
    if type(source) is type(target):
        return Conversion(expr)
    return None


def _to_integer(expr: str, src: str, dst: str) -> Conversion | None:
    bound = INT_BOUNDS[dst]
    if src in INT_BOUNDS:
        narrower = INT_BOUNDS[src] > bound
        return Conversion(expr, f"{expr} BETWEEN {-bound} AND {bound - 1}" if narrower else None)
    if src == "text":
        value = f"(CASE WHEN {expr} ~ '{INT_PATTERN}' THEN CAST({expr} AS bigint) END)"
        return Conversion(value, f"{value} BETWEEN {-bound} AND {bound - 1}")
    if src == "numeric":
        value = f"(CASE WHEN {expr} = trunc({expr}) AND abs({expr}) < {bound} THEN CAST({expr} AS bigint) END)"
        return Conversion(value, f"{value} IS NOT NULL")
    return None


@dataclass(frozen=True, slots=True)
class Columns:
    """Column types of one table: unified (by unified table) and in the database."""

    unified: dict[str, dict[str, TypeEngine[Any]]]
    unified_cols: dict[str, dict[str, ColumnShape]]
    reflected: sa.MetaData
    tables: TableMap

    def db_table(self, unified: str) -> sa.Table | None:
        name = self.tables.to_db.get(unified)
        return self.reflected.tables.get(name) if name else None

    def has(self, table: sa.Table, *columns: str) -> bool:
        return all(c in table.c for c in columns)


def data_checks(
    schema: SchemaShape, reflected: sa.MetaData, tables: TableMap, samples: int
) -> list[Check]:
    """Every data check the unified schema calls for, as SQL."""
    cols = Columns(
        unified={t.name: {c.name: rebuild_type(c) for c in t.columns} for t in schema.tables},
        unified_cols={t.name: {c.name: c for c in t.columns} for t in schema.tables},
        reflected=reflected,
        tables=tables,
    )
    checks: list[Check] = []
    for table in schema.tables:
        db_table = cols.db_table(table.name)
        if db_table is None:
            continue
        checks += column_checks(table, db_table, cols, samples)
        checks += unique_checks(table, db_table, cols, samples)
        for fk in table.foreign_keys:
            checks += fk_checks(fk, cols, samples)
    for survivor in tables.absorbed:
        checks += merge_checks(survivor, schema, cols, samples)
        checks += absorbed_checks(survivor, schema, cols, samples)
    return checks


def absorbed_checks(survivor: str, schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """The rows of absorbed tables move into the survivor: check them against its columns and
    foreign keys too (not its primary key: the migration renumbers those rows)."""
    shape = next((t for t in schema.tables if t.name == survivor), None)
    if shape is None:
        return []
    keyless = TableShape(
        name=shape.name, columns=tuple(c for c in shape.columns if not c.primary_key)
    )
    checks: list[Check] = []
    for name in cols.tables.absorbed.get(survivor, ()):
        absorbed = cols.reflected.tables[name]
        checks += column_checks(keyless, absorbed, cols, samples)
        for fk in shape.foreign_keys:
            checks += fk_checks(fk, cols, samples, child=absorbed)
    return checks


def run_checks(conn: Connection, checks: Sequence[Check]) -> list[Finding]:
    """Run the checks in the caller's (read-only) transaction; the findings of those that count."""
    # A check returns a few rows per worker, whatever the planner guesses for a cast join
    # key: let it scan in parallel as it would for a plain count.
    conn.execute(sa.text("SET LOCAL parallel_tuple_cost = 0.001"))
    return [f for check in checks for f in run_check(conn, check)]


def run_check(conn: Connection, check: Check) -> list[Finding]:
    """Run one check's query; a finding when it counts rows."""
    count, found = conn.execute(sa.text(check.sql)).one()
    if not count:
        return []
    return [
        finding(
            check.rule,
            check.message.format(count=int(count)),
            table=check.table,
            column=check.column,
            count=int(count),
            samples=tuple(str(s) for s in found or ()),
        )
    ]


def _counted(rows: str, sample: str, samples: int) -> str:
    """``rows`` (a SELECT producing one ``s`` text column per offending row) counted+sampled."""
    return (
        f"WITH o AS ({rows.replace('SELECT ', f'SELECT {sample} AS s, ', 1)}) "
        f"SELECT (SELECT count(*) FROM o), ARRAY(SELECT s FROM o ORDER BY s LIMIT {samples})"
    )


def _key_text(table: sa.Table, alias: str) -> str:
    """The row's primary key as text (``ctid`` when it has none)."""
    keys = [c.name for c in table.primary_key.columns] or ["ctid"]
    parts = [f"CAST({alias}.{QUOTE(k)} AS text)" for k in keys]
    return parts[0] if len(parts) == 1 else "concat_ws(',', " + ", ".join(parts) + ")"


def _from(table: sa.Table, alias: str) -> str:
    return f"{QUOTE(table.name)} {alias}"


# columns: types, lengths, NOT NULL


def column_checks(
    table: TableShape, db_table: sa.Table, cols: Columns, samples: int
) -> list[Check]:
    """Per column: values the type change loses, values too long, NULLs a NOT NULL rejects."""
    checks: list[Check] = []
    for shape in table.columns:
        if shape.name not in db_table.c:
            continue
        source, target = db_table.c[shape.name].type, cols.unified[table.name][shape.name]
        checks += _uncastable_check(db_table, shape.name, source, target, samples)
        checks += _length_check(db_table, shape.name, source, target, samples)
        if not shape.nullable and db_table.c[shape.name].nullable:
            checks.append(_not_null_check(db_table, shape.name, samples))
    return checks


def _uncastable_check(
    db_table: sa.Table, column: str, source: TypeEngine[Any], target: TypeEngine[Any], samples: int
) -> list[Check]:
    expr = f"t.{QUOTE(column)}"
    conversion = convert(expr, source, target)
    if conversion is None or conversion.guard is None:
        return []
    rows = (
        f"SELECT 1 FROM {_from(db_table, 't')} "
        f"WHERE {expr} IS NOT NULL AND NOT COALESCE({conversion.guard}, false)"
    )
    sample = f"{_key_text(db_table, 't')} || ': ' || CAST({expr} AS text)"
    text = (
        f"{db_table.name}.{column}: values that will not convert from {source} to {target}; "
        "fix or clear them: {count} row(s)"
    )
    return [
        Check("uncastable-values", db_table.name, column, _counted(rows, sample, samples), text)
    ]


def _not_null_check(db_table: sa.Table, column: str, samples: int) -> Check:
    rows = f"SELECT 1 FROM {_from(db_table, 't')} WHERE t.{QUOTE(column)} IS NULL"
    text = (
        f"{db_table.name}.{column} is NOT NULL in the unified schema but has NULLs; "
        "fill them or keep the column nullable: {count} row(s)"
    )
    sql = _counted(rows, _key_text(db_table, "t"), samples)
    return Check("not-null-violation", db_table.name, column, sql, text)


def _length_check(
    db_table: sa.Table, column: str, source: TypeEngine[Any], target: TypeEngine[Any], samples: int
) -> list[Check]:
    limit = getattr(target, "length", None) if isinstance(target, sa.String) else None
    old = getattr(source, "length", None) if isinstance(source, sa.String) else None
    if limit is None or (old is not None and old <= limit):
        return []
    expr = f"char_length(CAST(t.{QUOTE(column)} AS text))"
    rows = f"SELECT 1 FROM {_from(db_table, 't')} WHERE {expr} > {limit}"
    sample = f"{_key_text(db_table, 't')} || ': ' || {expr} || ' chars'"
    text = f"{db_table.name}.{column}: values longer than {limit} characters will not fit {target}; shorten them or widen the column: {{count}} row(s)"
    return [Check("value-too-long", db_table.name, column, _counted(rows, sample, samples), text)]


# UNIQUE


def unique_checks(
    table: TableShape, db_table: sa.Table, cols: Columns, samples: int
) -> list[Check]:
    keys = [c.name for c in table.columns if c.primary_key]
    checks: list[Check] = []
    for columns in dict.fromkeys([*table.unique, *([tuple(keys)] if keys else [])]):
        if not cols.has(db_table, *columns) or _enforced(db_table, columns):
            continue
        values = _converted(db_table, table.name, columns, "t", cols)
        if values is None:
            continue
        listed = ", ".join(f"{v} AS v{i}" for i, v in enumerate(values))
        nonnull = " AND ".join(f"{v} IS NOT NULL" for v in values)
        groups = ", ".join(str(i + 1) for i in range(len(values)))
        shown = (
            "concat_ws(', ', " + ", ".join(f"CAST(v{i} AS text)" for i in range(len(values))) + ")"
        )
        sql = (
            f"WITH d AS (SELECT {listed}, count(*) AS n FROM {_from(db_table, 't')} WHERE {nonnull} "
            f"GROUP BY {groups} HAVING count(*) > 1) "
            f"SELECT (SELECT COALESCE(sum(n), 0) FROM d), "
            f"ARRAY(SELECT {shown} || ' (' || n || ' rows)' FROM d ORDER BY 1 LIMIT {samples})"
        )
        name = ",".join(columns)
        text = f"{db_table.name}.{name} is UNIQUE in the unified schema but has duplicates; resolve them first: {{count}} row(s)"
        checks.append(Check("unique-violation", db_table.name, name, sql, text))
    return checks


def _enforced(db_table: sa.Table, columns: Sequence[str]) -> bool:
    """True when the database already enforces uniqueness of exactly ``columns``."""
    wanted = set(columns)
    sets = [{c.name for c in db_table.primary_key.columns}]
    sets += [
        {c.name for c in k.columns}
        for k in db_table.constraints
        if isinstance(k, sa.UniqueConstraint)
    ]
    sets += [{c.name for c in i.columns} for i in db_table.indexes if i.unique]
    return wanted in sets


def _converted(
    db_table: sa.Table, unified: str, columns: Sequence[str], alias: str, cols: Columns
) -> list[str] | None:
    """Each column of ``db_table`` as its unified type; None when one cannot be converted."""
    out: list[str] = []
    for column in columns:
        target = cols.unified.get(unified, {}).get(column, db_table.c[column].type)
        conversion = convert(f"{alias}.{QUOTE(column)}", db_table.c[column].type, target)
        if conversion is None:
            return None
        out.append(conversion.value)
    return out


# foreign keys: orphans and consistency


def fk_checks(
    fk: ForeignKeyShape, cols: Columns, samples: int, child: sa.Table | None = None
) -> list[Check]:
    """Orphans of ``fk`` (in ``child``, by default the FK table's database table), and rows
    whose parent disagrees on a shared column."""
    child = child if child is not None else cols.db_table(fk.table)
    parent = cols.db_table(fk.target_table)
    if child is None or parent is None:
        return []
    if not cols.has(child, *fk.columns) or not cols.has(parent, *fk.target_columns):
        return []
    join = _join_condition(fk, child, parent, cols)
    if join is None:
        return []
    nonnull, on = join
    rows = f"SELECT 1 FROM {_from(child, 'c')} WHERE {nonnull} AND NOT EXISTS (SELECT 1 FROM {_from(parent, 'p')} WHERE {on})"
    shown = " || ',' || ".join(f"CAST(c.{QUOTE(c)} AS text)" for c in fk.columns)
    sample = f"{_key_text(child, 'c')} || ': ' || {shown}"
    text = (
        f"{child.name}.{','.join(fk.columns)}: rows whose value has no {parent.name}.{','.join(fk.target_columns)} "
        f"(FK {fk.line}); delete or repoint them: {{count}} row(s)"
    )
    checks = [
        Check(
            "orphaned-rows", child.name, ",".join(fk.columns), _counted(rows, sample, samples), text
        )
    ]
    return checks + consistency_checks(fk, child, parent, on, cols, samples)


def _join_condition(
    fk: ForeignKeyShape, child: sa.Table, parent: sa.Table, cols: Columns
) -> tuple[str, str] | None:
    """(child values not NULL, child matches parent) with both sides cast to the parent key's type."""
    nonnull: list[str] = []
    on: list[str] = []
    for column, ref in zip(fk.columns, fk.target_columns, strict=False):
        key_type = cols.unified[fk.target_table].get(ref, parent.c[ref].type)
        value = convert(f"c.{QUOTE(column)}", child.c[column].type, key_type)
        key = convert(f"p.{QUOTE(ref)}", parent.c[ref].type, key_type)
        if value is None or key is None:
            return None
        if value.guard is not None or child.c[column].nullable:
            nonnull.append(f"{value.value} IS NOT NULL")
        on.append(f"{key.value} = {value.value}")
    return " AND ".join(nonnull or ["TRUE"]), " AND ".join(on)


def consistency_checks(
    fk: ForeignKeyShape, child: sa.Table, parent: sa.Table, on: str, cols: Columns, samples: int
) -> list[Check]:
    """Rows whose parent carries a different value of a column both share (organization_id)."""
    checks: list[Check] = []
    for name in correlated_columns(fk, child, parent, cols):
        target = cols.unified[fk.table].get(name, child.c[name].type)
        mine = convert(f"c.{QUOTE(name)}", child.c[name].type, target)
        theirs = convert(f"p.{QUOTE(name)}", parent.c[name].type, target)
        if mine is None or theirs is None:
            continue
        rows = (
            f"SELECT 1 FROM {_from(child, 'c')} JOIN {_from(parent, 'p')} ON {on} "
            f"WHERE {mine.value} IS NOT NULL AND {theirs.value} IS NOT NULL AND {mine.value} <> {theirs.value}"
        )
        sample = f"{_key_text(child, 'c')} || ': ' || CAST(c.{QUOTE(name)} AS text) || ' <> ' || CAST(p.{QUOTE(name)} AS text)"
        text = (
            f"{child.name}.{name} disagrees with {parent.name}.{name} of the row its "
            f"{','.join(fk.columns)} points to (FK {fk.line}); the rows belong to someone else: {{count}} row(s)"
        )
        checks.append(
            Check("fk-inconsistent", child.name, name, _counted(rows, sample, samples), text)
        )
    return checks


def correlated_columns(
    fk: ForeignKeyShape, child: sa.Table, parent: sa.Table, cols: Columns
) -> list[str]:
    """Columns child and parent both carry that should agree: same name, an id or an FK."""
    fk_columns = {c for t in (fk.table, fk.target_table) for c in _fk_columns(t, cols)}
    keys = {c.name for c in child.primary_key.columns} | {
        c.name for c in parent.primary_key.columns
    }
    shared = [c.name for c in child.columns if c.name in parent.c]
    return [
        name
        for name in shared
        if name not in fk.columns
        and name not in fk.target_columns
        and name not in keys
        and (name.endswith("_id") or name in fk_columns)
    ]


def _fk_columns(unified: str, cols: Columns) -> set[str]:
    table = cols.db_table(unified)
    return (
        {e.parent.name for k in table.foreign_key_constraints for e in k.elements}
        if table is not None
        else set()
    )


# merges


def merge_checks(survivor: str, schema: SchemaShape, cols: Columns, samples: int) -> list[Check]:
    """Rows of absorbed tables whose unique values already exist in the survivor table."""
    target = cols.db_table(survivor)
    shape = next((t for t in schema.tables if t.name == survivor), None)
    if target is None or shape is None:
        return []
    keys = {c.name for c in shape.columns if c.primary_key}
    checks: list[Check] = []
    for absorbed_name in cols.tables.absorbed.get(survivor, ()):
        absorbed = cols.reflected.tables[absorbed_name]
        for columns in shape.unique:
            if (
                set(columns) <= keys
                or not cols.has(absorbed, *columns)
                or not cols.has(target, *columns)
            ):
                continue
            checks += _collision(survivor, target, absorbed, columns, cols, samples)
    return checks


def _collision(
    survivor: str,
    target: sa.Table,
    absorbed: sa.Table,
    columns: Sequence[str],
    cols: Columns,
    samples: int,
) -> list[Check]:
    mine = _converted(absorbed, survivor, columns, "a", cols)
    theirs = _converted(target, survivor, columns, "s", cols)
    if mine is None or theirs is None:
        return []
    nonnull = " AND ".join(f"{v} IS NOT NULL" for v in mine)
    on = " AND ".join(f"{t} = {m}" for m, t in zip(mine, theirs, strict=True))
    rows = f"SELECT 1 FROM {_from(absorbed, 'a')} WHERE {nonnull} AND EXISTS (SELECT 1 FROM {_from(target, 's')} WHERE {on})"
    sample = "concat_ws(', ', " + ", ".join(f"CAST(a.{QUOTE(c)} AS text)" for c in columns) + ")"
    name = ",".join(columns)
    text = (
        f"{absorbed.name}.{name}: values that already exist in {target.name}.{name}, which the merge "
        f"keeps UNIQUE; rename or merge these accounts first: {{count}} row(s)"
    )
    return [Check("merge-collision", absorbed.name, name, _counted(rows, sample, samples), text)]
