"""The rewrite keeps behaviour: star imports of renamed aliases, star expansions that import
exactly what the old star supplied, rewritten lines that neither fuse nor bind a name twice,
expanded imports laid out as ruff/black lay them out, and renamed names reached through a
module binding (rewritten, or reported with ``--check`` failing)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from clihelp import run_unify, write_files
from pyflakes import checker, messages

from unify.models import ModuleMove, Rename, RenameMap, RewriteResult, Rewritten
from unify.report.rewrite import rewrite_exit_code
from unify.rewrite_imports import apply_rewrites, rewrite_repo

DB = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
OTHER = """\
    from db import db


    class Competency(db.Model):
        __tablename__ = "competency"
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80))


    def helper_other():
        return 1
    """
MODELS = """\
    from db import db
    from other_models import Competency as SECompetency


    class Person(db.Model):
        __tablename__ = "person"
        id = db.Column(db.Integer, primary_key=True)
        competency_id = db.Column(db.Integer, db.ForeignKey("competency.id"))


    def find_person(pid):
        return Person.query.get(pid)
    """
ROUTES = """\
    from models import *


    def show(pid):
        person = find_person(pid)
        return person, SECompetency.query.all(), SECompetency


    def broken():
        return helper_other()
    """
VIEWS = """\
    import models
    import models as m


    def listing():
        return models.SECompetency.query.all(), m.SECompetency
    """


def undefined(text: str) -> set[str]:
    """The names pyflakes finds undefined (a star-supplied name counts as defined)."""
    found = checker.Checker(ast.parse(text), "f.py").messages
    return {m.message_args[0] for m in found if isinstance(m, messages.UndefinedName)}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def _app(tmp_path: Path, *, git: bool) -> Path:
    repo = write_files(
        tmp_path / "app",
        {
            "db.py": DB,
            "other_models.py": OTHER,
            "models.py": MODELS,
            "routes.py": ROUTES,
            "views.py": VIEWS,
        },
    )
    if git:
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "legacy")
    assert run_unify("plan", repo, "-o", repo / "unify.toml").returncode == 0
    build = run_unify("build", repo, "--plan", repo / "unify.toml")
    assert build.returncode == 0, build.stdout + build.stderr
    return repo


@pytest.mark.parametrize("git", [True, False], ids=["in-git", "no-git"])
def test_star_import_of_a_renamed_alias_supplies_the_new_name(tmp_path: Path, git: bool) -> None:
    repo = _app(tmp_path, git=git)
    assert "SECompetency" not in (repo / "models.py").read_text(encoding="utf-8")
    final = ("--plan", repo / "unify.toml", "--phase", "final")
    assert run_unify("rewrite", repo, *final, "--check").returncode == 1
    run = run_unify("rewrite", repo, *final)
    assert run.returncode == 0, run.stdout + run.stderr
    routes = (repo / "routes.py").read_text(encoding="utf-8")
    views = (repo / "views.py").read_text(encoding="utf-8")
    assert "SECompetency" not in routes + views
    assert "Competency.query.all(), Competency" in routes
    assert "models.Competency.query.all(), m.Competency" in views
    assert undefined(views) == set()
    if git:
        # exactly what the legacy star supplied: never the other module's helper
        assert routes.startswith("from models import Competency, find_person\n")
        assert undefined(routes) == {"helper_other"}
    else:
        assert undefined(routes) <= {"helper_other"}
        assert "R015" in run.stdout  # names taken from the rebuilt module, said so
    assert run_unify("rewrite", repo, *final, "--check").returncode == 0


# ---------------------------------------------------------------------------
# In-process cases: a hand-made rename map over a small tree
# ---------------------------------------------------------------------------

FINAL = RenameMap(
    moves=(ModuleMove(legacy="mvp", target="unified"),),
    renames=(Rename(legacy_module="mvp", legacy_name="MVPUser", module="unified", name="User"),),
)
UNIFIED = "class User:\n    pass\n\n\nclass Team:\n    pass\n\n\nLONG_NAME_NUMBER_ONE = LONG_NAME_NUMBER_TWO = LONG_NAME_NUMBER_THREE = 1\n"
MVP = """\
    class MVPUser:
        pass


    class Team:
        pass


    LONG_NAME_NUMBER_ONE = LONG_NAME_NUMBER_TWO = LONG_NAME_NUMBER_THREE = 1
    """


def _rewrite(
    tmp_path: Path, files: dict[str, str], rename_map: RenameMap = FINAL
) -> tuple[RewriteResult, dict[str, str]]:
    repo = write_files(tmp_path / "repo", {"unified.py": UNIFIED, "mvp.py": MVP, **files})
    result = rewrite_repo(repo, rename_map, jobs=1)
    texts = {o.path: o.new_text for o in result.outcomes if isinstance(o, Rewritten)}
    return result, texts


def test_separate_import_lines_are_not_fused(tmp_path: Path) -> None:
    before = (
        "from unified import Team\nimport os\nfrom mvp import MVPUser\n\nx = (Team, MVPUser, os)\n"
    )
    _, texts = _rewrite(tmp_path, {"b.py": before})
    assert texts["b.py"] == (
        "from unified import Team\nimport os\nfrom unified import User\n\nx = (Team, User, os)\n"
    )


def test_a_rewritten_line_never_binds_a_name_twice(tmp_path: Path) -> None:
    before = (
        "from unified import User\n\nfrom mvp import MVPUser, Team\n\nx = (User, MVPUser, Team)\n"
    )
    _, texts = _rewrite(tmp_path, {"c.py": before})
    after = texts["c.py"]
    assert (
        after == "from unified import User\n\nfrom unified import Team\n\nx = (User, User, Team)\n"
    )
    assert not [
        m
        for m in checker.Checker(ast.parse(after), "c.py").messages
        if isinstance(m, messages.RedefinedWhileUnused)
    ]


LONG = ("LONG_NAME_NUMBER_ONE", "LONG_NAME_NUMBER_THREE", "LONG_NAME_NUMBER_TWO")
RULER = "".join(f"    {n},\n" for n in (*LONG, "Team", "User"))


def test_expanded_star_is_laid_out_as_ruff_does(tmp_path: Path) -> None:
    uses = "MVPUser, Team, LONG_NAME_NUMBER_ONE, LONG_NAME_NUMBER_TWO, LONG_NAME_NUMBER_THREE"
    before = f"from mvp import *\n\nx = {uses}\n"
    _, texts = _rewrite(tmp_path, {"d.py": before})
    assert texts["d.py"].startswith(f"from unified import (\n{RULER})\n")


def test_a_split_import_in_a_function_is_laid_out_as_ruff_does(tmp_path: Path) -> None:
    mixed = RenameMap(
        moves=(),
        renames=tuple(
            Rename(legacy_module="mixed", legacy_name=old, module="unified", name=new)
            for old, new in (("MVPUser", "User"), ("Team", "Team"), *((n, n) for n in LONG))
        ),
    )
    names = "Keep, MVPUser, Team, " + ", ".join(LONG)
    before = f"def f():\n    from mixed import {names}\n\n    return {names}\n"
    mixed_text = "Keep = MVPUser = Team = 1\n" + "".join(f"{n} = 1\n" for n in LONG)
    _, texts = _rewrite(tmp_path, {"mixed.py": mixed_text, "g.py": before}, mixed)
    written = "".join(f"        {n},\n" for n in ("User", "Team", *LONG))
    assert texts["g.py"].startswith(
        f"def f():\n    from mixed import Keep\n    from unified import (\n{written}    )\n"
    )


def test_star_imports_only_what_the_old_star_supplied(tmp_path: Path) -> None:
    """A name the legacy module never supplied stays undefined (it was a NameError before)."""
    before = "from mvp import *\n\n\ndef f():\n    return MVPUser, Team, Unknown\n"
    files = {"unified.py": UNIFIED + "\n\nclass Unknown:\n    pass\n", "e.py": before}
    _, texts = _rewrite(tmp_path, files)
    assert texts["e.py"].startswith("from unified import Team, User\n")
    assert undefined(texts["e.py"]) == {"Unknown"}


# ---------------------------------------------------------------------------
# Renamed names reached through a module binding
# ---------------------------------------------------------------------------

IN_PLACE = RenameMap(
    moves=(),
    renames=(
        Rename(legacy_module="models", legacy_name="Old", module="models", name="New"),
        Rename(
            legacy_module="pkg.legacy", legacy_name="old_call", module="pkg.legacy", name="new_call"
        ),
    ),
)
PACKAGE_FILES = {
    "models.py": "class Old:\n    pass\n",
    "pkg/__init__.py": "",
    "pkg/legacy.py": "def old_call():\n    return 1\n",
    "a/__init__.py": "",
    "a/b/__init__.py": "",
    "a/b/c/__init__.py": "",
    "a/b/c/d/__init__.py": "",
    "a/b/c/d/e.py": "def f():\n    return 1\n",
    "a/b/g.py": "def old_fn():\n    return 1\n",
}


def test_a_renamed_name_of_a_kept_module_is_renamed_through_its_binding(tmp_path: Path) -> None:
    before = (
        "import models\nimport models as m\nimport pkg.legacy\nimport pkg\n\n\n"
        "def f():\n    return models.Old, m.Old(), pkg.legacy.old_call(), pkg.legacy.other\n"
    )
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "views.py": before})
    result = rewrite_repo(repo, IN_PLACE, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "views.py"]
    assert isinstance(outcome, Rewritten)
    assert outcome.new_text.endswith(
        "return models.New, m.New(), pkg.legacy.new_call(), pkg.legacy.other\n"
    )
    apply_rewrites(result, allow_dirty=True)
    again = rewrite_repo(repo, IN_PLACE, jobs=1)
    assert rewrite_exit_code(again, check=True) == 0


def test_names_reached_through_a_parent_package_are_rewritten(tmp_path: Path) -> None:
    rename_map = RenameMap(
        moves=(),
        renames=(
            Rename(legacy_module="a.b.g", legacy_name="old_fn", module="a.b.g", name="new_fn"),
            Rename(legacy_module="a.b.c.d.e", legacy_name="f", module="a.b.c.d.e", name="h"),
        ),
    )
    before = "import a\nfrom a.b.c import d\n\nx = a.b.g.old_fn(), d.e.f\n"
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "use.py": before})
    result = rewrite_repo(repo, rename_map, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "use.py"]
    assert isinstance(outcome, Rewritten)
    assert outcome.new_text.endswith("x = a.b.g.new_fn(), d.e.h\n")


def test_a_moved_name_reached_through_a_package_is_imported_from_its_new_module(
    tmp_path: Path,
) -> None:
    rename_map = RenameMap(moves=(ModuleMove(legacy="pkg.legacy", target="unified"),))
    before = "import pkg\n\n\ndef f():\n    return pkg.legacy.old_call()\n"
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "unified.py": "", "use.py": before})
    result = rewrite_repo(repo, rename_map, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "use.py"]
    assert isinstance(outcome, Rewritten)
    assert outcome.new_text == (
        "import pkg\nfrom unified import old_call\n\n\ndef f():\n    return old_call()\n"
    )
    assert not outcome.findings


def test_a_moved_module_reached_through_its_package_is_reported(tmp_path: Path) -> None:
    rename_map = RenameMap(moves=(ModuleMove(legacy="pkg.legacy", target="unified"),))
    before = "import pkg\n\n\ndef f():\n    return pkg.legacy\n"
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "unified.py": "", "use.py": before})
    result = rewrite_repo(repo, rename_map, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "use.py"]
    found = [f for f in outcome.findings if f.rule == "legacy-name-through-module"]
    assert [f.line for f in found] == [5], outcome.findings
    assert rewrite_exit_code(result, check=True) == 1
    assert rewrite_exit_code(result, check=False) == 0


COMPAT = RenameMap(
    moves=(),
    renames=(Rename(legacy_module="models", legacy_name="Old", module="compat", name="Old"),),
)


def test_compat_phase_attribute_of_a_kept_module_is_imported_from_compat(
    tmp_path: Path,
) -> None:
    """``m.Old`` when ``Old`` leaves ``models`` for another module: imported from there."""
    before = "import models as m\n\nx = m.Old\n"
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "compat.py": "", "use.py": before})
    result = rewrite_repo(repo, COMPAT, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "use.py"]
    assert isinstance(outcome, Rewritten)
    assert outcome.new_text == "import models as m\nfrom compat import Old\n\nx = Old\n"


def test_a_binding_bound_to_something_else_too_is_reported(tmp_path: Path) -> None:
    before = "import models as m\n\nx = m.Old\n\n\ndef f(m):\n    return m.Old\n"
    repo = write_files(tmp_path / "repo", {**PACKAGE_FILES, "compat.py": "", "use.py": before})
    result = rewrite_repo(repo, COMPAT, jobs=1)
    findings = [f for o in result.outcomes for f in getattr(o, "findings", ())]
    lines = sorted(f.line for f in findings if f.rule == "legacy-name-through-module")
    assert lines == [3, 7]
    assert rewrite_exit_code(result, check=True) == 1


def test_a_name_the_rebuilt_module_no_longer_supplies_is_reported(tmp_path: Path) -> None:
    """``from models import *`` supplied ``helper`` before the build; the rebuilt ``models``
    has no ``helper`` and the plan moves it nowhere: the star stays, reported, --check fails."""
    repo = write_files(
        tmp_path / "repo",
        {
            "models.py": "class Old:\n    pass\n\n\ndef helper():\n    return 1\n",
            "use.py": "from models import *\n\nx = Old, helper()\n",
        },
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "legacy")
    built = '"""Unified models.\n\nBuilt by `unify build` from models.\n"""\n\n\nclass New:\n    pass\n'
    (repo / "models.py").write_text(built, encoding="utf-8")
    rename_map = RenameMap(
        moves=(),
        renames=(Rename(legacy_module="models", legacy_name="Old", module="models", name="New"),),
    )
    result = rewrite_repo(repo, rename_map, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == "use.py"]
    assert not isinstance(outcome, Rewritten)  # the star stays: no import could keep it working
    gone = [f for f in outcome.findings if f.rule == "star-name-gone"]
    assert [f.objects for f in gone] == [("helper",)]
    assert "Old, helper" in gone[0].message
    assert rewrite_exit_code(result, check=True) == 1
