"""`unify build`: merges, conflicts, backref collisions, renamed strings, self-check, writes."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clihelp import run_unify, write_files

from unify.analyze import analyze_repo
from unify.build import build_modules, run_build
from unify.decisions import load_plan, propose_plan, render_plan_toml, write_plan_file
from unify.models import BuildResult, Plan

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "tests" / "assets" / "build"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*.py"))}


def copy_asset(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(ASSETS / name, dest)
    return dest


def proposed(repo: Path, edit: str = "") -> Path:
    """Write the proposed plan for ``repo`` (optionally edited) and return its path."""
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    for line in edit.splitlines():
        old, new = line.split(" => ")
        assert old in text, old
        text = text.replace(old, new)
    path = repo.parent / "unify.toml"
    write_plan_file(path, text, force=True)
    return path


def build(repo: Path, plan: Path) -> tuple[BuildResult, Plan]:
    plan_data = load_plan(plan)
    return build_modules(repo, analyze_repo(repo), plan_data), plan_data


def errors(result: BuildResult) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.code, f.objects) for f in result.findings if f.severity.value == "error")


# --- merges ------------------------------------------------------------------


def test_merge_with_proposed_defaults_builds_and_passes_the_self_check(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo)
    result = run_build(repo, analyze_repo(repo), load_plan(plan))
    assert errors(result) == []
    unified = result.files[0].text
    assert unified.count("class User(") == 1
    assert "class LegacyUser" not in unified
    # survivor wins conflicts by default; absorbed-only members are added, comments kept
    assert "return 'hello ' + self.email" in unified
    assert "# the new greeting" in unified
    assert "return 'hi '" not in unified
    assert "nickname = db.Column(db.String(50))" in unified
    assert '"""Kept as is: a property only the prototype had."""' in unified
    assert "# --- merged from legacy_accounts.LegacyUser ---" in unified
    # tables, keys and FK strings follow the merge
    assert "organizations" not in unified and "legacy_users" not in unified
    assert "holder_id = db.Column(db.Integer, db.ForeignKey('users.id'))" in unified
    assert "String(36)" not in unified


def test_a_choice_takes_the_absorbed_member(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo, 'greet = "accounts.User" => greet = "legacy_accounts.LegacyUser"')
    result, _ = build(repo, plan)
    assert errors(result) == []
    unified = result.files[0].text
    assert "return 'hi ' + (self.nickname or '')" in unified
    assert "return 'hello '" not in unified
    # the chosen member keeps the survivor's position, before the merged block
    assert unified.index("def greet") < unified.index("# --- merged from")


def test_unresolved_conflicts_stop_the_build_with_the_list(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo, 'greet = "accounts.User" => greet = ""\nemail = "accounts.User" => ')
    before = snapshot(repo)
    result, _ = build(repo, plan)
    assert errors(result) == [
        ("B001", ("legacy_accounts.LegacyUser", "email")),
        ("B001", ("legacy_accounts.LegacyUser", "greet")),
    ]
    message = next(f.message for f in result.findings if "greet" in f.objects)
    assert 'decide under [merge.choices]: greet = "<module.Class>"' in message
    cli = run_unify("build", str(repo), "--plan", str(plan), cwd=tmp_path)
    assert cli.returncode == 1
    assert 'decide under [merge.choices]: greet = "<module.Class>"' in cli.stdout
    assert snapshot(repo) == before


def test_backref_collision_is_reported_unless_the_plan_renames_it(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    cut = '[[backref]]\nmodel = "legacy_accounts.LegacyUser"\nrelationship = "org"\nrename_to = "members_user"\n'
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    assert cut in text
    (tmp_path / "no_backref.toml").write_text(text.replace(cut, ""))
    result, _ = build(repo, tmp_path / "no_backref.toml")
    assert errors(result) == [("B002", ("Organization", "members"))]
    assert (
        "Organization.members (from accounts.User.organization, legacy_accounts.LegacyUser.org)"
        in result.findings[0].message
    )
    (tmp_path / "renamed.toml").write_text(text)
    result, _ = build(repo, tmp_path / "renamed.toml")
    assert errors(result) == []
    assert "org = db.relationship('Organization', backref='members_user')" in result.files[0].text
    assert (
        "organization = db.relationship('Organization', backref='members')" in result.files[0].text
    )


def test_renamed_class_named_in_strings_is_renamed(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    result, _ = build(repo, proposed(repo))
    unified = result.files[0].text
    assert (
        "'User', foreign_keys='Badge.holder_id', primaryjoin='User.id == Badge.holder_id'"
        in unified
    )
    assert "'LegacyUser'" not in unified and "LegacyUser.id" not in unified
    compat = result.files[1].text
    assert "LegacyUser = User" in compat


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo)
    first, _ = build(repo, plan)
    second, _ = build(repo, plan)
    assert [f.text.encode() for f in first.files] == [f.text.encode() for f in second.files]


# --- self-check and writing ----------------------------------------------------


def test_a_failed_self_check_is_a_finding_and_writes_nothing(tmp_path: Path) -> None:
    repo = copy_asset("broken_mapping", tmp_path)
    plan = proposed(repo)
    before = snapshot(repo)
    cli = run_unify("build", str(repo), "--plan", str(plan), "--format", "json", cwd=tmp_path)
    assert cli.returncode == 1, cli.stderr
    report = json.loads(cli.stdout)
    assert report["written"] == []
    codes = [f["code"] for f in report["findings"]]
    assert "S003" in codes
    mapper = next(f for f in report["findings"] if f["code"] == "S003")
    assert "Ghost" in mapper["message"]
    assert snapshot(repo) == before


def test_self_check_catches_legacy_imports_and_fk_type_drift(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan_path = proposed(repo)
    inventory = analyze_repo(repo)
    plan = load_plan(plan_path)
    result = build_modules(repo, inventory, plan)
    from dataclasses import replace

    from unify.build import self_check

    broken = (
        result.files[0]
        .text.replace(
            "from flask_sqlalchemy import SQLAlchemy",
            "from flask_sqlalchemy import SQLAlchemy\nimport legacy_accounts  # noqa",
        )
        .replace("holder_id = db.Column(db.Integer,", "holder_id = db.Column(db.String(36),")
    )
    files = (replace(result.files[0], text=broken), *result.files[1:])
    codes = sorted({f.code for f in self_check(repo, inventory, plan, files)})
    assert "S005" in codes  # badges.holder_id VARCHAR(36) -> users.id INTEGER
    assert "S001" in codes or "S002" in codes  # importing legacy_accounts (which needs accounts)


def test_out_dir_and_dry_run(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo)
    before = snapshot(repo)
    dry = run_unify("build", str(repo), "--plan", str(plan), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("--- /dev/null\n+++ b/models.py\n")
    assert snapshot(repo) == before
    out = tmp_path / "out"
    wrote = run_unify("build", str(repo), "--plan", str(plan), "--out", str(out), cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert sorted(snapshot(out)) == ["models.py", "models_compat.py"]
    assert snapshot(repo) == before


def test_stubs_replace_legacy_modules_with_re_exports(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    plan = proposed(repo)
    cli = run_unify("build", str(repo), "--plan", str(plan), "--stubs", cwd=tmp_path)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    stub = (repo / "legacy_accounts.py").read_text()
    assert "from models_compat import (  # noqa: F401\n    Badge,\n    LegacyUser,\n" in stub
    # the app's untouched imports still work through the stubs
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import app; from sqlalchemy.orm import configure_mappers; configure_mappers();"
            " print(app.LegacyUser is app.User)",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip() == "True", check.stderr


@pytest.mark.parametrize("section", ["Organization", "User"])
def test_classes_land_in_their_sections(tmp_path: Path, section: str) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    result, plan = build(repo, proposed(repo))
    unified = result.files[0].text
    decision = next(c for c in plan.classes if c.name == section)
    from unify.resolve import resolve_plan

    sections = resolve_plan(plan, analyze_repo(repo)).sections
    title = f"# SECTION {sections.index(decision.section) + 1}: {decision.section.upper()}"
    assert unified.index(title) < unified.index(f"class {section}(")


def test_references_through_a_legacy_module_alias_become_local(tmp_path: Path) -> None:
    repo = copy_asset("module_refs", tmp_path)
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    assert errors(result) == []
    unified = result.files[0].text
    assert "models_v2" not in unified
    assert "class PortExtra(db.Model):" in unified
    assert "db.String(36), db.ForeignKey('ports.id'), primary_key=True" in unified
    assert "port = db.relationship('Port', backref='extra')" in unified


def test_fk_columns_follow_their_key_without_an_explicit_decision(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    block = '[[column_type]]\ntable = "badges"\ncolumn = "holder_id"\ntype = "Integer"\n'
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    assert block in text
    (tmp_path / "unify.toml").write_text(text.replace(block, ""))
    result, plan = build(repo, tmp_path / "unify.toml")
    assert ("badges", "holder_id") not in {(c.table, c.column) for c in plan.column_types}
    assert "holder_id = db.Column(db.Integer, db.ForeignKey('users.id'))" in result.files[0].text


def _when_repo(tmp_path: Path, b_extra: str = "") -> Path:
    return write_files(
        tmp_path / "clash",
        {
            "a.py": (
                "from datetime import date as when\n"
                "from flask_sqlalchemy import SQLAlchemy\n\n"
                "db = SQLAlchemy()\n\n\n"
                "class Alpha(db.Model):\n"
                "    __tablename__ = 'alpha'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
            "b.py": (
                "from time import time as when\n\n"
                "from a import db\n\n\n"
                "class Beta(db.Model):\n"
                "    __tablename__ = 'beta'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
                "    at = db.Column(db.Float, default=when)\n" + b_extra
            ),
        },
    )


def test_one_name_imported_as_two_things_is_aliased(tmp_path: Path) -> None:
    repo = _when_repo(tmp_path)
    result, _ = build(repo, proposed(repo))
    assert errors(result) == []
    text = result.files[0].text
    assert "from datetime import date as when\n" in text
    assert "from time import time as when__time\n" in text
    assert "at = db.Column(db.Float, default=when__time)" in text
    aliased = [f for f in result.findings if f.code == "B018"]
    assert [f.message for f in aliased] == [
        "'when' is bound to datetime.date (in a) and time.time (in b); "
        "'when' keeps datetime.date, time.time is imported as when__time"
    ]


def test_one_name_imported_as_two_things_and_bound_again_stops_the_build(tmp_path: Path) -> None:
    repo = _when_repo(tmp_path, "\n\ndef later(when):\n    return when\n")
    result, _ = build(repo, proposed(repo))
    assert errors(result) == [("B008", ("when",))]
    assert result.findings[0].message == (
        "'when' is bound to datetime.date (in a) and time.time (in b); b also binds it"
        " otherwise (a parameter, a local, a dotted import), so it cannot be aliased:"
        " rename one of these imports in its legacy module before building"
    )


ORDERED = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Part(db.Model):
    __tablename__ = 'part'
    id = db.Column(db.Integer, primary_key=True)
    widget_id = db.Column(db.Integer, db.ForeignKey('widget.id'))


class Widget(db.Model):
    __tablename__ = 'widget'
    id = db.Column(db.Integer, primary_key=True)
    parts = db.relationship(Part, primaryjoin=Part.widget_id == id)
"""


def test_classes_used_while_defined_come_first_or_are_reported(tmp_path: Path) -> None:
    from dataclasses import replace

    repo = write_files(
        tmp_path / "ordered",
        {
            "shop.py": ORDERED,
            "other.py": "from shop import db\n",
        },
    )
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    widget_first = replace(
        plan, classes=tuple(sorted(plan.classes, key=lambda c: c.name != "Widget"))
    )
    result = build_modules(repo, inventory, widget_first)
    assert errors(result) == []
    unified = result.files[0].text
    assert unified.index("class Part(") < unified.index("class Widget(")
    assert "parts = db.relationship('Part', primaryjoin=Part.widget_id == id)" in unified
    later = tuple(
        replace(c, section="Questionnaires and surveys") if c.name == "Part" else c
        for c in plan.classes
    )
    # the plan's own section list puts Part's section after Widget's
    from unify.resolve import resolve_plan

    sections = (*resolve_plan(plan, inventory).sections, "Questionnaires and surveys")
    result = build_modules(repo, inventory, replace(plan, classes=later, sections=sections))
    assert errors(result) == [("B009", ("Widget", "Part"))]


def test_an_invalid_plan_is_one_line_and_exit_2(tmp_path: Path) -> None:
    repo = copy_asset("merge_conflict", tmp_path)
    (tmp_path / "bad.toml").write_text('[unify]\ntarget_module = "models"\n')
    cli = run_unify("build", str(repo), "--plan", "bad.toml", cwd=tmp_path)
    assert cli.returncode == 2
    assert cli.stderr.strip() == (
        "error: bad.toml: 2 problem(s): line 1: [unify]: missing key 'compat_module'; "
        "line 1: [unify]: missing key 'legacy_modules'"
    )


def test_every_finding_code_of_the_build_is_catalogued() -> None:
    import re as re_

    from unify.build import RULES

    source = "\n".join(p.read_text() for p in sorted((ROOT / "unify" / "builder").glob("*.py")))
    used = set(re_.findall(r'"(B\d{3})"', source))
    assert used == {rule.code for rule in RULES.values()}
    for name, rule in RULES.items():
        assert rule.name == name
        constant = name.upper().replace("-", "_")
        assert re_.search(rf"\b{constant}\.finding\(", source), rule.code


def test_relative_imports_of_legacy_modules_become_absolute(tmp_path: Path) -> None:
    """``from .. import db`` in pkg/sub/models.py means ``pkg.db``: the unified module lives
    elsewhere, so it imports it absolutely, and ``from pkg import db`` elsewhere is no clash."""
    repo = write_files(
        tmp_path / "rel",
        {
            "pkg/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/models.py": (
                "from .. import db\n\n\nclass Alpha(db.Model):\n    __tablename__ = 'alpha'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
            "pkg/other.py": (
                "from pkg import db\n\n\nclass Beta(db.Model):\n    __tablename__ = 'beta'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
        },
    )
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    assert errors(result) == []
    unified = next(f.text for f in result.files if f.role == "unified")
    assert "from pkg import db\n" in unified and "from .." not in unified
    assert "# The models' base (`db`, `Model`, `Base`, ...) is imported above." in unified


def test_a_dependency_missing_from_the_interpreter_points_at_python(tmp_path: Path) -> None:
    """A third-party module this interpreter lacks is the app's dependency, not a bug of the
    build: the self-check finding says to run it with the app's interpreter."""
    repo = write_files(
        tmp_path / "deps",
        {
            "legacy.py": (
                "import unify_no_such_dependency\nfrom flask_sqlalchemy import SQLAlchemy\n\n"
                "db = SQLAlchemy()\n\n\nclass Alpha(db.Model):\n    __tablename__ = 'alpha'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
        },
    )
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    (found,) = [f for f in result.findings if f.code == "S001"]
    assert "unify_no_such_dependency" in found.message and "--python" in found.message


def test_a_subclass_merged_into_its_parent_does_not_derive_from_it(tmp_path: Path) -> None:
    """``class MyUser(User)`` on User's own table is absorbed by ``User``: its base is the
    survivor itself, which the unified class must not name."""
    repo = write_files(
        tmp_path / "ext",
        {
            "sec.py": (
                "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
                "Base = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = 'ab_user'\n"
                "    id = Column(Integer, primary_key=True)\n"
            ),
            "app_models.py": (
                "from sqlalchemy import Column, Integer\n\nfrom sec import User\n\n\n"
                "class MyUser(User):\n    __tablename__ = 'ab_user'\n    extra = Column(Integer)\n"
            ),
        },
    )
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    assert errors(result) == []
    unified = next(f.text for f in result.files if f.role == "unified")
    assert "class User(Base):" in unified and "extra = Column(Integer)" in unified


def test_self_check_survives_a_proxy_that_raises_on_attribute_access(tmp_path: Path) -> None:
    """``from flask import g`` in the unified module: reading ``g.__table__`` outside an app
    context raises, which must not crash the self-check."""
    repo = write_files(
        tmp_path / "proxy",
        {
            "legacy.py": (
                "from flask import g\nfrom flask_sqlalchemy import SQLAlchemy\n\n"
                "db = SQLAlchemy()\n\n\ndef current_user_id():\n    return g.user.id\n\n\n"
                "class Alpha(db.Model):\n    __tablename__ = 'alpha'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
        },
    )
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    assert errors(result) == []


def test_a_class_renamed_in_a_primaryjoin_template_is_renamed(tmp_path: Path) -> None:
    """Flask-AppBuilder's audit mixins write ``primaryjoin='%s.created_by_fk == MyUser.id' %
    cls.__name__``: the class name inside the template follows the merge too."""
    repo = write_files(
        tmp_path / "tpl",
        {
            "sec.py": (
                "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
                "Base = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = 'ab_user'\n"
                "    id = Column(Integer, primary_key=True)\n"
            ),
            "app_models.py": (
                "from sqlalchemy import Column, ForeignKey, Integer\nfrom sqlalchemy.orm import relationship\n\n"
                "from sec import Base, User\n\n\n"
                "class MyUser(User):\n    __tablename__ = 'ab_user'\n    extra = Column(Integer)\n\n\n"
                "class Note(Base):\n    __tablename__ = 'note'\n    id = Column(Integer, primary_key=True)\n"
                "    author_id = Column(Integer, ForeignKey('ab_user.id'))\n"
                "    author = relationship('MyUser', primaryjoin='%s.author_id == MyUser.id' % 'Note')\n"
            ),
        },
    )
    result = run_build(repo, analyze_repo(repo), load_plan(proposed(repo)))
    assert errors(result) == []
    unified = next(f.text for f in result.files if f.role == "unified")
    assert 'primaryjoin="%s.author_id == User.id" % "Note"' in unified or (
        "primaryjoin='%s.author_id == User.id' % 'Note'" in unified
    )


def test_a_target_named_like_an_existing_package_stops_the_build(tmp_path: Path) -> None:
    """``--target pkg.models`` while ``pkg/models/`` is a package: ``pkg/models.py`` beside it
    would never be imported (the package wins), so the build stops before writing."""
    repo = write_files(
        tmp_path / "shadow",
        {
            "pkg/__init__.py": "",
            "pkg/models/__init__.py": "",
            "pkg/legacy.py": (
                "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
                "class Alpha(db.Model):\n    __tablename__ = 'alpha'\n"
                "    id = db.Column(db.Integer, primary_key=True)\n"
            ),
        },
    )
    inventory = analyze_repo(repo)
    plan = dataclasses.replace(propose_plan(inventory), target_module="pkg.models")
    result = build_modules(repo, inventory, plan)
    assert errors(result) == [("B010", ("pkg.models",))]
    assert "pkg/models/__init__.py" in result.findings[0].message
    assert result.files == ()
