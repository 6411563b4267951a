"""``unify migrate`` on the bundled example restored from its legacy dump: the revision moves
every row (two uuid-keyed user tables merged into an integer-keyed one, their new ids distinct,
references remapped through the id map, duplicates folded by e-mail, across the two merged
tables too), the ledger balances, a second run is at
head, the downgrade brings back every row, and a failing orphan policy changes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import run_unify
from pgtools import libpq, tool
from sqlalchemy.engine import URL

from unify import db
from unify.migration.apply import load_revision, run_downgrade

pytestmark = pytest.mark.postgres


def restore(repo: Path, url: URL) -> None:
    subprocess.run(
        [
            tool("psql"),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            str(repo / "legacy_dump.sql"),
            libpq(url),
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def decide(repo: Path, orphans: bool = True) -> None:
    """The example's plan carries its data decisions (match on e-mail, orphan policies);
    without ``orphans`` its [[orphans]] tables are left out (every policy is then fail)."""
    plan = repo / "unify.toml"
    text = plan.read_text(encoding="utf-8")
    assert 'match = ["email"]' in text and "[[orphans]]" in text
    if not orphans:
        plan.write_text(text.split("\n[[orphans]]", 1)[0] + "\n", encoding="utf-8")


def checksums(url: URL, schema: str = "public") -> dict[str, str]:
    """Each table of ``schema``: an md5 of its rows, in a stable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names(schema=schema)
            return {
                n: conn.execute(
                    sa.text(
                        f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                        f'FROM {schema}."{n}" AS t'
                    )
                ).scalar_one()
                for n in names
            }
    finally:
        engine.dispose()


def rows(url: URL, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def migrate(repo: Path, url: URL, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_unify(
        "migrate",
        repo,
        "--plan",
        repo / "unify.toml",
        "--database-url",
        db.parse_url(url).render_as_string(hide_password=False),
        *extra,
    )


def test_apply_moves_every_row_remaps_and_balances(
    built_example_copy: Path, pg_database: URL, tmp_path: Path
) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    ledger = tmp_path / "ledger.json"
    done = migrate(repo, pg_database, "--apply", "--ledger", ledger)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "APPLIED" in done.stdout
    users = dict(rows(pg_database, "SELECT email, id FROM users"))
    # bob's MVP account folds into his account (same e-mail); the other five get new ids;
    # of the three portal accounts, ERIN folds into erin, Gina into her MVP account
    assert len(users) == 8 and users["bob@example.org"] == 1
    assert users["erin@example.org"] == 7 and users["quinn@portal.example"] == 13
    plans = dict(rows(pg_database, "SELECT id, user_id FROM learning_plans"))
    # 'p2' pointed at MVP user '7' (frank), not at users.id 7 (erin): remapped, not cast
    assert plans == {"p1": users["bob@example.org"], "p2": users["frank@example.org"]}
    assert '"balanced": true' in ledger.read_text(encoding="utf-8")
    fks = rows(
        pg_database,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
        "AND connamespace = 'public'::regnamespace",
    )
    assert fks[0][0] == 24
    again = migrate(repo, pg_database, "--apply")
    assert again.returncode == 0 and "at head" in again.stdout, again.stdout + again.stderr


def test_downgrade_brings_back_every_legacy_row(built_example_copy: Path, pg_database: URL) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    before = checksums(pg_database)
    assert migrate(repo, pg_database, "--apply").returncode == 0
    revision = next((repo / "migrations" / "versions").glob("*_unify_unified_models.py"))
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        run_downgrade(conn, load_revision(revision))
    engine.dispose()
    after = checksums(pg_database)
    after.pop("alembic_version", None)
    assert after == before


def test_a_failing_orphan_policy_changes_nothing(
    built_example_copy: Path, pg_database: URL
) -> None:
    repo = built_example_copy
    decide(repo, orphans=False)
    restore(repo, pg_database)
    before = checksums(pg_database)
    failed = migrate(repo, pg_database, "--apply")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "ROLLED BACK" in failed.stdout
    assert "organization_id" in failed.stdout and "orphans policy: fail" in failed.stdout
    assert checksums(pg_database) == before
    assert not rows(pg_database, "SELECT 1 FROM pg_namespace WHERE nspname = 'unify_legacy'")


def test_refuses_a_database_unify_did_not_restore(built_example_copy: Path, server: URL) -> None:
    url = server.set(database="postgres")
    refused = migrate(built_example_copy, url, "--apply")
    assert refused.returncode == 2
    assert "--i-have-a-backup" in refused.stderr
    assert not (built_example_copy / "migrations" / "versions").exists()


def test_sql_prints_the_upgrade_offline(built_example_copy: Path, pg_database: URL) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    before = checksums(pg_database)
    shown = migrate(repo, pg_database, "--sql")
    assert shown.returncode == 0, shown.stderr
    assert "CREATE SCHEMA unify_legacy" in shown.stdout
    assert 'INSERT INTO unify_legacy."unify_idmap_mvp_users"' in shown.stdout
    assert checksums(pg_database) == before


@pytest.mark.parametrize("point", ["upgraded", "stamped"])
def test_kill_9_during_apply_leaves_the_database_as_it_was(
    built_example_copy: Path, pg_database: URL, point: str
) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    before = checksums(pg_database)
    env = {"UNIFY_FAULT_MIGRATE": point}
    killed = run_unify(
        "migrate",
        repo,
        "--plan",
        repo / "unify.toml",
        "--database-url",
        db.parse_url(pg_database).render_as_string(hide_password=False),
        "--apply",
        env=env,
    )
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert checksums(pg_database) == before
    assert not rows(pg_database, "SELECT 1 FROM pg_namespace WHERE nspname = 'unify_legacy'")


def test_bad_input_is_one_line_and_exit_2(
    built_example_copy: Path, pg_database: URL, tmp_path: Path
) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    unreachable = migrate(repo, pg_database.set(host="127.0.0.1", port=1))
    assert unreachable.returncode == 2
    assert len(unreachable.stderr.strip().splitlines()) == 1, unreachable.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    unwritable = migrate(repo, pg_database, "--revision-dir", blocker / "versions")
    assert unwritable.returncode == 2 and "cannot write the revision" in unwritable.stderr
    versions = repo / "migrations" / "versions"
    versions.mkdir(parents=True)
    for name in ("aaa", "bbb"):
        (versions / f"{name}_x.py").write_text(
            f"revision = {name!r}\ndown_revision = None\n", encoding="utf-8"
        )
    heads = migrate(repo, pg_database)
    assert heads.returncode == 2 and "2 heads (aaa, bbb)" in heads.stderr
    assert len(heads.stderr.strip().splitlines()) == 1


def test_an_unbalanced_ledger_rolls_everything_back(
    built_example_copy: Path, pg_database: URL
) -> None:
    from unify import decisions
    from unify import migrate as stage
    from unify.cli.app import resolved

    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    before = checksums(pg_database)
    url = db.parse_url(pg_database)
    plan = decisions.load_plan(repo / "unify.toml")
    schema, mapping = stage.plan_migration(repo, resolved(repo, plan), url)
    path, _, _ = stage.write_revision(repo, schema, mapping)
    # a row the ledger says was carried but no table holds
    text = path.read_text(encoding="utf-8").replace(
        "    # 5. ",
        '    op.execute("INSERT INTO unify_legacy.unify_ledger (legacy, unified, action, rows) '
        "VALUES ('users', 'users', 'carried', 1)\")\n    # 5. ",
        1,
    )
    path.write_text(text, encoding="utf-8")
    result = stage.apply_revision(url, path, schema, mapping)
    assert not result.applied
    assert [f.rule for f in result.findings] == ["ledger-unbalanced"]
    assert checksums(pg_database) == before


def test_a_database_at_another_revision_is_refused(
    built_example_copy: Path, pg_database: URL
) -> None:
    repo = built_example_copy
    decide(repo)
    restore(repo, pg_database)
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('f00dfeed')"))
    engine.dispose()
    refused = migrate(repo, pg_database, "--apply")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "at revision f00dfeed" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_wrong_password_is_one_line_exit_2_and_never_printed(
    built_example_copy: Path, password_role: URL
) -> None:
    """restore, verify and migrate against a server that asks for a password: the wrong one
    is refused in one line (exit 2) that masks it; the right one gets past authentication."""
    repo = built_example_copy
    decide(repo)
    wrong = db.parse_url(password_role).set(password="wrong-secret")
    right = db.parse_url(password_role).render_as_string(hide_password=False)
    for command in (
        ("restore", repo / "legacy_dump.sql", "--database-url", wrong.render_as_string(False)),
        (
            "verify",
            repo,
            "--plan",
            repo / "unify.toml",
            "--database-url",
            wrong.render_as_string(False),
        ),
        (
            "migrate",
            repo,
            "--plan",
            repo / "unify.toml",
            "--database-url",
            wrong.render_as_string(False),
            "--apply",
            "--i-have-a-backup",
        ),
    ):
        proc = run_unify(*command)
        assert proc.returncode == 2, (command[0], proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, (command[0], proc.stderr)
        assert "password authentication failed" in lines[0], lines[0]
        assert "wrong-secret" not in proc.stdout + proc.stderr
    shown = run_unify("migrate", repo, "--plan", repo / "unify.toml", "--database-url", right)
    # past authentication: the database answers, and it holds no legacy table to move
    assert shown.returncode == 2, shown.stderr
    assert "none of the legacy tables" in shown.stderr and "unify_test_pw_" in shown.stderr
    assert "right-secret" not in shown.stdout + shown.stderr
