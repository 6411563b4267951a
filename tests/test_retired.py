"""A dead copy of a model module (nothing imports it; it defines the same classes on the same
tables as another model module): analyze reports it, the plan retires it (no source of the
unified module, no merges of identical classes), build ignores it, archive moves it away."""

from __future__ import annotations

from pathlib import Path

from clihelp import run_unify, write_files

from unify import archive as archive_stage
from unify.analyze import analyze_repo
from unify.build import build_modules
from unify.decisions import load_plan, parse_plan, propose_plan, render_plan_toml
from unify.errors import PlanError

ACCOUNTS = """\
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class Site(db.Model):
        __tablename__ = 'sites'
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80))


    class Member(db.Model):
        __tablename__ = 'members'
        id = db.Column(db.Integer, primary_key=True)
        site_id = db.Column(db.Integer, db.ForeignKey('sites.id'))
"""

TICKETS = """\
    from accounts import db


    class Ticket(db.Model):
        __tablename__ = 'tickets'
        id = db.Column(db.Integer, primary_key=True)
        member_id = db.Column(db.Integer, db.ForeignKey('members.id'))
"""


def tree(tmp_path: Path, backup: str = ACCOUNTS) -> Path:
    return write_files(
        tmp_path / "app",
        {
            "accounts.py": ACCOUNTS,
            "accounts_backup.py": backup,
            "tickets.py": TICKETS,
            "views.py": "from accounts import Member\nfrom tickets import Ticket\n",
        },
    )


def test_analyze_reports_the_unimported_duplicate_module(tmp_path: Path) -> None:
    inventory = analyze_repo(tree(tmp_path))
    (found,) = [f for f in inventory.findings if f.rule == "unimported-duplicate-module"]
    assert found.code == "U025" and found.path == "accounts_backup.py"
    assert found.objects == ("accounts_backup", "accounts")
    assert "Member, Site" in found.message


def test_an_imported_or_different_module_is_no_dead_copy(tmp_path: Path) -> None:
    repo = tree(tmp_path, ACCOUNTS.replace("'members'", "'backup_members'"))
    assert not [f for f in analyze_repo(repo).findings if f.code == "U025"]
    repo = tree(tmp_path / "imported")
    (repo / "cli.py").write_text("import accounts_backup\n")
    assert not [f for f in analyze_repo(repo).findings if f.code == "U025"]


def test_the_plan_retires_the_dead_copy_and_build_and_archive_follow(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    assert plan.retired_modules == ("accounts_backup",)
    assert "accounts_backup" not in plan.legacy_modules
    assert plan.merges == ()
    assert {c.source for c in plan.classes} == {
        "accounts.Site",
        "accounts.Member",
        "tickets.Ticket",
    }
    text = render_plan_toml(plan, inventory)
    assert 'retired_modules = ["accounts_backup"]' in text
    (tmp_path / "unify.toml").write_text(text)
    loaded = load_plan(tmp_path / "unify.toml")
    assert loaded.retired_modules == plan.retired_modules
    result = build_modules(repo, inventory, loaded)
    assert [f for f in result.findings if f.severity.value == "error"] == []
    files = archive_stage.module_files(repo, loaded)
    archived = archive_stage.plan_archive(repo, loaded, analyze_repo(repo), files)
    assert "accounts_backup.py" in {m.source for m in archived.moves}
    status = run_unify("status", repo, "--plan", tmp_path / "unify.toml", cwd=tmp_path)
    assert "accounts_backup.py" in status.stdout


def test_a_retired_module_must_not_be_a_source() -> None:
    head = '[unify]\ntarget_module = "m"\ncompat_module = "c"\nlegacy_modules = ["a"]\n'
    try:
        parse_plan(head + 'retired_modules = ["a", "m"]\n')
    except PlanError as exc:
        assert "retired module 'a' is also a legacy module" in str(exc)
        assert "retired module 'm' is the target module" in str(exc)
    else:
        raise AssertionError("accepted")
