"""`unify build`: a member both sides of a merge define differently never vanishes silently.

The side the plan names wins; the other side's member is reported with the files that call it
(B012), or kept under a new name when the choice says ``keep-both:NAME``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.build import build_modules, run_build
from unify.decisions import load_plan, parse_plan, propose_plan, render_plan_toml
from unify.errors import PlanError
from unify.models import BuildResult

SHOP = """\
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class Client(db.Model):
        __tablename__ = 'clients'
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(120))
        phone = db.Column(db.String(20))

        def to_dict(self):
            return {'id': self.id, 'email': self.email}

        def __repr__(self):
            return f'<Client {self.id}>'
"""

OLD_SHOP = """\
    from shop import db


    class OldClient(db.Model):
        __tablename__ = 'old_clients'
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(120))
        phone = db.Column(db.String(20))

        def to_dict(self):
            return {'client_id': self.id, 'mail': self.email, 'phone': self.phone}

        def __repr__(self):
            return f'<OldClient {self.email}>'
"""

VIEWS = """\
    from old_shop import OldClient


    def export(session):
        return [OldClient.to_dict(c) for c in session.query(OldClient)]
"""


def shop_repo(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "shop", {"shop.py": SHOP, "old_shop.py": OLD_SHOP, "views.py": VIEWS}
    )


def plan_text(repo: Path) -> str:
    inventory = analyze_repo(repo)
    return render_plan_toml(propose_plan(inventory), inventory)


def build_with(repo: Path, text: str) -> BuildResult:
    path = repo.parent / "unify.toml"
    path.write_text(text)
    return build_modules(repo, analyze_repo(repo), load_plan(path))


def test_the_plan_lists_the_conflicting_methods_and_documents_keep_both(tmp_path: Path) -> None:
    text = plan_text(shop_repo(tmp_path))
    assert '[merge.choices]\n' in text
    assert 'to_dict = "shop.Client"' in text and '__repr__ = "shop.Client"' in text
    assert 'keep-both:' in text  # the comment says how to keep the other side too


def test_a_dropped_member_is_reported_with_its_callers(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    result = build_with(repo, plan_text(repo))
    dropped = {f.objects: f for f in result.findings if f.code == "B012"}
    assert sorted(dropped) == [
        ("Client", "__repr__", "old_shop.OldClient"),
        ("Client", "to_dict", "old_shop.OldClient"),
    ]
    message = dropped[("Client", "to_dict", "old_shop.OldClient")].message
    assert "views.py:5" in message
    assert 'to_dict = "shop.Client keep-both:' in message
    assert "no caller" in dropped[("Client", "__repr__", "old_shop.OldClient")].message


def test_keep_both_keeps_the_other_side_under_a_new_name(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    text = plan_text(repo).replace(
        'to_dict = "shop.Client"', 'to_dict = "shop.Client keep-both:legacy_to_dict"'
    )
    path = repo.parent / "unify.toml"
    path.write_text(text)
    result = run_build(repo, analyze_repo(repo), load_plan(path))
    assert [f for f in result.findings if f.severity.value == "error"] == []
    reported = sorted((f.severity.value, f.objects) for f in result.findings if f.code == "B012")
    assert reported == [
        ("info", ("Client", "to_dict", "old_shop.OldClient")),
        ("warning", ("Client", "__repr__", "old_shop.OldClient")),
    ]
    kept = next(f.message for f in result.findings if "to_dict" in f.objects)
    assert "kept as Client.legacy_to_dict" in kept and "views.py:5" in kept
    unified = next(f.text for f in result.files if f.role == "unified")
    (repo / "models.py").write_text(unified)
    script = (
        "import models\n"
        "c = models.Client(id=1, email='a@b', phone='1')\n"
        "print(sorted(c.to_dict()), sorted(c.legacy_to_dict()))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=False
    )
    assert run.stdout.strip() == "['email', 'id'] ['client_id', 'mail', 'phone']", run.stderr


def test_keep_both_may_name_the_absorbed_side_as_winner(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    text = plan_text(repo).replace(
        'to_dict = "shop.Client"', 'to_dict = "old_shop.OldClient keep-both:short_dict"'
    )
    result = build_with(repo, text)
    unified = next(f.text for f in result.files if f.role == "unified")
    assert "def to_dict(self):\n        return {'client_id'" in unified
    assert "def short_dict(self):\n        return {'id'" in unified


def test_keep_both_is_read_back_and_checked() -> None:
    head = '[unify]\ntarget_module = "m"\ncompat_module = "c"\nlegacy_modules = ["a", "b"]\n'
    classes = '[[class]]\nsource = "a.X"\nname = "X"\ntable = "x"\nsection = "s"\n'
    merge = (
        '[[merge]]\nsurvivor = "a.X"\nabsorbed = ["b.Y"]\nsurvivor_table = "x"\n'
        'absorbed_tables = ["y"]\n[merge.choices]\n'
    )
    plan = parse_plan(head + classes + merge + 'f = "keep-both:old_f"\ng = "b.Y keep-both:g2"\n')
    choices = {c.member: (c.take_from, c.keep_as) for c in plan.merges[0].choices}
    assert choices == {"f": ("a.X", "old_f"), "g": ("b.Y", "g2")}
    for bad, why in (
        ('f = "a.X keep-both:2bad"', "not a Python identifier"),
        ('f = "a.X keep-both:f"', "must differ from the member"),
        ('f = "a.X keep:x"', "which is not one of a.X, b.Y"),
    ):
        try:
            parse_plan(head + classes + merge + bad + "\n")
        except PlanError as exc:
            assert why in str(exc), str(exc)
        else:
            raise AssertionError(bad)


def test_a_kept_name_is_rendered_and_loads_back(tmp_path: Path) -> None:
    from dataclasses import replace

    repo = shop_repo(tmp_path)
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    merge = plan.merges[0]
    choices = tuple(
        replace(c, keep_as="legacy_to_dict") if c.member == "to_dict" else c
        for c in merge.choices
    )
    plan = replace(plan, merges=(replace(merge, choices=choices),))
    text = render_plan_toml(plan, inventory)
    assert 'to_dict = "shop.Client keep-both:legacy_to_dict"' in text
    assert parse_plan(text).merges == plan.merges
