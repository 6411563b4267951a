"""Load: import the unified module in a subprocess and read its metadata as shapes.

The module is imported with the repository's import root on ``sys.path``; its mappers are
configured and its metadata printed as JSON.  The parent never imports user code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from unify.errors import InputError
from unify.models import (
    ColumnShape,
    Finding,
    ForeignKeyShape,
    Plan,
    Rule,
    SchemaShape,
    Severity,
    TableShape,
)
from unify.scan import describe_files, list_repo_files

LOAD_TIMEOUT = 120

LOAD_FAILED = Rule(
    name="load-failed",
    code="V001",
    severity=Severity.ERROR,
    summary="the unified module does not import or has no tables",
)

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
                         nullable=bool(c.nullable), primary_key=bool(c.primary_key),
                         default=c.server_default is not None
                         or c is table.autoincrement_column))
    fks = []
    for con in table.foreign_key_constraints:
        targets = [target(e) for e in con.elements]
        fks.append(dict(columns=[e.parent.name for e in con.elements],
                        target_table=targets[0][0], target_columns=[t[1] for t in targets],
                        ondelete=con.ondelete, onupdate=con.onupdate, deferrable=con.deferrable,
                        ddl=render_fk(con) if DDL else ""))
    fks.sort(key=lambda fk: (fk["columns"], fk["target_table"]))
    unique = [[c.name for c in k.columns] for k in table.constraints
              if isinstance(k, sa.UniqueConstraint)]
    unique += [[c.name for c in i.columns] for i in table.indexes if i.unique]
    checks = [str(k.sqltext) for k in table.constraints if isinstance(k, sa.CheckConstraint)
              and not getattr(k, "_type_bound", False)]
    indexes = [[i.name, [c.name for c in i.columns]] for i in table.indexes
               if not i.unique and i.name and len(i.columns) == len(i.expressions)]
    auto = table.autoincrement_column
    info = dict(name=table.name, columns=cols, foreign_keys=fks, unique=unique, checks=checks,
                indexes=indexes, serial=auto.name if auto is not None else "")
    if DDL:
        info["ddl"] = render_ddl(table)
    return info

def render_op(op):
    # One alembic op call as the code of a revision (user types as their SQLAlchemy
    # implementation, so the revision imports nothing of the app).
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops

    def plain(type_, obj, ctx):
        if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
            impl = obj.impl_instance
            if type(impl).__module__.startswith("sqlalchemy"):
                return "sa." + repr(impl)
        return False

    text = render_python_code(ops.UpgradeOps(ops=[op]), render_item=plain)
    return "\n".join(ln[4:] if ln.startswith("    ") else ln for ln in text.splitlines()
                     if not ln.strip().startswith("# ###"))

def render_fk(con):
    from alembic.operations import ops
    return render_op(ops.CreateForeignKeyOp.from_constraint(con))

def render_ddl(table):
    # The table's CREATE TABLE and CREATE INDEX as alembic op calls, without its foreign
    # keys (a migration adds them once the rows are in).
    from alembic.operations import ops
    code = render_op

    copy = table.to_metadata(sa.MetaData())
    for con in list(copy.constraints):
        if isinstance(con, sa.ForeignKeyConstraint):
            copy.constraints.discard(con)
    for col in copy.columns:
        col.foreign_keys.clear()
    create = [code(ops.CreateTableOp.from_table(copy))]
    create += [code(ops.CreateIndexOp.from_index(i)) for i in copy.indexes]
    return create

DDL = len(sys.argv) > 2 and sys.argv[2] == "ddl"
tables = {}
for m in metas:
    for t in m.tables.values():
        tables.setdefault(t.name, table_info(t))
print(json.dumps([tables[k] for k in sorted(tables)]))
"""


def load_schema(
    repo: Path, module: str, *, python: str = sys.executable, ddl: bool = False
) -> SchemaShape | Finding:
    """Import ``module`` of ``repo`` in a subprocess of ``python`` (the app's interpreter);
    its metadata, or a load-failed finding.  With ``ddl``, each table and foreign key carries
    its alembic ``op`` code too (for a migration)."""
    root = module_root(repo, module)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run(
            [python, "-c", LOADER, module, *(["ddl"] if ddl else [])],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=LOAD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return LOAD_FAILED.finding(f"importing {module} took longer than {LOAD_TIMEOUT}s")
    if proc.returncode != 0:
        last = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or ["no output"]
        return LOAD_FAILED.finding(f"{module} does not import alone: {last[0].strip()}")
    tables = tuple(_table_shape(t) for t in json.loads(proc.stdout.strip().splitlines()[-1]))
    if not tables:
        return LOAD_FAILED.finding(
            f"{module} imports but defines no mapped table (no MetaData found)"
        )
    return SchemaShape(module=module, tables=tables)


def check_built(repo: Path, plan: Plan) -> None:
    """Refuse a tree ``unify build`` has not built: the unified module is missing, or it is
    still one of the legacy modules (no compat module beside it, no word of ``unify build``
    in it)."""
    path = module_path(repo, plan.target_module)
    if plan.target_module not in plan.legacy_modules:
        return
    has_compat = _module_file(repo, plan.compat_module) is not None
    if has_compat or "unify build" in path.read_text(encoding="utf-8", errors="replace"):
        return
    raise InputError(
        f"{repo}: {plan.target_module} is still the legacy module and {plan.compat_module} "
        f"does not exist: run `unify build {repo} --plan {plan.path}` first"
    )


def module_path(repo: Path, module: str) -> Path:
    """The file of ``module`` in ``repo`` (the one nearest an import root)."""
    found = _module_file(repo, module)
    if found is None:
        raise InputError(f"{repo}: module {module} not found (run `unify build` first?)")
    return found


def _module_file(repo: Path, module: str) -> Path | None:
    files = list_repo_files(repo)
    matches = [f for f in describe_files(files.root, files.python) if f.module == module]
    if not matches:
        return None
    best = min(matches, key=lambda f: (f.root.count("/") if f.root else -1, f.rel))
    return files.root / best.rel


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
                ddl=fk.get("ddl", ""),
            )
            for fk in raw["foreign_keys"]
        ),
        unique=tuple(dict.fromkeys(tuple(u) for u in raw["unique"])),
        checks=tuple(raw.get("checks", ())),
        indexes=tuple((name, tuple(cols)) for name, cols in raw.get("indexes", ())),
        serial=raw.get("serial", ""),
        ddl=tuple(raw.get("ddl", ())),
    )
