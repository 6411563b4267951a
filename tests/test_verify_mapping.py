"""verify judges a restored database by the data mapping the migration applies, and the two
agree: a renamed table is checked under its old name (its own foreign keys, and as the parent
of others), and the orphans verify counts are the rows that make the migration fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import run_unify
from pgtools import admin
from sqlalchemy.engine import URL

from unify import db

pytestmark = pytest.mark.postgres

MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Owner(Base):
    __tablename__ = "owner"
    id = sa.Column(sa.Integer, primary_key=True)


class Item(Base):
    __tablename__ = "item"
    id = sa.Column(sa.Integer, primary_key=True)
    owner_id = sa.Column(sa.Integer, sa.ForeignKey("owner.id"))
"""

PLAN = """\
[unify]
target_module = "models"
compat_module = "models_compat"
legacy_modules = ["old_models"]

[[table_rename]]
old = "{old}"
new = "{new}"

[[class]]
source = "old_models.Owner"
name = "Owner"
table = "owner"
section = "Entities"

[[class]]
source = "old_models.Item"
name = "Item"
table = "item"
section = "Entities"
"""


@pytest.mark.parametrize(("old", "new"), [("items", "item"), ("owners", "owner")])
def test_a_renamed_table_is_checked_under_its_old_name(
    tmp_path: Path, pg_database: URL, old: str, new: str
) -> None:
    (tmp_path / "models.py").write_text(MODELS, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(PLAN.format(old=old, new=new), encoding="utf-8")
    owner, item = ("owners", "item") if new == "owner" else ("owner", "items")
    admin(
        pg_database,
        f"CREATE TABLE {owner} (id integer PRIMARY KEY)",
        f"CREATE TABLE {item} (id integer PRIMARY KEY, owner_id integer)",
        f"INSERT INTO {owner} SELECT generate_series(1, 12)",
        f"INSERT INTO {item} SELECT g, g FROM generate_series(1, 112) AS g",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    plan = tmp_path / "unify.toml"
    verified = run_unify(
        "verify", tmp_path, "--plan", plan, "--database-url", url, "--format", "json"
    )
    assert verified.returncode == 1, verified.stdout + verified.stderr
    orphans = [f for f in json.loads(verified.stdout)["findings"] if f["rule"] == "orphaned-rows"]
    assert [(f["table"], f["column"], f["count"]) for f in orphans] == [(item, "owner_id", 100)]
    # the migration agrees: it stops on the same rows, and nothing changes
    migrated = run_unify(
        "migrate",
        tmp_path,
        "--plan",
        plan,
        "--database-url",
        url,
        "--revision-dir",
        tmp_path / "versions",
        "--apply",
    )
    assert migrated.returncode == 1, migrated.stdout + migrated.stderr
    assert f"{item}.owner_id: 100 row(s) whose value matches no row" in migrated.stdout
    engine = sa.create_engine(pg_database)
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {owner, item}
    engine.dispose()
    # with a policy, verify warns and the migration carries the rows it keeps
    plan.write_text(
        plan.read_text(encoding="utf-8")
        + '\n[[orphans]]\ntable = "item"\ncolumn = "owner_id"\npolicy = "delete"\n',
        encoding="utf-8",
    )
    ready = run_unify("verify", tmp_path, "--plan", plan, "--database-url", url)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "V308 [orphans-by-policy]" in ready.stdout and "deletes these rows" in ready.stdout
    for revision in (tmp_path / "versions").glob("*.py"):
        revision.unlink()
    done = run_unify(
        "migrate",
        tmp_path,
        "--plan",
        plan,
        "--database-url",
        url,
        "--revision-dir",
        tmp_path / "versions",
        "--apply",
        "--ledger",
        tmp_path / "ledger.json",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ledger = {r["legacy"]: r for r in json.loads((tmp_path / "ledger.json").read_text())["ledger"]}
    assert ledger[item]["before"] == 112 and ledger[item]["deleted"] == 100
    assert ledger[item]["carried"] == 12 and ledger[item]["balanced"]


def test_objects_naming_a_moved_table_are_listed(tmp_path: Path, pg_database: URL) -> None:
    (tmp_path / "models.py").write_text(MODELS, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(PLAN.format(old="items", new="item"), encoding="utf-8")
    admin(
        pg_database,
        "CREATE TABLE owner (id integer PRIMARY KEY)",
        "CREATE TABLE items (id integer PRIMARY KEY, owner_id integer)",
        "CREATE VIEW open_items AS SELECT id FROM items",
        "CREATE FUNCTION items_total() RETURNS bigint LANGUAGE sql AS "
        "$$ SELECT count(*) FROM items $$",
        # names that only contain the table's name are not uses of it
        "CREATE TABLE audit (id serial PRIMARY KEY, n integer CHECK (n >= 0 AND items_total() >= 0))",
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE TRIGGER items_stamp BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION stamp()",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    verified = run_unify(
        "verify",
        tmp_path,
        "--plan",
        tmp_path / "unify.toml",
        "--database-url",
        url,
        "--format",
        "json",
    )
    listed = sorted(
        sample
        for f in json.loads(verified.stdout)["findings"]
        if f["rule"] == "legacy-dependent-object"
        for sample in f["samples"]
    )
    assert listed == [
        "items_stamp on items (items)",
        "items_total (items)",
        "open_items (items)",
    ]


MERGED_MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Member(Base):
    __tablename__ = "members"
    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(40), unique=True)
    email = sa.Column(sa.String(80), unique=True)
"""

MERGED_PLAN = """\
[unify]
target_module = "models"
compat_module = "models_compat"
legacy_modules = ["old_models", "portal_models"]

[[class]]
source = "old_models.Member"
name = "Member"
table = "members"
section = "Entities"

[[merge]]
survivor = "old_models.Member"
absorbed = ["portal_models.PortalMember"]
survivor_table = "members"
absorbed_tables = ["portal_members"]
match = ["email"]
"""


def test_a_merge_folds_by_its_match_and_warns_of_case_only_duplicates(
    tmp_path: Path, pg_database: URL
) -> None:
    (tmp_path / "models.py").write_text(MERGED_MODELS, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(MERGED_PLAN, encoding="utf-8")
    admin(
        pg_database,
        "CREATE TABLE members (id integer PRIMARY KEY, username varchar(40) UNIQUE, "
        "email varchar(80) UNIQUE)",
        "CREATE TABLE portal_members (id varchar(36) PRIMARY KEY, username varchar(40), "
        "email varchar(80))",
        "INSERT INTO members VALUES (1, 'ann', 'ann@example.org'), (2, 'bo', 'bo@example.org')",
        # Bo again under another username (folds, by e-mail in any case); Ann in capitals (kept)
        "INSERT INTO portal_members VALUES ('u1', 'bobby', 'BO@example.org'), "
        "('u2', 'Ann', 'ann.b@example.org')",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    verified = run_unify(
        "verify",
        tmp_path,
        "--plan",
        tmp_path / "unify.toml",
        "--database-url",
        url,
        "--format",
        "json",
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    found = {
        (f["rule"], f["column"]): (f["severity"], f["count"], f["samples"])
        for f in json.loads(verified.stdout)["findings"]
        if f["rule"] in ("merge-fold", "case-duplicate", "merge-collision")
    }
    assert found == {
        ("merge-fold", "email"): ("warning", 1, ["BO@example.org"]),
        ("case-duplicate", "username"): ("warning", 1, ["Ann"]),
    }


def test_a_not_null_column_merged_rows_cannot_fill_blocks_both(
    tmp_path: Path, pg_database: URL
) -> None:
    models = MERGED_MODELS.replace(
        "username = sa.Column(sa.String(40), unique=True)",
        "username = sa.Column(sa.String(40), unique=True, nullable=False)",
    )
    (tmp_path / "models.py").write_text(models, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(MERGED_PLAN, encoding="utf-8")
    admin(
        pg_database,
        "CREATE TABLE members (id integer PRIMARY KEY, username varchar(40) NOT NULL UNIQUE, "
        "email varchar(80) UNIQUE)",
        "CREATE TABLE portal_members (id varchar(36) PRIMARY KEY, email varchar(80))",
        "INSERT INTO members VALUES (1, 'ann', 'ann@example.org')",
        "INSERT INTO portal_members VALUES ('u1', 'cy@example.org'), ('u2', 'di@example.org')",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    plan = tmp_path / "unify.toml"
    verified = run_unify(
        "verify", tmp_path, "--plan", plan, "--database-url", url, "--format", "json"
    )
    assert verified.returncode == 1, verified.stdout + verified.stderr
    errors = [
        (f["rule"], f["table"], f["column"], f["count"])
        for f in json.loads(verified.stdout)["findings"]
        if f["severity"] == "error"
    ]
    assert errors == [("not-null-violation", "portal_members", "username", 2)]
    migrated = run_unify(
        "migrate",
        tmp_path,
        "--plan",
        plan,
        "--database-url",
        url,
        "--revision-dir",
        tmp_path / "versions",
        "--apply",
    )
    assert migrated.returncode == 1, migrated.stdout + migrated.stderr
    assert "ROLLED BACK" in migrated.stdout and "username" in migrated.stdout


TWO_MERGED_PLAN = MERGED_PLAN.replace(
    'legacy_modules = ["old_models", "portal_models"]',
    'legacy_modules = ["old_models", "portal_models", "guest_models"]',
).replace(
    'absorbed = ["portal_models.PortalMember"]\nsurvivor_table = "members"\n'
    'absorbed_tables = ["portal_members"]',
    'absorbed = ["portal_models.PortalMember", "guest_models.GuestMember"]\n'
    'survivor_table = "members"\nabsorbed_tables = ["portal_members", "guest_members"]',
)

TWO_MERGED_TABLES = (
    "CREATE TABLE members (id integer PRIMARY KEY, username varchar(40) UNIQUE, "
    "email varchar(80) UNIQUE)",
    "CREATE TABLE portal_members (id varchar(36) PRIMARY KEY, username varchar(40), "
    "email varchar(80))",
    "CREATE TABLE guest_members (id varchar(36) PRIMARY KEY, username varchar(40), "
    "email varchar(80))",
    "INSERT INTO members VALUES (1, 'ann', 'ann@example.org'), (2, 'bo', 'bo@example.org')",
    # Bo under another username (folds into members 2); Cy, a new member
    "INSERT INTO portal_members VALUES ('u1', 'bobby', 'BO@example.org'), "
    "('u2', 'cy', 'cy@example.org')",
)


def verify_json(repo: Path, url: str) -> tuple[int, list[dict[str, object]]]:
    verified = run_unify(
        "verify", repo, "--plan", repo / "unify.toml", "--database-url", url, "--format", "json"
    )
    return verified.returncode, json.loads(verified.stdout)["findings"]


def test_two_absorbed_tables_fold_as_verify_counts_them(tmp_path: Path, pg_database: URL) -> None:
    (tmp_path / "models.py").write_text(MERGED_MODELS, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(TWO_MERGED_PLAN, encoding="utf-8")
    admin(
        pg_database,
        *TWO_MERGED_TABLES,
        # Cy again (folds into the portal's Cy), Ann again (folds into members 1), Dee (new);
        # CY differs from the portal's cy only in case (both kept)
        "INSERT INTO guest_members VALUES ('g1', 'cyril', 'CY@example.org'), "
        "('g2', 'ann2', 'Ann@example.org'), ('g3', 'dee', 'dee@example.org'), "
        "('g4', 'CY', 'cy.b@example.org')",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    code, findings = verify_json(tmp_path, url)
    assert code == 0, findings
    found = {
        (f["rule"], f["table"], f["column"]): (f["count"], f["samples"])
        for f in findings
        if f["rule"] in ("merge-fold", "case-duplicate", "merge-collision")
    }
    assert found == {
        ("merge-fold", "portal_members", "email"): (1, ["BO@example.org"]),
        ("merge-fold", "guest_members", "email"): (2, ["Ann@example.org", "CY@example.org"]),
        ("case-duplicate", "guest_members", "username"): (1, ["CY"]),
    }
    ledger = tmp_path / "ledger.json"
    migrated = run_unify(
        "migrate",
        tmp_path,
        "--plan",
        tmp_path / "unify.toml",
        "--database-url",
        url,
        "--revision-dir",
        tmp_path / "versions",
        "--apply",
        "--ledger",
        ledger,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    folded = {r["legacy"]: r["folded"] for r in json.loads(ledger.read_text())["ledger"]}
    assert folded == {"members": 0, "portal_members": 1, "guest_members": 2}
    engine = sa.create_engine(pg_database)
    try:
        with engine.connect() as conn:
            members = dict(conn.execute(sa.text("SELECT username, id FROM members")).all())
    finally:
        engine.dispose()
    # cyril and ann2 are not carried: they folded into cy and ann
    assert members == {"ann": 1, "bo": 2, "cy": 3, "dee": 4, "CY": 5}


def test_a_clash_between_two_absorbed_tables_is_an_error_and_stops_the_migration(
    tmp_path: Path, pg_database: URL
) -> None:
    (tmp_path / "models.py").write_text(MERGED_MODELS, encoding="utf-8")
    (tmp_path / "unify.toml").write_text(TWO_MERGED_PLAN, encoding="utf-8")
    admin(
        pg_database,
        *TWO_MERGED_TABLES,
        # cy is the portal's username already; bobby is not carried (the portal's bobby folds)
        "INSERT INTO guest_members VALUES ('g1', 'cy', 'cy.two@example.org'), "
        "('g2', 'bobby', 'bobby@example.org')",
    )
    url = db.parse_url(pg_database).render_as_string(hide_password=False)
    code, findings = verify_json(tmp_path, url)
    assert code == 1, findings
    errors = [
        (f["rule"], f["table"], f["column"], f["count"], f["samples"])
        for f in findings
        if f["severity"] == "error"
    ]
    assert errors == [("merge-collision", "guest_members", "username", 1, ["cy"])]
    migrated = run_unify(
        "migrate",
        tmp_path,
        "--plan",
        tmp_path / "unify.toml",
        "--database-url",
        url,
        "--revision-dir",
        tmp_path / "versions",
        "--apply",
    )
    assert migrated.returncode == 1, migrated.stdout + migrated.stderr
    assert "ROLLED BACK" in migrated.stdout
