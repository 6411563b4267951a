"""The self-check after every build, on the built files in a temporary copy of the repository.

In a subprocess, with the app's import roots on ``sys.path`` (and, when the plan names the
app, ``[unify] app``, in its context: started first, its app context pushed): the unified
module imports without importing any legacy module; ``configure_mappers()`` succeeds; every
foreign key names an existing table and column of the same type; ``create_all`` succeeds on
an in-memory SQLite; the imports inside every carried helper run, and each helper that takes
no argument and calls nothing is called; the compat module provides every legacy name.
Then ``unify analyze`` of the copy, run in this process (it only reads files), reports no
error finding in the built modules.  Problems are findings (``S0xx``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from unify.analyze import analyze_repo
from unify.builder.cycles import describe, find_cycle, legacy_imports
from unify.errors import UnifyError, reason
from unify.models import BuiltFile, Finding, Inventory, Plan, Rule, Severity, rule_catalogue
from unify.scan import list_repo_files

TIMEOUT_SECONDS = 180

SELF_CHECK_IMPORT = Rule(
    name="self-check-import",
    code="S001",
    severity=Severity.ERROR,
    summary="the unified module does not import",
)
SELF_CHECK_LEGACY_IMPORT = Rule(
    name="self-check-legacy-import",
    code="S002",
    severity=Severity.ERROR,
    summary="importing the unified module imports a legacy module",
)
SELF_CHECK_MAPPERS = Rule(
    name="self-check-mappers",
    code="S003",
    severity=Severity.ERROR,
    summary="configure_mappers() fails",
)
SELF_CHECK_FK_TARGET = Rule(
    name="self-check-fk-target",
    code="S004",
    severity=Severity.ERROR,
    summary="a foreign key names a missing table or column",
)
SELF_CHECK_FK_TYPE = Rule(
    name="self-check-fk-type",
    code="S005",
    severity=Severity.ERROR,
    summary="a foreign key column's type differs from the key it references",
)
SELF_CHECK_CREATE_ALL = Rule(
    name="self-check-create-all",
    code="S006",
    severity=Severity.ERROR,
    summary="create_all fails on SQLite",
)
SELF_CHECK_COMPAT = Rule(
    name="self-check-compat",
    code="S007",
    severity=Severity.ERROR,
    summary="the compat module does not provide a legacy name",
)
SELF_CHECK_ANALYZE = Rule(
    name="self-check-analyze",
    code="S008",
    severity=Severity.ERROR,
    summary="unify analyze reports an error in the built modules",
)
SELF_CHECK_CRASHED = Rule(
    name="self-check-crashed",
    code="S009",
    severity=Severity.ERROR,
    summary="the self-check itself could not run",
)
SELF_CHECK_HELPER = Rule(
    name="self-check-helper",
    code="S010",
    severity=Severity.ERROR,
    summary="a helper carried into the unified module does not run",
)
SELF_CHECK_APP_LEGACY_IMPORT = Rule(
    name="self-check-app-legacy-import",
    code="S011",
    severity=Severity.INFO,
    summary="a module of the app imported on the way imports a legacy module (rewrite --phase final points it at the unified module)",
)
SELF_CHECK_OUTSIDE_TABLE = Rule(
    name="self-check-outside-table",
    code="S012",
    severity=Severity.INFO,
    summary="a foreign key or relationship names a table or class defined outside the plan; its module was imported for the check",
)
RULES = rule_catalogue(
    SELF_CHECK_IMPORT,
    SELF_CHECK_LEGACY_IMPORT,
    SELF_CHECK_MAPPERS,
    SELF_CHECK_FK_TARGET,
    SELF_CHECK_FK_TYPE,
    SELF_CHECK_CREATE_ALL,
    SELF_CHECK_COMPAT,
    SELF_CHECK_ANALYZE,
    SELF_CHECK_CRASHED,
    SELF_CHECK_HELPER,
    SELF_CHECK_APP_LEGACY_IMPORT,
    SELF_CHECK_OUTSIDE_TABLE,
)
# the probe reports each problem under one of these kinds
PROBE_KINDS = {
    "import": SELF_CHECK_IMPORT,
    "legacy-import": SELF_CHECK_LEGACY_IMPORT,
    "mappers": SELF_CHECK_MAPPERS,
    "fk-target": SELF_CHECK_FK_TARGET,
    "fk-type": SELF_CHECK_FK_TYPE,
    "create-all": SELF_CHECK_CREATE_ALL,
    "compat": SELF_CHECK_COMPAT,
    "helper": SELF_CHECK_HELPER,
    "app-legacy-import": SELF_CHECK_APP_LEGACY_IMPORT,
    "outside-table": SELF_CHECK_OUTSIDE_TABLE,
}

# Runs in the subprocess: argv[1] is a JSON object (paths, target, compat, legacy, names).
PROBE = r"""
import importlib, importlib.abc, importlib.machinery, json, sys
args = json.loads(sys.argv[1])
sys.path[:0] = args["paths"]
problems = []
def problem(kind, message, **extra):
    problems.append({"kind": kind, "message": message, **extra})
# The legacy modules are gone from the copy, as after the rewrite and their deletion; an import
# of one by the app is served by a module holding the unified and compat modules' names (what
# the rewrite points it at), and who imported it is kept.
served = {}
def importer():
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__") or ""
        if not name.startswith("importlib") and name != "_frozen_importlib":
            return name
        frame = frame.f_back
    return "?"
class Gone(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name not in args["gone"]:
            return None
        served.setdefault(name, importer())
        return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        return None
    def exec_module(self, module):  # the unified module's own import of one: served empty
        module.__file__ = args["gone"][module.__name__] + " (gone: served by the compat module)"
        if own(served[module.__name__]):
            return
        try:
            for source in (args["target"], args["compat"]):
                names = vars(importlib.import_module(source))
                module.__dict__.update({k: v for k, v in names.items() if not k.startswith("__")})
        except BaseException:
            failed_serving.append(module.__name__)
            raise
failed_serving = []
sys.meta_path.insert(0, Gone())
def own(name):
    return name in (args["target"], args["compat"]) or name.startswith(args["target"] + ".")
reported = set()
def legacy_imported():
    by_app = {}
    for name, who in served.items():
        if name in reported:
            continue
        reported.add(name)
        if own(who):
            problem("legacy-import", f"importing {args['target']} imported the legacy module {name} (imported by {who})")
        else:
            by_app.setdefault(who, []).append(name)
    for who, names in sorted(by_app.items()):
        problem("app-legacy-import", f"{who} imports the legacy module{'s' if len(names) > 1 else ''} {', '.join(sorted(names))}; checked as after the rewrite, with the legacy modules gone and their names taken from {args['compat']}")
    for name in args["legacy"]:
        if name != args["target"] and name not in args["gone"] and name in sys.modules and name not in reported:
            reported.add(name)
            problem("legacy-import", f"importing {args['target']} imported the legacy module {name}")
def import_chain(exc):  # the modules executing at the raise, outermost first (a served
    # legacy module under its own name)
    chain, tb = [], exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "<module>":
            name = frame.f_globals.get("__name__") or ""
            if name and name != "__main__":
                chain.append(name)
        elif frame.f_code.co_name == "exec_module" and isinstance(frame.f_locals.get("self"), Gone):
            chain.append(frame.f_locals["module"].__name__)
        tb = tb.tb_next
    return chain
def done():
    legacy_imported()
    print("UNIFY-SELFCHECK " + json.dumps(problems))
    sys.exit(0)
if args["app"]:  # the plan's app: started, and the check runs in its context
    app_module, _, factory = args["app"].partition(":")
    try:
        made = getattr(importlib.import_module(app_module), factory)
        made = made if hasattr(made, "app_context") else made()
        made.app_context().push()
    except BaseException as exc:
        problem("import", f"the app {args['app']} does not start: {exc}", chain=import_chain(exc))
        done()
try:
    module = importlib.import_module(args["target"])
except BaseException as exc:
    where = ""
    if failed_serving:  # the first to fail is the innermost
        name = failed_serving[0]
        where = f" (on the way: {served[name]} imports the legacy module {name}, which after the rewrite means the unified module)"
    problem("import", f"import {args['target']}: {exc}{where}", chain=import_chain(exc))
    done()
legacy_imported()
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql
def spelled(column_type):
    try:
        return str(column_type.compile(dialect=postgresql.dialect()))
    except Exception:
        return repr(column_type)
# a table or class outside the plan that a foreign key or relationship names: import the
# module that defines it (analyze found it), then check against the real thing
outside, found, reached = {}, {}, []
def import_outside(where):
    if where not in outside:
        try:
            importlib.import_module(where)
            outside[where] = None
        except BaseException as exc:
            outside[where] = f"{where}, which defines it, does not import: {exc}"
    return outside[where] is None
for value in list(vars(module).values()):
    try:
        props = list(vars(value)["__mapper__"]._props.values()) if isinstance(value, type) else []
    except Exception:
        props = []
    for prop in props:
        target = getattr(prop, "argument", None)
        if isinstance(prop, orm.RelationshipProperty) and isinstance(target, str):
            name = target.rsplit(".", 1)[-1]
            where = args["outside_classes"].get(name)
            if where and not hasattr(module, name) and import_outside(where):
                found.setdefault(where, set()).add(name)
try:
    orm.configure_mappers()
except Exception as exc:
    problem("mappers", str(exc))
metadatas = []
def add(md):
    if isinstance(md, sa.MetaData) and all(md is not m for m in metadatas):
        metadatas.append(md)
def metadata_of(value, attr):
    try:  # a proxy such as flask.g raises outside an app context
        return getattr(getattr(value, attr, None), "metadata", None)
    except Exception:
        return None
add(metadata_of(module, "db"))
for value in list(vars(module).values()):
    add(metadata_of(value, "__table__"))
def own_table(value):
    try:
        if isinstance(value, sa.Table):
            return value
        return vars(value)["__table__"] if getattr(value, "__module__", "") == args["target"] else None
    except Exception:
        return None
owned = {id(t) for t in map(own_table, list(vars(module).values())) if t is not None}
planned = [t for md in metadatas for t in md.tables.values() if id(t) in owned or t.name not in args["outside"]]
def outside_module(fk):
    key = fk.target_fullname.rsplit(".", 1)[0]
    return args["outside"].get(key) or args["outside"].get(key.rsplit(".", 1)[-1])
for table in planned:
    for fk in table.foreign_keys:
        where = outside_module(fk)
        if where:
            import_outside(where)
for md in metadatas:
    for table in [t for t in planned if t.metadata is md]:
        for fk in table.foreign_keys:
            where = outside_module(fk)
            try:
                target = fk.column
            except Exception as exc:
                why = ""
                if where and outside.get(where):
                    why = f" ({outside[where]})"
                elif where:
                    why = f" ({where} defines it on another MetaData)"
                problem("fk-target", f"{table.name}.{fk.parent.name} -> {fk.target_fullname}: {exc}{why}")
                continue
            if all(target.table is not t for t in planned):
                found.setdefault(where or "?", set()).add(target.table.name)
                reached.append(target.table)
            mine, theirs = spelled(fk.parent.type), spelled(target.type)
            if mine != theirs:
                problem("fk-type", f"{table.name}.{fk.parent.name} is {mine} but {target.table.name}.{target.name} is {theirs}")
# a type only PostgreSQL renders (JSONB, TSVECTOR, INET) is created on SQLite under its
# PostgreSQL name, or as TEXT: the check is about the schema, not how a value is stored
import re
from sqlalchemy.dialects.postgresql.base import PGTypeCompiler
from sqlalchemy.dialects.sqlite.base import SQLiteTypeCompiler
def stand_in(self, type_, **kw):
    text = spelled(type_)
    return text if re.fullmatch(r"[A-Za-z_ ]+(\(\d+(, *\d+)?\))?", text) else "TEXT"
for visit in dir(PGTypeCompiler):
    if visit.startswith("visit_") and not hasattr(SQLiteTypeCompiler, visit):
        setattr(SQLiteTypeCompiler, visit, stand_in)
# a PostgreSQL cast in a server default ('[]'::jsonb) is left out on SQLite, likewise
def without_casts(column):
    default = column.server_default
    arg = getattr(default, "arg", None)
    if isinstance(arg, sa.sql.elements.TextClause) and "::" in arg.text:
        default.arg = sa.text(re.sub(r"::\w+(\[\])?", "", arg.text))
for md in metadatas:
    try:
        mine = {id(t): t for t in [*planned, *reached] if t.metadata is md}
        for table in mine.values():
            for column in table.columns:
                without_casts(column)
        md.create_all(sa.create_engine("sqlite://"), tables=list(mine.values()))
    except Exception as exc:
        problem("create-all", str(exc))
for where, names in sorted(found.items()):
    problem("outside-table", f"{', '.join(sorted(names))}: defined in {where} outside the plan; checked with {where} imported")
import ast
def written(stmt):
    return [stmt.module or ""] if isinstance(stmt, ast.ImportFrom) else [a.name for a in stmt.names]
def names_target(stmt):
    return any(w == args["target"] for w in written(stmt))
def names_app(stmt):  # the app's own modules: importing them is the app's business, not the carry's
    return getattr(stmt, "level", 0) > 0 or any(w.split(".")[0] in args["local"] for w in written(stmt))
def catches_import_error(handler):
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(getattr(k, "id", "") in ("ImportError", "ModuleNotFoundError", "Exception") for k in kinds)
def inner_imports(body, guarded):
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt, guarded
        elif isinstance(stmt, ast.Try):
            caught = any(catches_import_error(h) for h in stmt.handlers)
            yield from inner_imports(stmt.body, guarded or caught)
            yield from inner_imports(stmt.orelse + stmt.finalbody, guarded)
        else:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    yield from inner_imports(getattr(stmt, field), guarded)
def safe_to_call(func):
    a = func.args
    if isinstance(func, ast.AsyncFunctionDef) or func.decorator_list:
        return False
    if a.args or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg:
        return False
    risky = (ast.Call, ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Await, ast.Delete, ast.Raise, ast.With)
    for node in ast.walk(func):
        if isinstance(node, risky) or isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            return False
    return True
def check_helpers():
    path = getattr(module, "__file__", None)
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except Exception:
        return
    functions = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            functions += [(node.name + "." + f.name, f) for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for name, func in functions:
        failed = False
        imports = list(inner_imports(func.body, False))
        for stmt, guarded in imports:
            if not names_target(stmt) and (guarded or names_app(stmt)):
                continue
            scope = {"__name__": args["target"] + ".helper", "__package__": module.__package__}
            try:
                exec(compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec"), scope)
            except BaseException as exc:
                problem("helper", f"{name}() line {stmt.lineno}: {ast.unparse(stmt)}: {exc}")
                failed = True
        app = any(names_app(stmt) and not names_target(stmt) for stmt, _ in imports)
        if not failed and not app and "." not in name and safe_to_call(func):
            try:
                getattr(module, name)()
            except (NameError, ImportError) as exc:  # what a broken carry raises; not the app's own errors
                problem("helper", f"{name}(): {exc}")
            except BaseException:
                pass
check_helpers()
try:
    compat = importlib.import_module(args["compat"])
except BaseException as exc:
    problem("compat", f"import {args['compat']}: {exc}")
    done()
for name in args["names"]:
    if not hasattr(compat, name):
        problem("compat", f"{args['compat']} does not provide {name}")
done()
"""


def self_check(
    root: Path,
    inventory: Inventory,
    plan: Plan,
    files: Sequence[BuiltFile],
    *,
    names: Sequence[str] = (),
    python: str = sys.executable,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Finding, ...]:
    """Run every check on the built files in a temporary copy of ``root``; ``names`` are
    the legacy names the compat module must provide; ``progress(2, 3)`` after the import
    probe, ``progress(3, 3)`` after the analysis."""
    with tempfile.TemporaryDirectory(prefix="unify-build-") as tmp:
        copy = Path(tmp) / "repo"
        _copy_tree(root, copy, files)
        unified = next(f for f in files if f.role == "unified")
        compat = next(f for f in files if f.role == "compat")
        gone = _remove_legacy(copy, inventory, plan, files)
        args = {
            "paths": [str(copy / r) if r else str(copy) for r in (*inventory.import_roots, "")],
            "target": unified.module,
            "compat": compat.module,
            "legacy": list(plan.legacy_modules),
            "names": list(names),
            "local": sorted(inventory.top_level_modules),
            "gone": gone,
            "outside": _outside_tables(inventory, plan),
            "outside_classes": _outside_classes(inventory, plan),
            "app": plan.app,
        }
        imports = legacy_imports(root, inventory, plan)
        findings = _probe(copy, python, args, unified.rel, imports)
        if progress is not None:
            progress(2, 3)
        findings += _analyze(copy, unified, compat)
        if progress is not None:
            progress(3, 3)
    return tuple(findings)


def _copy_tree(root: Path, copy: Path, files: Sequence[BuiltFile]) -> None:
    for rel in list_repo_files(root).python:
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target)
    for built in files:
        target = copy / built.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(built.text, encoding="utf-8")


def _remove_legacy(
    copy: Path, inventory: Inventory, plan: Plan, files: Sequence[BuiltFile]
) -> dict[str, str]:
    """Delete the legacy modules from the copy, as phase 5 does after the rewrite (not the
    built ones, nor a package's ``__init__.py``); ``module -> path`` of those deleted."""
    built = {f.module for f in files}
    gone: dict[str, str] = {}
    for module in inventory.modules:
        if module.name not in plan.legacy_modules or module.name in built:
            continue
        if PurePosixPath(module.path).name == "__init__.py":
            continue
        (copy / module.path).unlink(missing_ok=True)
        gone[module.name] = module.path
    return gone


def _outside_tables(inventory: Inventory, plan: Plan) -> dict[str, str]:
    """``table -> module`` for each table a module outside the plan defines (a class or a
    ``Table()``), the first such module for a name."""
    inside = set(plan.legacy_modules) | {plan.target_module, plan.compat_module}
    out: dict[str, str] = {}
    for cls in inventory.classes:
        if cls.table and not cls.abstract and cls.module not in inside:
            out.setdefault(cls.table, cls.module)
    for table in inventory.tables:
        if table.module not in inside:
            out.setdefault(table.table, table.module)
    return out


def _outside_classes(inventory: Inventory, plan: Plan) -> dict[str, str]:
    """``class name -> module`` for each mapped class a module outside the plan defines."""
    inside = set(plan.legacy_modules) | {plan.target_module, plan.compat_module}
    out: dict[str, str] = {}
    for cls in inventory.classes:
        if cls.table and not cls.abstract and cls.module not in inside:
            out.setdefault(cls.name, cls.module)
    return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _probe(
    copy: Path,
    python: str,
    args: dict[str, Any],
    rel: str,
    imports: Mapping[str, frozenset[str]],
) -> list[Finding]:
    try:
        proc = subprocess.run(
            [python, "-c", PROBE, json.dumps(args)],
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        why = (
            f"took longer than {TIMEOUT_SECONDS}s"
            if isinstance(exc, subprocess.TimeoutExpired)
            else f"did not run: {reason(exc)}"
        )
        return [_finding(SELF_CHECK_CRASHED, f"the check process {why}", rel)]
    for line in proc.stdout.splitlines():
        if line.startswith("UNIFY-SELFCHECK "):
            problems = json.loads(line.removeprefix("UNIFY-SELFCHECK "))
            return [
                _finding(PROBE_KINDS[p["kind"]], _explained(p, args, imports), rel)
                for p in problems
            ]
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    message = f"the check process ended with {proc.returncode}: {tail}"
    return [_finding(SELF_CHECK_CRASHED, message, rel)]


def _explained(
    problem: dict[str, Any], args: dict[str, Any], imports: Mapping[str, frozenset[str]]
) -> str:
    """The probe's message, with the import cycle it names (and how to break it)."""
    message = _hinted(problem["message"])
    cycle = find_cycle(problem.get("chain", []), message, args["target"], args["gone"], imports)
    if cycle is None:
        return message
    return f"{message} ({describe(cycle, args['gone'], args['target'])})"


def _hinted(message: str) -> str:
    """A module the interpreter lacks is most often the app's dependency: say how to check
    with the interpreter that has them."""
    if "No module named" not in message:
        return message
    return f"{message} (if the app has its own environment, pass --python PATH_TO_ITS_PYTHON)"


def _analyze(copy: Path, unified: BuiltFile, compat: BuiltFile) -> list[Finding]:
    """``unify analyze`` of the copy, the unified module as its model module: no error
    finding in a built module."""
    try:
        inventory = analyze_repo(copy, models=(unified.module,))
    except (UnifyError, OSError) as exc:
        message = f"unify analyze did not run: {reason(exc)}"
        return [_finding(SELF_CHECK_CRASHED, message, unified.rel)]
    built = {unified.rel, compat.rel}
    return [
        _finding(SELF_CHECK_ANALYZE, f"{f.code} {f.rule}: {f.message}", f.path, f.line)
        for f in inventory.findings
        if f.severity is Severity.ERROR and f.path in built
    ]


def _finding(rule: Rule, message: str, path: str | None, line: int | None = None) -> Finding:
    return rule.finding(
        f"{rule.summary}: {message}",
        path=str(PurePosixPath(path)) if path else None,
        line=line,
    )
