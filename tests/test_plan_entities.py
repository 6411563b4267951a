"""`unify plan`: one entity behind classes whose names differ by affixes of any kind.

A name is compared after stripping version and legacy words (V2, New, Old, Legacy, Tmp) and
any one leading or trailing word; a match by an arbitrary word needs more evidence (shared
columns and identical methods) than a match by a version word.
"""

from __future__ import annotations

from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.decisions import propose_plan
from unify.models import ColumnTypeDecision, TableRename
from unify.vocabulary import absolute_module, package_of, strip_affixes

PASSWORDS = """\

        def set_password(self, password):
            self.password_hash = generate_password_hash(password)

        def check_password(self, password):
            return check_password_hash(self.password_hash, password)
"""

ACCOUNTS = (
    """\
    from flask_sqlalchemy import SQLAlchemy
    from werkzeug.security import check_password_hash, generate_password_hash

    db = SQLAlchemy()


    class User(db.Model):
        __tablename__ = 'users'
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(120), unique=True)
        password_hash = db.Column(db.String(256))
        site_id = db.Column(db.Integer)
        display_name = db.Column(db.String(80))
"""
    + PASSWORDS
    + """

    class Note(db.Model):
        __tablename__ = 'notes'
        id = db.Column(db.Integer, primary_key=True)
        site_id = db.Column(db.Integer)
        body = db.Column(db.Text)
"""
)

PORTAL = (
    """\
    import uuid

    from werkzeug.security import check_password_hash, generate_password_hash

    from accounts import db


    class PortalUserV2(db.Model):
        __tablename__ = 'portal_users_v2'
        id = db.Column(db.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
        email = db.Column(db.String(120), unique=True)
        password_hash = db.Column(db.String(256))
        site_id = db.Column(db.Integer)
        last_login = db.Column(db.DateTime)
"""
    + PASSWORDS
    + """

    class PortalSession(db.Model):
        __tablename__ = 'portal_sessions'
        id = db.Column(db.Integer, primary_key=True)
        user_id = db.Column(db.String(36), db.ForeignKey('portal_users_v2.id'))


    class UserNote(db.Model):
        __tablename__ = 'user_notes'
        id = db.Column(db.Integer, primary_key=True)
        site_id = db.Column(db.Integer)
        text = db.Column(db.Text)
"""
)


def test_strip_affixes_strips_version_words_and_any_one_word() -> None:
    strong = {rest for rest, _ in strip_affixes("PortalUserV2")}
    assert strong == {"PortalUser"}
    loose = {rest for rest, _ in strip_affixes("PortalUserV2", any_word=True)}
    assert {"PortalUser", "User", "UserV2"} <= loose
    assert {rest for rest, _ in strip_affixes("LegacyUserTmp")} >= {"User"}
    assert {rest for rest, _ in strip_affixes("MvpUser", any_word=True)} == {"User", "Mvp"}


def test_a_versioned_class_with_another_prefix_merges_with_the_survivors_key(
    tmp_path: Path,
) -> None:
    repo = write_files(tmp_path / "app", {"accounts.py": ACCOUNTS, "portal.py": PORTAL})
    inventory = analyze_repo(repo)
    duplicates = [f.objects for f in inventory.findings if f.rule == "duplicate-model"]
    assert duplicates == [("accounts.User", "portal.PortalUserV2")]
    plan = propose_plan(inventory)
    assert [(m.survivor, m.absorbed) for m in plan.merges] == [
        ("accounts.User", ("portal.PortalUserV2",))
    ]
    assert TableRename(old="portal_users_v2", new="users") in plan.tables
    types = {(c.table, c.column): c.type for c in plan.column_types}
    assert types[("users", "id")] == "Integer"  # the survivor's key type
    assert types[("portal_sessions", "user_id")] == "Integer"
    # a class sharing one column and no method with another stays apart
    assert {c.name for c in plan.classes} >= {"User", "Note", "UserNote", "PortalSession"}


def test_the_survivors_key_type_wins_even_when_it_is_the_string(tmp_path: Path) -> None:
    """The survivor (the class without an affix) keeps its own key type: no fixed Integer."""
    accounts = ACCOUNTS.replace(
        "id = db.Column(db.Integer, primary_key=True)\n        email",
        "id = db.Column(db.String(36), primary_key=True)\n        email",
    )
    portal = PORTAL.replace(
        "id = db.Column(db.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))",
        "id = db.Column(db.Integer, primary_key=True)",
    ).replace("db.String(36), db.ForeignKey", "db.Integer, db.ForeignKey")
    repo = write_files(tmp_path / "app", {"accounts.py": accounts, "portal.py": portal})
    plan = propose_plan(analyze_repo(repo))
    assert ColumnTypeDecision(table="users", column="id", type="String(36)") in plan.column_types
    assert (
        ColumnTypeDecision(table="portal_sessions", column="user_id", type="String(36)")
        in plan.column_types
    )


def test_no_merge_is_proposed_when_one_class_references_the_others_table(
    tmp_path: Path,
) -> None:
    portal = PORTAL.replace(
        "        last_login = db.Column(db.DateTime)\n",
        "        last_login = db.Column(db.DateTime)\n"
        "        migrated_from_id = db.Column(db.Integer, db.ForeignKey('users.id'))\n",
    )
    repo = write_files(tmp_path / "app", {"accounts.py": ACCOUNTS, "portal.py": portal})
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    assert plan.merges == ()
    assert {c.name for c in plan.classes} >= {"User", "PortalUserV2"}
    # analyze agrees: not a duplicate-model pair
    assert [f.objects for f in inventory.findings if f.rule == "duplicate-model"] == []


def test_no_merge_is_proposed_when_a_table_references_both_classes_tables(
    tmp_path: Path,
) -> None:
    portal = PORTAL.replace(
        "        user_id = db.Column(db.String(36), db.ForeignKey('portal_users_v2.id'))\n",
        "        user_id = db.Column(db.String(36), db.ForeignKey('portal_users_v2.id'))\n"
        "        account_id = db.Column(db.Integer, db.ForeignKey('users.id'))\n",
    )
    repo = write_files(tmp_path / "app", {"accounts.py": ACCOUNTS, "portal.py": portal})
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    assert plan.merges == ()
    assert [f.objects for f in inventory.findings if f.rule == "duplicate-model"] == []


def test_relative_imports_name_their_absolute_module() -> None:
    """One reading of ``from ..x import y`` for every part of the build that follows imports."""
    assert package_of("shop.models", False) == "shop"
    assert package_of("shop", True) == "shop"
    assert package_of("models", False) == ""
    assert absolute_module("shop", "db", 1) == "shop.db"
    assert absolute_module("shop.admin", None, 2) == "shop"
    assert absolute_module("shop", "db", 0) == "db"
    assert absolute_module("shop", "db", 2) is None  # above the top-level package
    assert absolute_module("", "db", 1) is None  # a top-level module has no package


# Two pairs from a forum app: names that match once a word is stripped (``SettingsGroup``
# and ``Group``; ``TopicsRead`` and ``ForumsRead``, both ``Read``), sharing their few data
# columns, but keyed by other columns: other entities, not copies of one.
FORUM_GROUPS = """\
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class Group(db.Model):
        __tablename__ = 'groups'
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(255), unique=True, nullable=False)
        description = db.Column(db.Text, nullable=True)
        admin = db.Column(db.Boolean, default=False, nullable=False)
        banned = db.Column(db.Boolean, default=False, nullable=False)


    class TopicsRead(db.Model):
        __tablename__ = 'topicsread'
        user_id = db.Column(db.Integer, primary_key=True)
        topic_id = db.Column(db.Integer, primary_key=True)
        forum_id = db.Column(db.Integer, primary_key=True)
        last_read = db.Column(db.DateTime, nullable=False)


    class ForumsRead(db.Model):
        __tablename__ = 'forumsread'
        user_id = db.Column(db.Integer, primary_key=True)
        forum_id = db.Column(db.Integer, primary_key=True)
        last_read = db.Column(db.DateTime, nullable=False)
        cleared = db.Column(db.DateTime, nullable=True)
"""

FORUM_SETTINGS = """\
    from groups import db


    class SettingsGroup(db.Model):
        __tablename__ = 'settingsgroup'
        key = db.Column(db.String(255), primary_key=True)
        name = db.Column(db.String(255), nullable=False)
        description = db.Column(db.Text, nullable=False)
        settings = db.relationship('Setting', lazy='dynamic', backref='group')


    class Setting(db.Model):
        __tablename__ = 'settings'
        key = db.Column(db.String(255), primary_key=True)
        value = db.Column(db.Text, nullable=False)
        settingsgroup = db.Column(db.String(255), db.ForeignKey('settingsgroup.key'))
"""


def test_classes_keyed_by_other_columns_are_not_merged_on_a_loose_name(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "app", {"groups.py": FORUM_GROUPS, "settings.py": FORUM_SETTINGS})
    inventory = analyze_repo(repo)
    assert [f.objects for f in inventory.findings if f.rule == "duplicate-model"] == []
    plan = propose_plan(inventory)
    assert plan.merges == ()
    assert plan.tables == ()
    assert {c.name for c in plan.classes} >= {"Group", "SettingsGroup", "TopicsRead", "ForumsRead"}


def test_a_loose_name_with_the_same_key_columns_still_merges(tmp_path: Path) -> None:
    """The key's type may differ (``String(36)`` against ``Integer``): its columns do not."""
    portal = FORUM_SETTINGS.replace(
        "key = db.Column(db.String(255), primary_key=True)\n        name",
        "id = db.Column(db.String(36), primary_key=True)\n        name",
    ).replace("db.ForeignKey('settingsgroup.key')", "db.ForeignKey('settingsgroup.id')")
    repo = write_files(tmp_path / "app", {"groups.py": FORUM_GROUPS, "settings.py": portal})
    plan = propose_plan(analyze_repo(repo))
    assert [(m.survivor, m.absorbed) for m in plan.merges] == [
        ("groups.Group", ("settings.SettingsGroup",))
    ]


FILTERS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class SearchFilterGroup(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    list_type = db.Column(db.String(80), nullable=False)
    entity_type = db.Column(db.String(80))
    name = db.Column(db.String(200), nullable=False)
    is_shared = db.Column(db.Boolean, default=False)
    color = db.Column(db.String(8))


class SearchFilter(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    list_type = db.Column(db.String(80), nullable=False)
    entity_type = db.Column(db.String(80))
    name = db.Column(db.String(200), nullable=False)
    is_shared = db.Column(db.Boolean, default=False)
    search_query = db.Column(db.String(500))
    search_filter_group_id = db.Column(db.Integer, db.ForeignKey("search_filter_group.id"))
"""


def test_a_class_referencing_the_other_is_not_merged_when_both_tables_are_derived(
    tmp_path: Path,
) -> None:
    """Flask-SQLAlchemy names both tables after the classes (no ``__tablename__``): the
    foreign key from ``search_filter`` to ``search_filter_group`` still tells them apart (Zou
    1.0.97: the filter and the group of filters were proposed as one entity)."""
    repo = write_files(tmp_path / "app", {"filters.py": FILTERS})
    inventory = analyze_repo(repo)
    plan = propose_plan(inventory)
    assert plan.merges == ()
    assert {c.name for c in plan.classes} >= {"SearchFilter", "SearchFilterGroup"}
    assert [f.objects for f in inventory.findings if f.rule == "duplicate-model"] == []
