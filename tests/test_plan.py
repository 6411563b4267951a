"""The decisions file: proposals, rendering, loading, validation, rename maps, `unify plan`."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from clihelp import run_unify, write_files

from unify.analyze import analyze_repo
from unify.decisions import load_plan, parse_plan, propose_plan, rename_map, render_plan_toml
from unify.errors import InputError, PlanError
from unify.models import Inventory, ModuleMove, Rename, TableRename
from unify.resolve import plan_sections, resolve_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "unify" / "examples" / "seqpt_legacy"
ASSETS = ROOT / "tests" / "assets" / "build"


@pytest.fixture(scope="module")
def example_inventory() -> Inventory:
    return analyze_repo(EXAMPLE)


def test_proposal_round_trips_through_toml(example_inventory: Inventory) -> None:
    proposal = propose_plan(example_inventory)
    text = render_plan_toml(proposal, example_inventory)
    assert parse_plan(text, "p.toml") == dataclasses.replace(proposal, path="p.toml")


def test_proposal_for_the_example_follows_the_plan(example_inventory: Inventory) -> None:
    proposal = propose_plan(example_inventory)
    merges = {m.survivor: m.absorbed for m in proposal.merges}
    # the versioned copy PortalUserV2 is proposed with MVPUser (case 6 of PLANTED.md)
    assert merges["models.User"] == ("mvp_models.MVPUser", "mvp_models.PortalUserV2")
    assert merges["unified_models.Competency"] == ("models.Competency",)
    assert TableRename(old="organizations", new="organization") in proposal.tables
    assert TableRename(old="portal_users_v2", new="users") in proposal.tables
    renames = {(r.legacy_module, r.legacy_name): r.name for r in proposal.renames}
    assert renames == {
        ("models", "SECompetency"): "Competency",
        ("models", "SERole"): "RoleCluster",
        ("unified_models", "CompetencyAssessment"): "CompetencyAssessmentResult",
    }
    types = {(c.table, c.column): c.type for c in proposal.column_types}
    assert types[("maturity_assessments", "organization_id")] == "Integer"
    assert types[("users", "id")] == "Integer"
    user_choices = next(m.choices for m in proposal.merges if m.survivor == "models.User")
    assert {c.member for c in user_choices} >= {"id", "email", "password_hash", "set_password"}
    # the merged id keeps the survivor's type
    assert next(c.take_from for c in user_choices if c.member == "id") == "models.User"
    sections = {c.name: c.section for c in proposal.classes}
    assert sections["TimestampMixin"] == proposal.sections[0]
    assert sections["Organization"] == "unified_models"
    assert sections["PhaseQuestionnaireResponse"] == "models"


def test_the_bundled_decisions_file_loads() -> None:
    plan = load_plan(EXAMPLE / "unify.toml")
    user = next(m for m in plan.merges if m.survivor == "models.User")
    taken = {c.member: c.take_from for c in user.choices}
    assert taken["set_password"] == taken["check_password"] == "mvp_models.MVPUser"
    assert [c.name for c in plan.classes][:4] == [
        "TimestampMixin",
        "Organization",
        "Competency",
        "RoleCluster",
    ]


BROKEN = """\
[unify]
target_module = "models"
compat_module = "models"
legacy_modules = ["models", "mvp_models"]
sections = ["Shared bases", "Users"]
colour = "blue"

[[class]]
source = "models.User"
name = "User"
table = "users"
section = "Nowhere"

[[class]]
source = "mvp_models.MVPUser"
name = "User"
table = "users"

[[merge]]
survivor = "models.Ghost"
absorbed = ["mvp_models.MVPUser"]
survivor_table = "users"
absorbed_tables = ["mvp_users"]
[merge.choices]
email = "other.Module"

[[column_type]]
table = "users"
column = "id"
type = "not a type!"
"""


def test_load_plan_gathers_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "unify.toml"
    path.write_text(BROKEN)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == (
        "line 3: [unify]: compat_module must differ from target_module",
        "line 3: [unify]: compat_module must not be a legacy module",
        "line 6: [unify]: unknown key 'colour' "
        "(known: target_module, compat_module, legacy_modules, legacy_paths, sections, "
        "retired_modules, rewrite_sql, app)",
        "line 12: [[class]] #1: section 'Nowhere' is not one of 'Shared bases', 'Users'",
        "line 14: [[class]] #2: missing key 'section'",
        "line 16: [[class]] #2: name 'User' already used by [[class]] #1",
        "line 17: [[class]] #2: table 'users' already used by [[class]] #1",
        "line 20: [[merge]] #1: survivor models.Ghost has no [[class]] entry",
        "line 21: [[merge]] #1: mvp_models.MVPUser is absorbed, so it must not have its own [[class]] entry",
        "line 25: [[merge]] #1: choice 'email' takes from 'other.Module', which is not one of "
        "models.Ghost, mvp_models.MVPUser",
        "line 30: [[column_type]] #1: type 'not a type!' is not a column type such as Integer or String(36)",
    )
    assert str(caught.value).startswith(f"{path}: 11 problem(s): line 3: ")


def test_load_plan_reports_toml_syntax_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "unify.toml"
    path.write_text('[unify]\ntarget_module = "models\n')
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("not valid TOML: ")
    assert "line 2" in caught.value.problems[0]


def test_rename_map_per_phase(example_inventory: Inventory) -> None:
    plan = resolve_plan(load_plan(EXAMPLE / "unify.toml"), example_inventory)
    compat = rename_map(plan, "compat")
    assert set(compat.moves) == {
        ModuleMove(legacy="mvp_models", target="models_compat"),
        ModuleMove(legacy="unified_models", target="models_compat"),
    }
    # names of the legacy `models` that the unified `models` no longer has
    assert (
        Rename(
            legacy_module="models",
            legacy_name="SECompetency",
            module="models_compat",
            name="SECompetency",
        )
        in compat.renames
    )
    final = rename_map(plan, "final")
    assert ModuleMove(legacy="models_compat", target="models") in final.moves
    expected = {
        ("mvp_models", "MVPUser"): "User",
        ("models_compat", "MVPUser"): "User",
        ("mvp_models", "PortalUserV2"): "User",
        ("models_compat", "PortalUserV2"): "User",
        ("models", "SERole"): "RoleCluster",
        ("unified_models", "CompetencyAssessment"): "CompetencyAssessmentResult",
    }
    found = {(r.legacy_module, r.legacy_name): r.name for r in final.renames}
    assert expected.items() <= found.items()
    assert all(r.module == "models" for r in final.renames)
    assert TableRename(old="mvp_users", new="users") in final.tables
    assert TableRename(old="portal_users_v2", new="users") in final.tables


def test_cli_plan_writes_then_refuses_to_overwrite(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ASSETS / "merge_conflict", repo)
    first = run_unify("plan", str(repo), "-o", "decisions.toml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = (tmp_path / "decisions.toml").read_text()
    assert load_plan(tmp_path / "decisions.toml").merges[0].absorbed == (
        "legacy_accounts.LegacyUser",
    )
    second = run_unify("plan", str(repo), "-o", "decisions.toml", cwd=tmp_path)
    assert second.returncode == 2
    assert (
        second.stderr.strip()
        == "error: decisions.toml: already exists; pass --force to overwrite it"
    )
    (tmp_path / "decisions.toml").write_text("# edited\n")
    forced = run_unify("plan", str(repo), "-o", "decisions.toml", "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert (tmp_path / "decisions.toml").read_text() == written


BASE = "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"


def metric(repr_text: str) -> str:
    return (
        "from sqlalchemy import Column, Integer\nfrom base import Base\n"
        "class Metric(Base):\n    __tablename__ = 'metrics'\n"
        "    id = Column(Integer, primary_key=True)\n"
        f"    def __repr__(self):\n        return {repr_text!r}\n"
    )


def test_a_dunder_method_defined_differently_is_a_proposed_choice(tmp_path: Path) -> None:
    """The build stops on any member both sides define differently, ``__repr__`` included,
    so the plan proposes a choice for it (table keys excepted)."""
    files = {"base.py": BASE, "old_models.py": metric("old"), "new_models.py": metric("new")}
    inventory = analyze_repo(write_files(tmp_path, files))
    (merge,) = propose_plan(inventory).merges
    assert [c.member for c in merge.choices] == ["__repr__"]


def test_a_module_python_cannot_import_is_left_out_of_the_plan(tmp_path: Path) -> None:
    """An alembic revision such as ``versions/90e6_add_tags.py`` is no importable module:
    the plan leaves it out (naming it in a comment) and loads back."""
    files = {
        "base.py": BASE,
        "models.py": metric("m"),
        "versions/__init__.py": "",
        "versions/90e6_add_tags.py": metric("v"),
    }
    inventory = analyze_repo(write_files(tmp_path, files))
    proposal = propose_plan(inventory)
    assert proposal.legacy_modules == ("models",) and proposal.merges == ()
    text = render_plan_toml(proposal, inventory)
    assert "versions.90e6_add_tags" in text
    assert parse_plan(text, "p.toml").legacy_modules == ("models",)


APP = """from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
class Contact{n}(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""


def test_plan_stops_when_two_files_share_a_module_name(tmp_path: Path) -> None:
    """Separate example apps each with ``app/models.py``: one dotted name for several files
    cannot be planned; the error names them and the way out."""
    files = {
        "one/app/__init__.py": "",
        "one/app/models.py": APP.format(n=1),
        "two/app/__init__.py": "",
        "two/app/models.py": APP.format(n=2),
    }
    inventory = analyze_repo(write_files(tmp_path, files))
    with pytest.raises(InputError, match=r"'app.models' .*one/app/models.py.*--models"):
        propose_plan(inventory)
    chosen = analyze_repo(tmp_path, models=("one/app/models.py",))
    assert propose_plan(chosen).legacy_modules == ("app.models",)
    refused = run_unify("plan", str(tmp_path), "-o", "d.toml", cwd=tmp_path)
    assert refused.returncode == 2 and "--models" in refused.stderr
    assert not (tmp_path / "d.toml").exists()
    done = run_unify("plan", str(tmp_path), "-o", "d.toml", "-m", "one/app/models.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [c.source for c in load_plan(tmp_path / "d.toml").classes] == ["app.models.Contact1"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "models.py").write_text(APP.format(n=3))
    wrong = run_unify("build", str(other), "--plan", "d.toml", "--dry-run", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("error: d.toml: legacy_paths one/app/models.py not found")


def test_a_subclass_naming_its_parents_table_is_merged_into_it(tmp_path: Path) -> None:
    """``class MyUser(User): __tablename__ = 'ab_user'`` (Flask-AppBuilder's way to extend
    the user) is one entity with ``User``; a subclass with a table of its own is not."""
    files = {
        "base.py": BASE,
        "sec.py": "from sqlalchemy import Column, Integer\nfrom base import Base\n"
        "class User(Base):\n    __tablename__ = 'ab_user'\n"
        "    id = Column(Integer, primary_key=True)\n",
        "app_models.py": "from sqlalchemy import Column, Integer, ForeignKey\n"
        "from sec import User\n"
        "class MyUser(User):\n    __tablename__ = 'ab_user'\n    extra = Column(Integer)\n"
        "class Admin(User):\n    __tablename__ = 'admin'\n"
        "    id = Column(Integer, ForeignKey('ab_user.id'), primary_key=True)\n",
    }
    inventory = analyze_repo(write_files(tmp_path, files))
    proposal = propose_plan(inventory)
    assert [(m.survivor, m.absorbed) for m in proposal.merges] == [
        ("sec.User", ("app_models.MyUser",))
    ]
    text = render_plan_toml(proposal, inventory)
    assert parse_plan(text, "p.toml").merges == proposal.merges


@pytest.mark.parametrize("option", ["--target", "--compat"])
def test_plan_refuses_a_module_name_its_file_could_not_hold(tmp_path: Path, option: str) -> None:
    repo = write_files(tmp_path / "repo", {"base.py": BASE, "models.py": metric("m")})
    proc = run_unify("plan", str(repo), "-o", "d.toml", option, "9bad", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {option} '9bad': not a dotted module name (e.g. app.models)\n"
    assert not (tmp_path / "d.toml").exists()


def test_a_choice_between_like_columns_shows_their_source(tmp_path: Path) -> None:
    """Both sides summarise as ``column BigInteger``; the comment shows what differs."""
    old = metric("r").replace(
        "    def __repr__", "    ts = Column(Integer, default=1)\n    def __repr__"
    )
    new = old.replace("default=1", "default=2")
    files = {"base.py": BASE, "old_models.py": old, "new_models.py": new}
    inventory = analyze_repo(write_files(tmp_path, files))
    text = render_plan_toml(propose_plan(inventory), inventory)
    (comment,) = [line for line in text.splitlines() if line.startswith("# ts: ")]
    assert "ts = Column(Integer, default=1)" in comment
    assert "ts = Column(Integer, default=2)" in comment


def account(name: str, table: str, columns: str) -> str:
    body = "".join(f"    {c} = Column(Integer)\n" for c in columns.split())
    return (
        f"class {name}(Base):\n    __tablename__ = '{table}'\n"
        f"    id = Column(Integer, primary_key=True)\n{body}"
    )


HEAD = "from sqlalchemy import Column, Integer\nfrom base import Base\n"


@pytest.mark.parametrize(
    ("legacy", "table"),
    [("UserV2", "users_v2"), ("LegacyUser", "users_legacy"), ("ABCUser", "abc_users")],
)
def test_a_class_with_a_version_or_legacy_affix_merges_into_its_original(
    tmp_path: Path, legacy: str, table: str
) -> None:
    """No list of one app's prefixes: the affix is a version word or token, or a leading
    acronym, and the two classes share a column; an affixed class sharing none stays apart."""
    files = {
        "base.py": BASE,
        "models.py": HEAD + account("User", "users", "email age"),
        "old.py": HEAD + account(legacy, table, "email nickname") + account("OldPrice", "p", "x"),
        "prices.py": HEAD + account("Price", "prices", "amount"),
    }
    proposal = propose_plan(analyze_repo(write_files(tmp_path, files)))
    assert [(m.survivor, m.absorbed) for m in proposal.merges] == [
        ("models.User", (f"old.{legacy}",))
    ]
    assert TableRename(old=table, new="users") in proposal.tables
    assert {c.name for c in proposal.classes} == {"User", "OldPrice", "Price"}


def test_proposed_sections_come_from_the_app(tmp_path: Path) -> None:
    """A first section for the shared bases, then one per legacy module in module order; a
    subclass goes no earlier than its base's section."""
    files = {
        "base.py": BASE,
        "a.py": HEAD + "from b import Parent\n"
        "class Mixin:\n    stamp = Column(Integer)\n"
        "class Child(Mixin, Parent):\n    __tablename__ = 'child'\n"
        "    id = Column(Integer, primary_key=True)\n",
        "b.py": HEAD + account("Parent", "parent", "kind"),
    }
    inventory = analyze_repo(write_files(tmp_path, files))
    proposal = propose_plan(inventory)
    first = proposal.sections[0]
    assert proposal.sections == (first, "b")
    assert {c.name: c.section for c in proposal.classes} == {
        "Mixin": first,
        "Parent": "b",
        "Child": "b",
    }
    assert parse_plan(render_plan_toml(proposal, inventory), "p.toml").sections == (first, "b")


def test_sections_are_free_without_a_list_and_checked_with_one() -> None:
    text = (
        '[unify]\ntarget_module = "models"\ncompat_module = "compat"\n'
        'legacy_modules = ["models"]\n{sections}\n'
        '[[class]]\nsource = "models.User"\nname = "User"\ntable = "users"\nsection = "People"\n'
    )
    assert parse_plan(text.format(sections="")).sections == ()
    assert plan_sections(parse_plan(text.format(sections=""))) == ("People",)
    with pytest.raises(PlanError) as caught:
        parse_plan(text.format(sections='sections = ["Setup", "Setup"]'))
    assert caught.value.problems == (
        "line 5: [unify]: section 'Setup' listed twice",
        "line 10: [[class]] #1: section 'People' is not one of 'Setup', 'Setup'",
    )


def test_a_top_level_target_for_a_packaged_app_comes_with_a_hint(tmp_path: Path) -> None:
    """Legacy modules that all live in one package (``shop.orders.models``, ``shop.users.models``)
    and the default top-level target ``models``: the file says where a module inside the
    package would go, and how to ask for it; a flat app (the bundled example) gets no hint."""
    db = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"
    order = "from shop.db import db\nclass Order(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    user = "from shop.db import db\nclass Member(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
    repo = write_files(
        tmp_path / "repo",
        {
            "shop/__init__.py": "",
            "shop/db.py": db,
            "shop/orders/__init__.py": "",
            "shop/orders/models.py": order,
            "shop/users/__init__.py": "",
            "shop/users/models.py": user,
        },
    )
    inventory = analyze_repo(repo)
    text = render_plan_toml(propose_plan(inventory), inventory)
    assert '#   target_module = "shop.models_unified"' in text
    assert '#   compat_module = "shop.models_compat"' in text
    assert 'target_module = "models"' in text  # the proposal itself is unchanged
    inside = propose_plan(inventory, target_module="shop.models_unified")
    assert "#   target_module" not in render_plan_toml(inside, inventory)


def test_a_flat_app_gets_no_target_hint(example_inventory: Inventory) -> None:
    text = render_plan_toml(propose_plan(example_inventory), example_inventory)
    assert "#   target_module" not in text
