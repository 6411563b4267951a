"""The whole pipeline on the bundled example, with the decisions its plan carries: the legacy
dump restored, verify ready (its warnings say what the orphan policies will do), migrate
--apply, verify clean on the migrated database, the example app rewritten onto the unified
models (legacy modules deleted) and its own tests run against copies of the migrated
PostgreSQL database, and the downgrade bringing back every legacy row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from clihelp import run_unify
from sqlalchemy.engine import URL
from test_migrate import checksums, migrate, restore, rows

from unify import db
from unify.migration.apply import load_revision, run_downgrade

pytestmark = pytest.mark.postgres

LEGACY = ("mvp_models", "unified_models", "models_compat")

# What the plan's decisions do to the planted rows, as verify announces it before the move
ANNOUNCED = {
    ("orphans-by-policy", "login_events", "user_id"): 2,  # uuids of no MVP account: deleted
    ("orphans-by-policy", "mvp_users", "organization_id"): 2,  # '55' and 'abc': set NULL
    ("orphans-by-policy", "maturity_assessments", "organization_id"): 2,  # '99', 'abc'
    ("merge-fold", "mvp_users", "email"): 1,  # bob's MVP account
    # ERIN (users.id 7, any case) and Gina (an MVP account, no users row): case 6
    ("merge-fold", "portal_users_v2", "email"): 2,
    ("case-duplicate", "mvp_users", "username"): 1,  # 'Erin' / 'erin'
}


def url_of(url: URL) -> str:
    return db.parse_url(url).render_as_string(hide_password=False)


def verify(repo: Path, url: URL) -> tuple[int, dict[tuple[str, str, str], int], list[dict]]:
    done = run_unify(
        "verify",
        repo,
        "--plan",
        repo / "unify.toml",
        "--database-url",
        url_of(url),
        "--format",
        "json",
    )
    findings = json.loads(done.stdout)["findings"]
    counts: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f["rule"], f["table"], f["column"])
        counts[key] = counts.get(key, 0) + (f["count"] or 0)
    return done.returncode, counts, findings


def test_restore_verify_migrate_verify_app_tests_downgrade(
    built_example_copy: Path, pg_database: URL, tmp_path: Path
) -> None:
    repo = built_example_copy  # the plan carries match = ["email"] and [[orphans]] policies
    restore(repo, pg_database)
    before = checksums(pg_database)

    code, counts, findings = verify(repo, pg_database)
    assert code == 0, findings
    assert not [f for f in findings if f["severity"] == "error"]
    assert {k: v for k, v in counts.items() if k in ANNOUNCED} == ANNOUNCED
    messages = " ".join(f["message"] for f in findings)
    assert "deletes these rows (orphans policy delete)" in messages
    assert "sets the value NULL (orphans policy null)" in messages
    dependents = sorted(
        f["message"].split()[1] for f in findings if f["rule"] == "legacy-dependent-object"
    )
    assert dependents == ["function(s)", "trigger(s)", "view(s)"]
    assert any("mvp_settings" in f["message"] and "3 row(s)" in f["message"] for f in findings)

    ledger = tmp_path / "ledger.json"
    done = migrate(repo, pg_database, "--apply", "--ledger", ledger)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "APPLIED" in done.stdout
    book = json.loads(ledger.read_text(encoding="utf-8"))
    assert book["balanced"] is True
    # the rows verify said would fold are the rows the migration folded
    folded = {r["legacy"]: r["folded"] for r in book["ledger"] if r["folded"]}
    assert folded == {t: n for (rule, t, _), n in ANNOUNCED.items() if rule == "merge-fold"}
    new = {r["legacy"]: r["merged_new"] for r in book["ledger"] if r["merged_new"]}
    assert new == {"mvp_users": 5, "portal_users_v2": 1}

    users = dict(rows(pg_database, "SELECT email, id FROM users"))
    # 2 + 6 MVP accounts - 1 folded + 3 portal accounts - 2 folded
    assert len(users) == 8 and users["bob@example.org"] == 1
    portal = dict(
        rows(
            pg_database,
            "SELECT p.email, m.new_id FROM unify_legacy.portal_users_v2 AS p "
            "JOIN unify_legacy.unify_idmap_portal_users_v2 AS m ON m.old_id = p.id",
        )
    )
    # ERIN is users.id 7, Gina her MVP account's new id; the new portal account follows
    # every MVP account's new id (one sequence)
    assert portal["ERIN@example.org"] == users["erin@example.org"] == 7
    assert portal["Gina@Example.org"] == users["gina@example.org"]
    assert portal["quinn@portal.example"] == users["quinn@portal.example"] == max(users.values())
    events = sorted(rows(pg_database, "SELECT id, user_id FROM login_events"))
    assert events == [
        (1, users["frank@example.org"]),
        (2, users["bob@example.org"]),
        (3, users["hank@example.org"]),
    ]
    legacy = {
        r[0]
        for r in rows(
            pg_database, "SELECT tablename FROM pg_tables WHERE schemaname = 'unify_legacy'"
        )
    }
    # the absorbed tables, kept for the audit and the downgrade
    assert {"mvp_users", "portal_users_v2"} <= legacy
    # the table no model ever mapped is left where it was, with its rows
    assert rows(pg_database, "SELECT count(*) FROM public.mvp_settings") == [(3,)]

    code, counts, findings = verify(repo, pg_database)
    assert code == 0, findings
    assert not [f for f in findings if f["severity"] == "error"]

    # the app, rewritten onto the unified module, legacy modules deleted
    rewritten = run_unify("rewrite", repo)
    assert rewritten.returncode == 0, rewritten.stdout + rewritten.stderr
    for name in LEGACY:
        (repo / f"{name}.py").unlink()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", SEQPT_TEST_DATABASE_URL=url_of(pg_database))
    env.pop("PYTHONPATH", None)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout.strip().splitlines()[-1]

    revision = next((repo / "migrations" / "versions").glob("*_unify_unified_models.py"))
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        run_downgrade(conn, load_revision(revision))
    engine.dispose()
    after = checksums(pg_database)
    after.pop("alembic_version", None)
    assert after == before
