"""The real-code corpus gate: analyze -> plan -> build -> rewrite --phase final on real
open-source Flask/SQLAlchemy projects (PyPI sdists pinned by version), each checked for what
a user relies on after a unification.

For each project, in a fresh git copy of its sdist under ``benchmarks/_work/corpus-run/``:

1. ``unify analyze PATH --models ...`` (files, model modules, classes, time);
2. ``unify plan`` with the project's target and compat modules (and its app, ``[unify]
   app``), then the documented plan edits of ``benchmarks/corpus/plans/NAME.toml`` when
   there is one (``[[leave_out]]``: a model file left out; ``[[edit]]``: a text edit);
3. ``unify build`` with the project's interpreter (``benchmarks/_work/venvs/NAME``, made with
   ``pip install NAME==VERSION`` when ``--venvs`` is given; else unify's own);
4. ``unify rewrite --phase final``; then every changed file compiles, pyflakes' undefined
   names do not increase (per file and name; names a star import may supply count apart),
   ``unify rewrite --check`` exits 0, and a second rewrite changes nothing;
5. the inventory oracle (``benchmarks/corpus/oracle.py``, run on the sdist as published
   right after analyze): the model modules imported in the project's venv (in its app's
   context), analyze's tables, columns and foreign keys against SQLAlchemy's ``MetaData``.

Each stage's time and outcome, and each failure with its reason, go to
``benchmarks/RESULTS-corpus.md`` (and ``benchmarks/_work/corpus-results.json``).  Not part of
the quick test suite: it downloads sdists (once) and takes minutes.

    .venv/bin/python benchmarks/corpus/run_corpus.py               # every project
    .venv/bin/python benchmarks/corpus/run_corpus.py --only zou --venvs
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
WORK = REPO_ROOT / "benchmarks" / "_work"
SDISTS = WORK / "corpus"
RUNS = WORK / "corpus-run"
VENVS = WORK / "venvs"
RESULTS = REPO_ROOT / "benchmarks" / "RESULTS-corpus.md"
TIMEOUT = 1800
CODED = re.compile(r": [UBSRVA]\d{3} \[")

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Project:
    """A pinned sdist, the model modules to unify (globs, relative to the sdist's folder) and
    the unified and compat modules' dotted names."""

    name: str
    version: str
    models: tuple[str, ...]
    target: str
    compat: str
    folder: str = ""  # the extracted folder's name, when not NAME-VERSION
    exclude: tuple[str, ...] = ()  # model files the globs take that stay out
    why: str = ""  # why some are left out (in the results)
    known: str = ""  # a failure that is right, and why (in the results)
    app: str = ""  # MODULE:FACTORY for `unify check` before the build and after the rewrite
    env: tuple[tuple[str, str], ...] = ()  # what importing its code needs in the environment
    deps: tuple[str, ...] = ()  # pip requirements of its venv (default: NAME==VERSION)
    base_python: str = ""  # the interpreter its venv is made from (pyenv's, e.g. "3.8")

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def extracted(self) -> str:
        return self.folder or f"{self.name}-{self.version}"


PROJECTS = (
    Project(
        name="apache-superset",
        version="3.1.0",
        models=(
            "superset/models/annotations.py",
            "superset/models/cache.py",
            "superset/models/core.py",
            "superset/models/dashboard.py",
            "superset/models/dynamic_plugins.py",
            "superset/models/embedded_dashboard.py",
            "superset/models/filter_set.py",
            "superset/models/slice.py",
            "superset/models/sql_lab.py",
            "superset/models/user_attributes.py",
        ),
        # marshmallow 4 refuses superset 3.1's schema keywords (minLength)
        deps=("apache-superset==3.1.0", "marshmallow<4", "marshmallow-sqlalchemy<1"),
        target="superset.models.unified",
        compat="superset.models.models_compat",
        app="superset.app:create_app",
        env=(
            ("SUPERSET_SECRET_KEY", "corpus-check-key-0123456789abcdef"),
            ("SUPERSET_HOME", str(WORK / "superset-home")),  # its SQLite file, not in ~
        ),
    ),
    Project(
        name="FlaskBB",
        version="2.0.2",
        models=("flaskbb/*/models.py",),
        target="flaskbb.unified_models",
        compat="flaskbb.models_compat",
        app="flaskbb:create_app",
        env=(("FLASKBB_SETTINGS", str(HERE / "flaskbb_settings.py")),),
        base_python="3.8",  # its pins (Flask 1, SQLAlchemy 1.3) predate Python 3.10
        # its setup.py needs setuptools' Feature (gone): its requirements.txt (2018), where
        # a pin does not build on Python 3.8 the nearest release that does
        deps=(
            "flask==1.1.4",
            "werkzeug==0.16.1",
            "jinja2==2.11.3",
            "itsdangerous==1.1.0",
            "markupsafe==1.1.1",
            "flask-sqlalchemy==2.5.1",
            "sqlalchemy==1.3.24",
            "sqlalchemy-utils==0.36.5",
            "flask-login==0.4.1",
            "flask-allows==0.4",
            "flask-babelplus==2.1.1",
            "flask-caching==1.4.0",
            "flask-debugtoolbar==0.11.0",
            "flask-limiter==1.0.1",
            "flask-mail==0.10.0",
            "flask-redis==0.3.0",
            "redis==2.10.6",
            "flask-themes2==0.1.5",
            "flask-whooshee==0.7.0",
            "flask-wtf==0.14.3",
            "wtforms==2.1",
            "flask-alembic==2.0.1",
            "celery==4.4.7",
            "pluggy==0.6.0",
            "click==6.7",
            "click-log==0.2.1",
            "attrs==17.4.0",
            "mistune==0.8.4",
            "pygments==2.2.0",
            "simplejson",
            "pillow",
            "pytz",
            "requests",
            "unidecode",
            "babel",
            "setuptools<70",
        ),
    ),
    Project(
        name="zou",
        version="1.0.97",
        models=("zou/app/models/*.py",),
        exclude=("zou/app/models/__init__.py",),
        app="zou.app:app",
        # zou.app's import refuses the default SECRET_KEY (the unified module's package too)
        env=(("SECRET_KEY", "corpus-check-key-0123456789abcdef"),),
        target="zou.app.models.unified",
        compat="zou.app.models.models_compat",
    ),
    Project(
        name="keystone",
        version="26.0.0",
        models=(
            "keystone/identity/backends/sql_model.py",
            "keystone/resource/backends/sql_model.py",
            "keystone/assignment/role_backends/sql_model.py",
        ),
        why="the model modules proper (sql_model.py); the driver modules backends/sql.py "
        "(models beside the drivers) left out",
        target="keystone.common.sql.unified_models",
        compat="keystone.common.sql.models_compat",
    ),
    Project(
        name="Flask-AppBuilder",
        version="4.5.0",
        models=("flask_appbuilder/security/sqla/models.py", "flask_appbuilder/models/mixins.py"),
        known="rewrite --check fails, rightly: bin/hash_db_password.py, bin/migrate_db_0.7.py "
        "and examples/quickhowto3/migrate_db_0.7.py are Python 2 (print statements) and import "
        "the legacy flask_appbuilder.security.sqla.models, which the rewrite cannot reach (R001); "
        "examples/quickhowto3/testdata.py, Python 2 too, names no legacy module (R001, a warning)",
        target="flask_appbuilder.models.unified",
        compat="flask_appbuilder.models.models_compat",
    ),
    Project(
        name="mlflow",
        version="2.9.2",
        models=(
            "mlflow/store/tracking/dbmodels/models.py",
            "mlflow/store/model_registry/dbmodels/models.py",
        ),
        why="mlflow/server/auth/db/models.py left out: its classes need "
        "mlflow.server.auth.entities, whose package __init__ starts the auth app and imports "
        "the legacy auth models (build's self-check: S001 KeyError 'mlflow', S002)",
        target="mlflow.store.db.unified_models",
        compat="mlflow.store.db.models_compat",
        # mlflow.store.db.utils imports FallbackAsyncAdaptedQueuePool, gone in SQLAlchemy 2.1
        deps=("mlflow==2.9.2", "sqlalchemy<2.1"),
        app="mlflow.server:app",
    ),
    Project(
        name="fittrackee",
        version="0.7.32",
        models=("fittrackee/*/models.py",),
        target="fittrackee.unified_models",
        compat="fittrackee.models_compat",
        app="fittrackee:create_app",
        env=(
            # the factory reads its settings from the environment and asks the database
            # whether its config table exists: a SQLite file answers (no table: no config)
            ("DATABASE_URL", f"sqlite:///{WORK / 'fittrackee.db'}"),
            ("APP_SECRET_KEY", "corpus-check-key-0123456789abcdef"),
        ),
    ),
)


@dataclass
class Outcome:
    """What happened to one project: figures, times, and the failures with their reasons."""

    project: str
    version: str
    python: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)  # stage -> ok / failed / skipped
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, stage: str, reason: str) -> None:
        self.stages[stage] = "failed"
        self.failures.append(f"{stage}: {reason}")


class StageFailed(Exception):
    """A stage the later ones depend on failed (recorded in the outcome already)."""


# ---------------------------------------------------------------------------
# Preparing a project
# ---------------------------------------------------------------------------


def fetch(project: Project) -> Path:
    """The extracted sdist (downloaded and extracted once)."""
    folder = SDISTS / project.extracted
    if folder.is_dir():
        return folder
    SDISTS.mkdir(parents=True, exist_ok=True)
    spec = f"{project.name}=={project.version}"
    cmd = [sys.executable, "-m", "pip", "download", spec, "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*cmd, "-d", str(SDISTS), "-q"], check=True, timeout=TIMEOUT)
    archives = [
        p for p in SDISTS.glob("*.tar.gz") if p.name.lower().startswith(project.slug.lower())
    ]
    for archive in archives:
        with tarfile.open(archive) as tar:
            tar.extractall(SDISTS, filter="data")
    if not folder.is_dir():
        raise RuntimeError(f"{spec}: the sdist did not extract to {folder.name}")
    return folder


def interpreter(project: Project, make: bool) -> str:
    """The project's own interpreter (a venv with the project installed), else unify's."""
    venv = VENVS / (project.name + (f"-py{project.base_python}" if project.base_python else ""))
    python = venv / "bin" / "python"
    if not python.exists() and make:
        subprocess.run([base_interpreter(project), "-m", "venv", str(venv)], check=True)
        deps = project.deps or (f"{project.name}=={project.version}",)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *deps], check=False)
    return str(python) if python.exists() else sys.executable


def base_interpreter(project: Project) -> str:
    """The interpreter a project's venv is made from: pyenv's ``base_python`` (newest patch
    release) when given, else unify's own."""
    if not project.base_python:
        return sys.executable
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(
        root.glob(f"{project.base_python}.*/bin/python"),
        key=lambda p: [int(x) for x in p.parents[1].name.split(".") if x.isdigit()],
    )
    if not found:
        raise RuntimeError(f"{project.name}: no Python {project.base_python} under {root}")
    return str(found[-1])


def fresh_copy(source: Path, project: Project) -> Path:
    """A git repository holding the sdist as its first commit."""
    root = RUNS / project.extracted
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source, root, symlinks=True)
    git(root, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text(".unify/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sdist")
    return root


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "corpus",
        "GIT_AUTHOR_EMAIL": "corpus@localhost",
        "GIT_COMMITTER_NAME": "corpus",
        "GIT_COMMITTER_EMAIL": "corpus@localhost",
    }
    proc = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout


def model_files(root: Path, project: Project) -> list[str]:
    found: set[str] = set()
    for pattern in project.models:
        found.update(Path(p).relative_to(root).as_posix() for p in glob.glob(str(root / pattern)))
    left_out = {entry["path"] for entry in plan_edits(project).get("leave_out", [])}
    return sorted(found - set(project.exclude) - left_out)


def plan_edits(project: Project) -> dict[str, Any]:
    """``benchmarks/corpus/plans/NAME.toml``: the user's changes to the proposed plan,
    ``[[leave_out]]`` (a model file left out of the unification: ``path``, ``why``) and
    ``[[edit]]`` (see ``apply_plan_edits``)."""
    edits = HERE / "plans" / f"{project.slug}.toml"
    return tomllib.loads(edits.read_text(encoding="utf-8")) if edits.is_file() else {}


# ---------------------------------------------------------------------------
# Running unify
# ---------------------------------------------------------------------------


def unify(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "400", "NO_COLOR": "1"}
    env.pop("UNIFY_DATABASE_URL", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "unify", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    return proc, round(time.perf_counter() - start, 2)


def error_lines(proc: subprocess.CompletedProcess[str], limit: int = 8) -> str:
    """The findings with a code (concise lines), else the last line of stderr."""
    coded = [ln.strip() for ln in proc.stdout.splitlines() if CODED.search(ln)]
    picked = coded or [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()][-1:]
    more = f" (+{len(picked) - limit} more)" if len(picked) > limit else ""
    return " | ".join(picked[:limit]) + more


def run_project(project: Project, make_venvs: bool) -> Outcome:
    """Every stage, with the project's environment (``env``) set for its commands."""
    saved = {k: os.environ.get(k) for k, _ in project.env}
    os.environ.update(dict(project.env))
    try:
        return _run_stages(project, make_venvs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_stages(project: Project, make_venvs: bool) -> Outcome:
    out = Outcome(project=project.name, version=project.version)
    try:
        source = fetch(project)
        out.python = interpreter(project, make_venvs)
        root = fresh_copy(source, project)
        models = model_files(root, project)
        out.counts["model files"] = len(models)
        if project.why:
            out.notes.append(project.why)
        if project.known:
            out.notes.append(f"known: {project.known}")
        out.notes += [
            f"{e['path']} left out of the unification: {e['why']}"
            for e in plan_edits(project).get("leave_out", [])
        ]
        stage_analyze(root, models, out)
        stage_oracle(source, models, project, out)
        stage_project_tests(root, models, project, out, make_venvs, before=True)
        plan = stage_plan(root, models, project, out)
        stage_app(root, project, out, before=True)
        stage_build(root, plan, out)
        stage_rewrite(root, plan, out)
        stage_app(root, project, out, before=False)
        stage_project_tests(root, models, project, out, make_venvs, before=False)
    except StageFailed:
        pass
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        out.fail("prepare", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return out


def stage_analyze(root: Path, models: list[str], out: Outcome) -> None:
    args = [a for m in models for a in ("--models", m)]
    proc, secs = unify("analyze", ".", *args, "--format", "json", cwd=root)
    out.times["analyze"] = secs
    if proc.returncode not in (0, 1):
        out.fail("analyze", error_lines(proc))
        raise StageFailed
    data = json.loads(proc.stdout)
    summary = data["summary"]
    out.counts.update(
        {
            "files": data["files_scanned"],
            "model modules": summary["modules"],
            "classes": summary["models"],
            "analyze errors": summary["errors"],
        }
    )
    out.stages["analyze"] = "ok"


def stage_plan(root: Path, models: list[str], project: Project, out: Outcome) -> Path:
    plan = root / "unify.toml"
    args = [a for m in models for a in ("--models", m)]
    proc, secs = unify(
        "plan", ".", "-o", "unify.toml", "--target", project.target, "--compat", project.compat,
        *args, cwd=root,
    )  # fmt: skip
    out.times["plan"] = secs
    if proc.returncode != 0:
        out.fail("plan", error_lines(proc))
        raise StageFailed
    if project.app:  # the app `unify check` starts; build's self-check runs in its context
        text = plan.read_text(encoding="utf-8")
        plan.write_text(text.replace("[unify]\n", f'[unify]\napp = "{project.app}"\n', 1))
    edits = HERE / "plans" / f"{project.slug}.toml"
    if edits.is_file() and plan_edits(project).get("edit"):
        applied = apply_plan_edits(plan, edits)
        out.notes.append(f"plan edits applied: {applied} ({edits.relative_to(REPO_ROOT)})")
    out.stages["plan"] = "ok"
    return plan


def apply_plan_edits(plan: Path, edits: Path) -> int:
    """Each ``[[edit]]`` of ``edits``: ``find`` replaced by ``replace`` (once, and it must be
    there), each with its ``why``."""
    text = plan.read_text(encoding="utf-8")
    entries = tomllib.loads(edits.read_text(encoding="utf-8")).get("edit", [])
    for entry in entries:
        if entry["find"] not in text:
            raise RuntimeError(f"{edits.name}: {entry['find']!r} is not in the plan")
        text = text.replace(entry["find"], entry["replace"], 1)
    plan.write_text(text, encoding="utf-8")
    return len(entries)


def build_errors() -> set[str]:
    """The codes of build's and its self-check's error rules (not its infos and warnings)."""
    from unify.build import RULES, SELFCHECK_RULES

    rules = [*RULES.values(), *SELFCHECK_RULES.values()]
    return {r.code for r in rules if r.severity.value == "error"}


def stage_build(root: Path, plan: Path, out: Outcome) -> None:
    """``unify build``; when only its self-check fails (S0xx findings), the built files are
    written through the library all the same, so that rewrite is still measured (the build
    stays a failure, with its reason)."""
    proc, secs = unify(
        "build", ".", "--plan", plan.name, "--python", out.python, "--format", "concise", cwd=root
    )
    out.times["build"] = secs
    if proc.returncode != 0:
        out.fail("build", error_lines(proc))
        codes = {
            m.group(1)[0]
            for m in re.finditer(r": ([BS]\d{3}) \[", proc.stdout)
            if m.group(1) in build_errors()
        }
        if codes != {"S"}:
            raise StageFailed
        write_unchecked_build(root, plan)
        out.stages["build"] = "self-check failed"
        out.notes.append("build's self-check failed: the built files were written unchecked")
    else:
        out.stages["build"] = "ok"
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "unify build")


WRITE_BUILD = r"""
import sys
from pathlib import Path
from unify import analyze, build, decisions
root, plan = Path("."), decisions.load_plan(Path(sys.argv[1]))
inventory = analyze.analyze_repo(root, models=plan.legacy_paths)
result = build.run_build(root.resolve(), inventory, plan, python="false")
build.write_build(root, result.files)
"""


def write_unchecked_build(root: Path, plan: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    cmd = [sys.executable, "-c", WRITE_BUILD, plan.name]
    subprocess.run(cmd, cwd=root, env=env, check=True, timeout=TIMEOUT, capture_output=True)


def stage_rewrite(root: Path, plan: Path, out: Outcome) -> None:
    before = undefined_names(root)
    proc, secs = unify(
        "rewrite", ".", "--plan", plan.name, "--phase", "final", "--format", "concise", cwd=root
    )
    out.times["rewrite"] = secs
    out.counts["rewrite findings"] = len(CODED.findall(proc.stdout))
    if proc.returncode not in (0, 1):
        out.fail("rewrite", error_lines(proc))
        raise StageFailed
    changed = [p for p in git(root, "diff", "--name-only").splitlines() if p.endswith(".py")]
    out.counts["changed files"] = len(changed)
    out.stages["rewrite"] = "ok"
    check_compiles(root, changed, out)
    check_undefined(before, undefined_names(root), out)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "unify rewrite", "--allow-empty")
    proc, secs = unify(
        "rewrite", ".", "--plan", plan.name, "--check", "--format", "concise", cwd=root
    )
    out.times["rewrite --check"] = secs
    if proc.returncode == 0:
        out.stages["rewrite --check"] = "ok"
    else:
        out.fail("rewrite --check", f"exit {proc.returncode}: {error_lines(proc)}")
    proc, secs = unify("rewrite", ".", "--plan", plan.name, "--phase", "final", cwd=root)
    again = [p for p in git(root, "status", "--porcelain").splitlines() if p.strip()]
    if proc.returncode in (0, 1) and not again:
        out.stages["second rewrite"] = "ok"
    else:
        out.fail("second rewrite", f"exit {proc.returncode}; changed: {', '.join(again[:5])}")


def stage_app(root: Path, project: Project, out: Outcome, *, before: bool) -> None:
    """``unify check --app``: the snapshot before the build (``--update``), the comparison
    after the rewrite (a route or blueprint lost fails)."""
    if not project.app:
        return
    stage = "app snapshot" if before else "app check"
    args = ["check", ".", "--app", project.app, "--python", out.python, "--format", "json"]
    proc, secs = unify(*args, *(["--update"] if before else []), cwd=root)
    out.times[stage] = secs
    if proc.returncode == 2 or not proc.stdout.strip():
        out.fail(stage, error_lines(proc))
        return
    data = json.loads(proc.stdout)
    out.counts["routes" if before else "routes after"] = len(data["routes"])
    errors = [f["message"] for f in data["findings"] if f["severity"] == "error"]
    if errors:
        out.fail(stage, f"{len(errors)} error(s): " + " | ".join(errors[:5]))
    else:
        out.stages[stage] = "ok"


def check_compiles(root: Path, changed: list[str], out: Outcome) -> None:
    bad = []
    for rel in changed:
        try:
            compile((root / rel).read_bytes(), rel, "exec")
        except SyntaxError as exc:
            bad.append(f"{rel}:{exc.lineno}: {exc.msg}")
    if bad:
        out.fail("compile", f"{len(bad)} file(s): " + "; ".join(bad[:5]))
    else:
        out.stages["compile"] = "ok"


# ---------------------------------------------------------------------------
# pyflakes' undefined names, per file and name
# ---------------------------------------------------------------------------

PYFLAKES = r"""
import json, sys
from pyflakes import api, messages, reporter
names = {}
class Collect(reporter.Reporter):
    def __init__(self):
        pass
    def unexpectedError(self, filename, msg):
        pass
    def syntaxError(self, filename, msg, lineno, offset, text):
        pass
    def flake(self, message):
        kind = {messages.UndefinedName: "undefined", messages.ImportStarUsage: "star"}.get(type(message))
        if kind:
            key = f"{message.filename}\t{message.message_args[0]}\t{kind}"
            names[key] = names.get(key, 0) + 1
api.checkRecursive([sys.argv[1]], Collect())
print(json.dumps(names))
"""


def undefined_names(root: Path) -> dict[str, int]:
    """``file<TAB>name<TAB>kind`` -> uses: ``undefined`` (pyflakes' undefined name) or
    ``star`` (a name only a star import may define)."""
    proc = subprocess.run(
        [sys.executable, "-c", PYFLAKES, "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return {k: int(v) for k, v in json.loads(proc.stdout).items()}


def check_undefined(before: dict[str, int], after: dict[str, int], out: Outcome) -> None:
    """Per file and name: a name undefined after the rewrite that was not before (as an
    undefined name) is an increase; so is a name a star import may supply that it did not."""
    grown = sorted(k for k in after if after[k] > before.get(k, 0))
    out.counts["undefined names before"] = sum(v for k, v in before.items() if "\tundefined" in k)
    out.counts["undefined names after"] = sum(v for k, v in after.items() if "\tundefined" in k)
    if grown:
        shown = "; ".join(k.replace("\t", " ") for k in grown[:8])
        more = f" (+{len(grown) - 8} more)" if len(grown) > 8 else ""
        out.fail("pyflakes", f"{len(grown)} (file, name) pair(s) more undefined: {shown}{more}")
    else:
        out.stages["pyflakes"] = "ok"


# ---------------------------------------------------------------------------
# The inventory oracle (analyze's inventory against SQLAlchemy's MetaData)
# ---------------------------------------------------------------------------


def stage_oracle(source: Path, models: list[str], project: Project, out: Outcome) -> None:
    """``oracle.compare_inventory`` on the sdist as it is (before any unify change), in the
    project's venv and its app's context: its counts into the outcome, each module that does
    not import a note, each difference a failure."""
    sys.path.insert(0, str(HERE))
    try:
        import oracle
    finally:
        sys.path.remove(str(HERE))
    start = time.perf_counter()
    try:
        result = oracle.compare_inventory(source, models, out.python, app=project.app)
    except Exception as exc:  # analyze refusing the tree: the gate goes on without it
        out.fail("oracle", f"{type(exc).__name__}: {exc}")
        return
    out.times["oracle"] = round(time.perf_counter() - start, 2)
    out.counts.update({f"oracle {k}": v for k, v in result.counts().items()})
    out.notes += [f"oracle: not imported: {m}: {e}" for m, e in result.failed]
    if result.explained:
        out.notes.append(
            f"oracle: {len(result.explained)} column(s) or foreign key(s) explained by a "
            "finding of analyze: lacking on a class inheriting from a class outside the "
            "repository (outside-base, U026), or typed by a function when the app starts "
            "(runtime-column-type, U027): "
            + "; ".join(result.explained[:3])
            + (f" (+{len(result.explained) - 3} more)" if len(result.explained) > 3 else "")
        )
    problems = result.problems
    if not result.imported:
        out.fail("oracle", f"none of the {result.modules} model modules imports")
    elif problems:
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        out.fail("oracle", f"{len(problems)} difference(s): " + "; ".join(problems[:5]) + more)
    else:
        out.stages["oracle"] = "ok"


# ---------------------------------------------------------------------------
# The project's own tests, before and after the rewrite
# ---------------------------------------------------------------------------


def stage_project_tests(
    root: Path, models: list[str], project: Project, out: Outcome, make: bool, *, before: bool
) -> None:
    """``project_tests``: the project's test files that import a model module, run in its
    tests venv (``venvs/NAME-tests``) on a copy of ``root`` as it is now (before the build,
    after the rewrite); after the rewrite, fewer passed or more failed than before fails."""
    sys.path.insert(0, str(HERE))
    try:
        import project_tests as pt
    finally:
        sys.path.remove(str(HERE))
    suite = pt.SUITES.get(project.name)
    if suite is None:
        return
    venv = VENVS / f"{project.name}-tests"
    if not (venv / "bin" / "python").exists() and not make:
        out.stages["project tests"] = "no venv"
        return
    requirements = [*(project.deps or (f"{project.name}=={project.version}",)), *suite.deps]
    python = pt.make_venv(venv, base_interpreter(project), requirements, suite.as_of)
    record = out.counts.setdefault("project tests", {})
    if before:  # after the rewrite the tests import the unified module: the same files run
        record["test files"] = pt.choose_test_files(root, suite.folders, models, suite.ignore)
    files = record.get("test files", [])
    if not files:
        out.stages["project tests"] = "no test file"
        return
    copy = RUNS / f"{project.extracted}-tests"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", ".unify"))
    for folder in suite.dirs:
        (copy / folder).mkdir(parents=True, exist_ok=True)
    try:
        run = pt.run_tests(python, copy, files, env=suite.env)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    when = "before" if before else "after"
    out.times[f"tests {when}"] = run.seconds
    record[when] = {k: getattr(run.counts, k) for k in ("passed", "failed", "errors", "skipped")}
    record[f"{when} summary"] = run.counts.line
    if not run.counts.line:
        out.notes.append(f"project tests {when}: no summary: {run.tail}")
    if before:
        if suite.why:
            out.notes.append(f"project tests: {suite.why}")
        return
    earlier = pt.PytestCounts(**record.get("before", {}), line=record.get("before summary", ""))
    worse = pt.compare_counts(earlier, run.counts)
    if worse:
        out.fail("project tests", worse)
    else:
        out.stages["project tests"] = "ok"


def project_tests_lines(outcomes: list[Outcome]) -> list[str]:
    """The project's own tests per project: the files run, the counts before and after."""
    lines = [
        "## The projects' own tests",
        "",
        "`benchmarks/corpus/project_tests.py`: the test files of the sdist that import a model "
        "module, run with pytest in `venvs/NAME-tests` (the project's dependencies and its test "
        "dependencies), offline, on a copy of the tree before the build and after the rewrite "
        "(passed / failed / errors / skipped).",
        "",
        "| project | test files | before | after |",
        "|---|---|---|---|",
    ]
    for o in outcomes:
        record = o.counts.get("project tests")
        if not isinstance(record, dict):
            continue
        cells = [
            " / ".join(str(v) for v in record[w].values()) if w in record else "-"
            for w in ("before", "after")
        ]
        files = len(record.get("test files", []))
        lines.append(f"| {o.project} {o.version} | {files} | " + " | ".join(cells) + " |")
    return [*lines, ""]


ORACLE_COUNTS = (
    "modules", "imported", "tables", "columns", "foreign keys", "differences", "explained",
)  # fmt: skip


def oracle_lines(outcomes: list[Outcome]) -> list[str]:
    """The oracle's counts per project: analyze's inventory against the MetaData SQLAlchemy
    builds when the model modules are imported."""
    lines = [
        "## The inventory oracle",
        "",
        "`benchmarks/corpus/oracle.py` on the sdist as published, in the project's venv (inside "
        "its app's context when it has one): the model modules imported, and analyze's tables, "
        "columns (type family, nullable, primary key) and foreign keys compared with the "
        "`MetaData` SQLAlchemy builds; a difference is a table, column or foreign key that is "
        "not the same on both sides; explained: what the inventory lacks on a class analyze "
        "reports with a base outside the repository (outside-base, U026), and the type of a "
        "column analyze reports as chosen by a function when the app starts (superset's "
        "encrypted fields: runtime-column-type, U027; its nullable and key still compared).",
        "",
        "| project | model modules | imported | tables | columns | foreign keys | differences "
        "| explained |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        cells = [str(o.counts.get(f"oracle {k}", "-")) for k in ORACLE_COUNTS]
        lines.append(f"| {o.project} {o.version} | " + " | ".join(cells) + " |")
    return [*lines, ""]


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

STAGES = ("analyze", "plan", "app snapshot", "build", "rewrite", "compile", "pyflakes",
          "rewrite --check", "second rewrite", "app check", "oracle",
          "project tests")  # fmt: skip
COUNTS = ("files", "model files", "model modules", "classes", "changed files",
          "rewrite findings", "undefined names before", "undefined names after", "routes",
          "routes after")  # fmt: skip


def render(outcomes: list[Outcome]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Real-code corpus gate",
        "",
        f"Run {when} by `benchmarks/corpus/run_corpus.py` (unify from this checkout); each "
        "project in a fresh git copy of its sdist.  A stage left out (`-`) did not run because "
        "an earlier one failed.",
        "",
        "| project | " + " | ".join(STAGES) + " |",
        "|---|" + "---|" * len(STAGES),
    ]
    for o in outcomes:
        cells = [o.stages.get(s, "-") for s in STAGES]
        lines.append(f"| {o.project} {o.version} | " + " | ".join(cells) + " |")
    lines += ["", "| project | " + " | ".join(COUNTS) + " | times (s) |"]
    lines.append("|---|" + "---|" * (len(COUNTS) + 1))
    for o in outcomes:
        cells = [str(o.counts.get(c, "-")) for c in COUNTS]
        times = ", ".join(f"{k} {v}" for k, v in o.times.items())
        lines.append(f"| {o.project} {o.version} | " + " | ".join(cells) + f" | {times} |")
    lines += ["", *oracle_lines(outcomes), *project_tests_lines(outcomes)]
    lines += ["## Failures and notes", ""]
    for o in outcomes:
        python = "its own venv" if "venvs" in o.python else "unify's interpreter"
        lines.append(f"### {o.project} {o.version} (build's self-check with {python})")
        lines.append("")
        lines += [f"- {f}" for f in o.failures] or ["- no failure"]
        lines += [f"- note: {n}" for n in o.notes]
        lines.append("")
    return "\n".join(lines)


def kept_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    """The last run's outcomes (``corpus-results.json``) with those of this run replacing
    theirs, in the order of ``PROJECTS``."""
    saved = WORK / "corpus-results.json"
    last = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else []
    by_name = {o["project"]: Outcome(**o) for o in last}
    by_name.update({o.project: o for o in outcomes})
    return [by_name[p.name] for p in PROJECTS if p.name in by_name]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="a project's name; repeatable")
    parser.add_argument(
        "--venvs", action="store_true", help="make each project's venv (pip install) if missing"
    )
    parser.add_argument("--no-write", action="store_true", help="print; do not write results")
    parser.add_argument(
        "--keep", action="store_true", help="keep the last results of the projects not run now"
    )
    options = parser.parse_args()
    chosen = [p for p in PROJECTS if not options.only or p.name in options.only]
    outcomes = []
    for project in chosen:
        print(f"== {project.name} {project.version}", file=sys.stderr, flush=True)
        outcome = run_project(project, options.venvs)
        for failure in outcome.failures:
            print(f"   {failure}", file=sys.stderr, flush=True)
        outcomes.append(outcome)
    if options.keep:
        outcomes = kept_outcomes(outcomes)
    text = render(outcomes)
    if options.no_write:
        print(text)
    else:
        RESULTS.write_text(text + "\n", encoding="utf-8")
        WORK.mkdir(parents=True, exist_ok=True)
        (WORK / "corpus-results.json").write_text(
            json.dumps([o.__dict__ for o in outcomes], indent=2), encoding="utf-8"
        )
        print(f"wrote {RESULTS.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 1 if any(o.failures for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
