"""`unify build`: names two legacy modules bind differently, in one unified namespace.

One object imported through two paths (``os.path.join`` and ``posixpath.join``) needs
nothing; two different objects under one import name are kept apart by an alias in the
moved code of the module that needs the other one; module constants of one name and
different values are carried under distinct names.  The built module imports and behaves
as the legacy modules did.
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
    import json
    from collections.abc import Mapping
    from os.path import join

    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    TYPES = ["site", "hub"]


    class Site(db.Model):
        __tablename__ = 'sites'
        id = db.Column(db.Integer, primary_key=True)
        kind = db.Column(db.String(10), default=TYPES[0])

        def dumped(self):
            return json.dumps([self.id])

        def where(self):
            return join("sites", str(self.id))

        def mapping(self):
            return isinstance({}, Mapping)
"""

PORTAL = """\
    from posixpath import join
    from typing import Mapping

    import fastjson as json

    from core import db

    TYPES = ["ticket", "issue"]


    class Ticket(db.Model):
        __tablename__ = 'tickets'
        id = db.Column(db.Integer, primary_key=True)
        kind = db.Column(db.String(10), default=TYPES[1])
        site_id = db.Column(db.Integer, db.ForeignKey('sites.id'))

        def dumped(self):
            return json.dumps([self.id])

        def where(self):
            return join("tickets", str(self.id))

        def mapping(self) -> Mapping:
            return {"types": TYPES}
"""

FASTJSON = "def dumps(value):\n    return 'fast'\n"

APP = "from core import Site, TYPES, db\nfrom portal import Ticket\n"


def clash_repo(tmp_path: Path, portal: str = PORTAL) -> Path:
    files = {"core.py": CORE, "portal.py": portal, "fastjson.py": FASTJSON, "app.py": APP}
    return write_files(tmp_path / "clash", files)


def built(repo: Path) -> BuildResult:
    inventory = analyze_repo(repo)
    path = repo.parent / "unify.toml"
    write_plan_file(path, render_plan_toml(propose_plan(inventory), inventory), force=True)
    return run_build(repo, inventory, load_plan(path))


def text_of(result: BuildResult, role: str) -> str:
    return next(f.text for f in result.files if f.role == role)


def errors(result: BuildResult) -> list[str]:
    return [f"{f.code} {f.message}" for f in result.findings if f.severity.value == "error"]


def methods(unified: str, cls: str) -> dict[str, str]:
    tree = ast.parse(unified)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    return {f.name: ast.unparse(f) for f in node.body if isinstance(f, ast.FunctionDef)}


def test_one_object_through_two_paths_is_no_clash(tmp_path: Path) -> None:
    result = built(clash_repo(tmp_path))
    assert errors(result) == []
    unified = text_of(result, "unified")
    assert "from os.path import join" in unified and "from posixpath import join" in unified
    assert not [f for f in result.findings if "join" in f.objects]
    assert "join('tickets'" in methods(unified, "Ticket")["where"]


def test_two_objects_under_one_import_name_are_aliased_in_the_moved_code(tmp_path: Path) -> None:
    result = built(clash_repo(tmp_path))
    assert errors(result) == []
    unified = text_of(result, "unified")
    assert "import fastjson as json__fastjson" in unified
    assert "\nimport json\n" in unified
    assert "json__fastjson.dumps" in methods(unified, "Ticket")["dumped"]
    assert "json.dumps" in methods(unified, "Site")["dumped"]
    assert "from typing import Mapping as Mapping__typing" in unified
    assert "-> Mapping__typing" in methods(unified, "Ticket")["mapping"]
    aliased = sorted(f.objects for f in result.findings if f.code == "B018")
    assert aliased == [("Mapping",), ("json",)]
    assert all(f.severity.value == "info" for f in result.findings if f.code == "B018")


def test_constants_of_one_name_are_carried_apart(tmp_path: Path) -> None:
    result = built(clash_repo(tmp_path))
    assert errors(result) == []
    unified = text_of(result, "unified")
    assert "TYPES = ['site', 'hub']" in unified.replace('"', "'")
    assert "PORTAL_TYPES = ['ticket', 'issue']" in unified.replace('"', "'")
    renamed = [f for f in result.findings if f.code == "B019"]
    assert [f.objects for f in renamed] == [("portal.TYPES",)]
    assert "PORTAL_TYPES" in renamed[0].message


def test_the_built_module_behaves_as_the_legacy_modules(tmp_path: Path) -> None:
    repo = clash_repo(tmp_path)
    result = built(repo)
    assert errors(result) == []
    assert not [f for f in result.findings if f.code.startswith("S")], result.findings
    (repo / "models.py").write_text(text_of(result, "unified"))
    probe = (
        "import models\n"
        "print(models.Site.__table__.c.kind.default.arg, models.Ticket.__table__.c.kind.default.arg)\n"
        "print(models.Site(id=1).dumped(), models.Ticket(id=2).dumped())\n"
        "print(models.Site(id=1).mapping(), models.Ticket(id=2).mapping())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=False
    )
    assert run.stdout.splitlines() == [
        "site issue",
        "[1] fast",
        "True {'types': ['ticket', 'issue']}",
    ], run.stderr


def test_the_compat_module_still_exports_every_legacy_name(tmp_path: Path) -> None:
    result = built(clash_repo(tmp_path))
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
    assert {"Site", "Ticket", "TYPES", "db"} <= names


def test_a_name_the_module_binds_again_is_still_a_clash(tmp_path: Path) -> None:
    """A parameter named like the import: renaming every use would change the function."""
    portal = PORTAL + "\n\n    def echo(json):\n        return json\n"
    result = built(clash_repo(tmp_path, portal))
    clash = [f for f in result.findings if f.code == "B008"]
    assert [f.objects for f in clash] == [("json",)]
    assert "portal" in clash[0].message


DESK = """\
    from core import db
    from portal import TYPES as PORTAL_KINDS, Ticket


    class Desk(db.Model):
        __tablename__ = 'desks'
        id = db.Column(db.Integer, primary_key=True)
        kind = db.Column(db.String(10), default=PORTAL_KINDS[0])
        ticket_id = db.Column(db.Integer, db.ForeignKey('tickets.id'))
"""


def test_a_module_importing_a_renamed_constant_reads_the_new_name(tmp_path: Path) -> None:
    repo = clash_repo(tmp_path)
    write_files(repo, {"desk.py": DESK})
    result = built(repo)
    assert errors(result) == []
    assert not [f for f in result.findings if f.code.startswith("S")], result.findings
    unified = text_of(result, "unified")
    assert "kind = db.Column(db.String(10), default=PORTAL_TYPES[0])" in unified


def test_a_stub_exports_its_modules_constant_under_the_old_name(tmp_path: Path) -> None:
    repo = clash_repo(tmp_path)
    inventory = analyze_repo(repo)
    path = repo.parent / "unify.toml"
    write_plan_file(path, render_plan_toml(propose_plan(inventory), inventory), force=True)
    result = run_build(repo, inventory, load_plan(path), stubs=True)
    assert errors(result) == []
    for built_file in result.files:
        (repo / built_file.rel).write_text(built_file.text)
    probe = "import core, portal\nprint(core.TYPES, portal.TYPES)\n"
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=False
    )
    assert run.stdout.strip() == "['site', 'hub'] ['ticket', 'issue']", run.stderr
