"""End to end on the bundled example: its legacy dump (legacy_dump.sql, what a user restores)
restored with ``unify restore``; ``unify build`` makes the unified module; ``unify verify``
reports exactly what was planted, writes nothing and leaves no scratch database behind.
Without the plan's data decisions every planted problem is an error; with them, none is."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from clihelp import run_unify
from pgtools import admin, drop
from sqlalchemy.engine import URL

from unify import db

pytestmark = pytest.mark.postgres

EXAMPLE = Path(__file__).resolve().parents[1] / "unify" / "examples" / "seqpt_legacy"

# Undecided (no match, no orphan policy). MVP user ids in maturity_assessments, learning_plans
# and login_events are remapped through the merge's id map ('7' is frank of mvp_users, not
# erin of users): only the two uuids of login_events that match no MVP account are orphans
PLANTED = {
    ("orphaned-rows", "login_events", "user_id"): 2,
    ("orphaned-rows", "maturity_assessments", "organization_id"): 1,
    ("orphaned-rows", "mvp_users", "organization_id"): 1,
    ("uncastable-values", "maturity_assessments", "organization_id"): 1,
    ("uncastable-values", "mvp_users", "organization_id"): 1,
    ("merge-collision", "mvp_users", "email"): 1,
    ("merge-collision", "mvp_users", "username"): 1,  # bob, unless folded by the match
}


def undecided(plan: Path) -> None:
    """The plan without its data decisions: no match key, no [[orphans]]."""
    text = plan.read_text(encoding="utf-8").replace('match = ["email"]\n', "")
    plan.write_text(text.split("\n[[orphans]]", 1)[0] + "\n", encoding="utf-8")


def test_restore_build_verify_on_the_bundled_example(
    pg_server_url: URL, built_example_copy: Path, tmp_path: Path
) -> None:
    server = db.parse_url(pg_server_url)
    dump = EXAMPLE / "legacy_dump.sql"
    scratch_before = set(
        admin(server, "SELECT datname FROM pg_database WHERE datname LIKE 'unify\\_verify\\_%'")
    )
    name = f"test_seqpt_{uuid.uuid4().hex[:8]}"
    restored = run_unify(
        "restore",
        str(dump),
        "--database-url",
        str(server.render_as_string(hide_password=False)),
        "--name",
        name,
    )
    assert restored.returncode == 0, restored.stderr
    try:
        example_copy = built_example_copy  # `unify build` exited 0
        plan = str(example_copy / "unify.toml")
        url = restored.stdout.strip()
        decided = run_unify(
            "verify", str(example_copy), "--plan", plan, "--database-url", url, "--format", "json"
        )
        assert decided.returncode == 0, decided.stdout + decided.stderr
        assert not [f for f in json.loads(decided.stdout)["findings"] if f["severity"] == "error"]
        undecided(example_copy / "unify.toml")
        verified = run_unify(
            "verify", str(example_copy), "--plan", plan, "--database-url", url, "--format", "json"
        )
        assert verified.returncode == 1, verified.stderr
        report = json.loads(verified.stdout)
        errors = {
            (f["rule"], f["table"], f["column"]): f["count"]
            for f in report["findings"]
            if f["severity"] == "error"
        }
        assert errors == PLANTED
        warned = {
            (f["rule"], f["table"], f["column"]): (f["count"], f["samples"])
            for f in report["findings"]
            if f["severity"] == "warning"
        }
        # without the match, the portal's ERIN (users' erin) and Gina (gina of mvp_users, the
        # table merged before it) are new people whose e-mails differ only in case
        assert warned["case-duplicate", "portal_users_v2", "email"] == (
            2,
            ["ERIN@example.org", "Gina@Example.org"],
        )
        assert report["scratch"]["tables"] == 17
        assert "maturity_assessments.user_id -> users.id" in report["scratch"]["foreign_keys"]
        assert "login_events.user_id -> users.id" in report["scratch"]["foreign_keys"]
        samples = {(f["rule"], f["table"], f["column"]): f["samples"] for f in report["findings"]}
        # bob's MVP uuid, remapped to his account, whose organization is 1, not 99 (a warning:
        # the migration carries the row as it is)
        assert samples["fk-inconsistent", "maturity_assessments", "organization_id"] == [
            "m3: 99 <> 1"
        ]
        after = set(
            admin(server, "SELECT datname FROM pg_database WHERE datname LIKE 'unify\\_verify\\_%'")
        )
        assert after == scratch_before
    finally:
        drop(server, f"unify_{name}")
