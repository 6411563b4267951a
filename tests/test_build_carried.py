"""`unify build`: the helpers carried from the legacy modules, and the compat module's names.

A helper that only bridges legacy modules (a lazy ``db`` proxy, an import-retry shim) is
dropped and reported; every other helper stays runnable: the imports in its body that name
a legacy module point at the unified module, and the self-check runs them.  The compat module
exports the legacy names code imports or could import, no private name and no third-party
import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.build import run_build
from unify.decisions import load_plan, propose_plan, render_plan_toml, write_plan_file
from unify.models import BuildResult

CORE = """\
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class Site(db.Model):
        __tablename__ = 'sites'
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80))
"""

PORTAL = """\
    import uuid
    from datetime import datetime


    class _LazyDb:
        \"\"\"Reaches core's db on first use (core imports this module too).\"\"\"

        def __getattr__(self, name):
            try:
                from core import db as real_db
            except ImportError:
                from server.core import db as real_db
            return getattr(real_db, name)


    db = _LazyDb()


    def _load_core():
        try:
            import core
        except ImportError:
            import server.core as core
        return core


    def _new_id():
        return str(uuid.uuid4())


    def site_table():
        from core import Site as S
        return S.__tablename__


    def site_count(session):
        from core import Site
        return session.query(Site).count()


    class Ticket(db.Model):
        __tablename__ = 'tickets'
        id = db.Column(db.String(36), primary_key=True, default=_new_id)
        site_id = db.Column(db.Integer, db.ForeignKey('sites.id'))
        opened = db.Column(db.DateTime, default=datetime.utcnow)
"""


def carried_repo(
    tmp_path: Path, app: str = "from core import Site, db\nfrom portal import Ticket\n"
) -> Path:
    return write_files(tmp_path / "carried", {"core.py": CORE, "portal.py": PORTAL, "app.py": app})


def built(repo: Path) -> BuildResult:
    inventory = analyze_repo(repo)
    path = repo.parent / "unify.toml"
    write_plan_file(path, render_plan_toml(propose_plan(inventory), inventory), force=True)
    return run_build(repo, inventory, load_plan(path))


def text_of(result: BuildResult, role: str) -> str:
    return next(f.text for f in result.files if f.role == role)


def test_a_bridge_helper_is_dropped_and_reported(tmp_path: Path) -> None:
    result = built(carried_repo(tmp_path))
    assert [f for f in result.findings if f.severity.value == "error"] == []
    unified = text_of(result, "unified")
    assert "_LazyDb" not in unified and "_load_core" not in unified
    reported = sorted(f.objects for f in result.findings if f.code == "B011")
    assert reported == [("portal._LazyDb",), ("portal._load_core",)]
    message = next(f.message for f in result.findings if f.objects == ("portal._LazyDb",))
    assert "only reaches names of legacy modules" in message


def test_a_kept_helper_imports_from_the_unified_module_and_runs(tmp_path: Path) -> None:
    repo = carried_repo(tmp_path)
    result = built(repo)
    unified = text_of(result, "unified")
    tree = ast.parse(unified)
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    # never emptied: the import names the unified module, under the name the body uses
    assert "from models import Site as S" in ast.unparse(helpers["site_table"])
    assert "pass" not in ast.unparse(helpers["site_table"])
    (repo / "models.py").write_text(unified)
    run = subprocess.run(
        [sys.executable, "-c", "import models; print(models.site_table())"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stdout.strip() == "sites", run.stderr


def test_the_self_check_runs_the_imports_inside_carried_helpers(tmp_path: Path) -> None:
    """A helper whose body imports what the unified module does not provide is an S010."""
    repo = carried_repo(tmp_path)
    text = (repo / "portal.py").read_text()
    (repo / "portal.py").write_text(
        text + "\n\ndef broken():\n    from json import no_such_name\n    return no_such_name\n"
    )
    result = built(repo)
    found = [f for f in result.findings if f.code == "S010"]
    assert len(found) == 1 and "broken" in found[0].message and "no_such_name" in found[0].message


def test_the_compat_module_exports_the_legacy_names_only(tmp_path: Path) -> None:
    app = "from core import Site, db\nfrom portal import Ticket, datetime\n"
    result = built(carried_repo(tmp_path, app))
    tree = ast.parse(text_of(result, "compat"))
    names = {
        a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names
    } | {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    # public names the legacy modules define, and what code imports from them (datetime)
    assert names == {"Site", "Ticket", "db", "site_count", "site_table", "datetime"}


def test_a_bridge_that_kept_code_calls_is_kept_and_runs(tmp_path: Path) -> None:
    """A helper that stays calls the bridge: dropping it would leave a NameError behind, so
    the bridge stays too, importing from the unified module."""
    repo = carried_repo(tmp_path)
    text = (repo / "portal.py").read_text()
    (repo / "portal.py").write_text(
        text + "\n\ndef core_name():\n    return _load_core().__name__.upper()\n"
    )
    result = built(repo)
    assert [f for f in result.findings if f.severity.value == "error"] == []
    assert [f.objects for f in result.findings if f.code == "B011"] == [("portal._LazyDb",)]
    unified = text_of(result, "unified")
    assert "import models as core" in unified
    (repo / "models.py").write_text(unified)
    run = subprocess.run(
        [sys.executable, "-c", "import models; print(models.core_name())"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stdout.strip() == "MODELS", run.stderr


def test_the_self_check_leaves_the_apps_own_modules_alone(tmp_path: Path) -> None:
    """A helper importing one of the app's modules (which may need its configuration) is the
    app's business: the self-check neither runs that import nor calls the helper."""
    repo = carried_repo(tmp_path)
    (repo / "settings.py").write_text("raise RuntimeError('needs the app configuration')\n")
    text = (repo / "portal.py").read_text()
    (repo / "portal.py").write_text(
        text + "\n\ndef configured():\n    from settings import NAME\n    return NAME\n"
    )
    result = built(repo)
    assert [f for f in result.findings if f.severity.value == "error"] == []
