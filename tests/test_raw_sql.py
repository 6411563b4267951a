"""Raw SQL in code naming a model's table: analyze lists it (U021), rewrite reports the strings
naming a table the plan renames or merges (R013) and edits their exact table identifiers only
when the plan asks (``rewrite_sql = true``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from clihelp import write_files

from unify.analyze import analyze_repo
from unify.decisions import parse_plan, propose_plan, rename_map, render_plan_toml
from unify.models import ModuleMove, RenameMap, Rewritten, TableMove
from unify.report.rewrite import all_findings
from unify.resolve import resolve_plan
from unify.rewrite_imports import rewrite_repo

DB = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
MODELS = (
    DB
    + """
class Member(db.Model):
    __tablename__ = "members"
    id = db.Column(db.Integer, primary_key=True)
"""
)
PORTAL = """
from models import db


class PortalMember(db.Model):
    __tablename__ = "portal_members"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120))
"""
QUERIES = '''
"""Queries on portal_members: SELECT email FROM portal_members (a docstring)."""
from sqlalchemy import text

from models import db

# SELECT id FROM portal_members (a comment)


def emails():
    return db.session.execute(text("SELECT id, email FROM portal_members WHERE email = :email"))


def lower(op):
    op.execute('UPDATE "portal_members" SET email = lower(email)')


def forget(engine, uid):
    engine.execute(f"DELETE FROM portal_members WHERE id = {uid}")


def others(engine):
    engine.execute("SELECT 'portal_members' FROM portal_members_archive")
    return "portal_members"


JOINED = """
    SELECT m.id
    FROM members m JOIN portal_members p ON p.id = m.id
"""
'''
FILES = {"models.py": MODELS, "portal_models.py": PORTAL, "queries.py": QUERIES}


def test_analyze_lists_sql_naming_a_model_table(tmp_path: Path) -> None:
    inventory = analyze_repo(write_files(tmp_path, FILES))
    found = {(r.path, r.line): (r.tables, r.columns, r.formatted) for r in inventory.sql_references}
    assert found == {
        ("queries.py", 11): (("portal_members",), ("email", "id"), False),
        ("queries.py", 15): (("portal_members",), ("email",), False),
        ("queries.py", 19): (("portal_members",), ("id",), True),
        ("queries.py", 27): (("members", "portal_members"), ("id",), False),
    }
    lines = {f.line for f in inventory.findings if f.rule == "raw-sql-legacy-table"}
    assert lines == {11, 15, 19, 27}


MAP = RenameMap(
    moves=(ModuleMove(legacy="portal_models", target="models"),),
    table_moves=(TableMove(legacy="portal_members", unified="members", merged=True),),
)


def test_rewrite_reports_sql_naming_a_moved_table_and_keeps_it(tmp_path: Path) -> None:
    repo = write_files(tmp_path, FILES)
    result = rewrite_repo(repo, MAP, jobs=1)
    found = {(f.path, f.line) for f in all_findings(result) if f.rule == "raw-sql-renamed-table"}
    assert found == {("queries.py", line) for line in (11, 15, 19, 27)}
    assert "queries.py" not in {o.path for o in result.outcomes if isinstance(o, Rewritten)}


def test_rewrite_sql_edits_exact_table_identifiers_only(tmp_path: Path) -> None:
    repo = write_files(tmp_path, FILES)
    result = rewrite_repo(
        repo, RenameMap(moves=MAP.moves, table_moves=MAP.table_moves, rewrite_sql=True), jobs=1
    )
    new = next(
        o.new_text for o in result.outcomes if isinstance(o, Rewritten) and o.path == "queries.py"
    )
    assert 'text("SELECT id, email FROM members WHERE email = :email")' in new
    assert "op.execute('UPDATE \"members\" SET email = lower(email)')" in new
    assert 'f"DELETE FROM portal_members WHERE id = {uid}"' in new  # f-strings: reported only
    assert "\"SELECT 'portal_members' FROM portal_members_archive\"" in new
    assert 'return "portal_members"' in new
    assert "FROM members m JOIN members p ON p.id = m.id" in new
    assert "SELECT email FROM portal_members (a docstring)" in new
    assert "# SELECT id FROM portal_members (a comment)" in new
    f_string = [
        f for f in all_findings(result) if f.rule == "raw-sql-renamed-table" and f.line == 19
    ]
    assert "not edited" in f_string[0].message


def test_rewrite_sql_is_a_plan_option(tmp_path: Path) -> None:
    text = """
[unify]
target_module = "models"
compat_module = "models_compat"
legacy_modules = ["models", "portal_models"]
rewrite_sql = true
"""
    assert parse_plan(text, "unify.toml").rewrite_sql is True
    assert parse_plan(text.replace("rewrite_sql = true\n", ""), "unify.toml").rewrite_sql is False


def test_the_plan_option_round_trips_and_reaches_the_final_rename_map(tmp_path: Path) -> None:
    inventory = analyze_repo(write_files(tmp_path, FILES))
    proposal = propose_plan(inventory)
    classes = tuple(
        dataclasses.replace(c, table="portal_accounts") if c.table == "portal_members" else c
        for c in proposal.classes
    )
    plan = dataclasses.replace(proposal, classes=classes, rewrite_sql=True)
    text = render_plan_toml(plan, inventory)
    assert "rewrite_sql = true" in text
    loaded = parse_plan(text, "p.toml")
    assert loaded == dataclasses.replace(plan, path="p.toml")
    resolved = resolve_plan(loaded, inventory)
    final, compat = rename_map(resolved, "final"), rename_map(resolved, "compat")
    assert final.rewrite_sql and not compat.rewrite_sql
    moves = {(m.legacy, m.unified) for m in final.table_moves}
    assert ("portal_members", "portal_accounts") in moves


REVISION = '''"""create the portal tables

Revision ID: 1a2b3c4d5e6f
"""
from alembic import op

revision = "1a2b3c4d5e6f"
down_revision: str | None = None


def upgrade():
    op.execute("INSERT INTO portal_members (id, email) SELECT id, email FROM members")


def downgrade():
    op.execute("DELETE FROM portal_members")
'''


def test_an_alembic_revision_is_history_neither_listed_nor_edited(tmp_path: Path) -> None:
    """A revision's SQL names the tables as they were when it ran: editing it would change what
    the migration does, so neither analyze nor rewrite (even with ``rewrite_sql``) touches it."""
    repo = write_files(tmp_path, {**FILES, "migrations/versions/1a2b_portal.py": REVISION})
    inventory = analyze_repo(repo)
    assert {r.path for r in inventory.sql_references} == {"queries.py"}
    result = rewrite_repo(
        repo, RenameMap(moves=MAP.moves, table_moves=MAP.table_moves, rewrite_sql=True), jobs=1
    )
    paths = {f.path for f in all_findings(result) if f.rule == "raw-sql-renamed-table"}
    assert paths == {"queries.py"}
    assert "migrations/versions/1a2b_portal.py" not in {
        o.path for o in result.outcomes if isinstance(o, Rewritten)
    }
    assert (repo / "migrations/versions/1a2b_portal.py").read_text() == REVISION


SQL_SHAPES = '''"""SELECT id FROM members -- a docstring, not SQL in code."""
import functools

HEAD = "\\nSELECT id FROM members"  # an escaped line end before the verb
SPACE = "\\x20delete from members where id = 1"
JOINED = ("" "UPDATE members SET name = 'x' WHERE id = 1")
CONTINUED = "\\
INSERT INTO members (id) VALUES (1)"


@functools.lru_cache(maxsize=None if "select id from members" else 1)
class Queries:
    """UPDATE members SET x = 1 -- the class's docstring."""

    def many(self, db, key):
        text = f"SELECT id FROM members WHERE id = {key}"
        pair = (run(db, "SELECT a FROM members"), "SELECT b FROM members")
        return db.execute(text), pair

    def unrelated(self):
        return "nothing to see"


def later():
    """DELETE FROM members -- a function's docstring."""
    return """
        SELECT name
        FROM members
    """
'''


def test_sql_strings_walk_only_where_sql_may_open_and_keep_the_full_walk_order() -> None:
    import ast

    from unify.literals import code_strings, looks_like_sql, sql_strings

    tree = ast.parse(SQL_SHAPES)
    every = tuple(s for s in code_strings(tree) if looks_like_sql(s.value))
    assert sql_strings(tree, SQL_SHAPES) == every
    # breadth first, as ``ast.walk``: the decorator's string after the method's, "b" before "a"
    assert [s.line for s in every] == [4, 5, 6, 7, 26, 16, 17, 11, 17]
    assert [s.value.split()[1] for s in every if s.line == 17] == ["b", "a"]
