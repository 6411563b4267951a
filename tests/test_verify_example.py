"""End to end on the bundled example: its legacy schema with planted rows, dumped with pg_dump,
restored with ``unify restore``; ``unify build`` makes the unified module; ``unify verify``
reports exactly what was planted, writes nothing and leaves no scratch database behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from clihelp import run_unify
from pgtools import admin, drop, tool
from sqlalchemy.engine import URL

from unify import db

pytestmark = pytest.mark.postgres

ASSETS = Path(__file__).parent / "assets" / "verify"
EXAMPLE = Path(__file__).resolve().parents[1] / "unify" / "examples" / "seqpt_legacy"

# MVP user ids in maturity_assessments and learning_plans are remapped through the merge's id
# map ('7' is frank of mvp_users, not erin of users): neither orphaned nor uncastable
PLANTED = {
    ("orphaned-rows", "maturity_assessments", "organization_id"): 1,
    ("orphaned-rows", "mvp_users", "organization_id"): 1,
    ("uncastable-values", "maturity_assessments", "organization_id"): 1,
    ("uncastable-values", "mvp_users", "organization_id"): 1,
    ("merge-collision", "mvp_users", "email"): 1,
}


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False
    )


def legacy_dump(server: URL, dest: Path) -> Path:
    """The example's legacy schema (from its own model modules) plus planted rows, pg_dumped."""
    name = f"unify_test_seqpt_{uuid.uuid4().hex[:8]}"
    admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name)
        env = {**os.environ, "PYTHONPATH": str(EXAMPLE), "PYTHONDONTWRITEBYTECODE": "1"}
        script = str(ASSETS / "create_legacy_schema.py")
        made = run(
            sys.executable,
            script,
            url.render_as_string(hide_password=False),
            "models",
            "mvp_models",
            "unified_models",
            cwd=EXAMPLE,
            env=env,
        )
        assert made.returncode == 0, made.stderr
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        loaded = run(
            tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            conninfo,
            "-f",
            str(ASSETS / "seqpt_data.sql"),
        )
        assert loaded.returncode == 0, loaded.stderr
        dumped = run(tool("pg_dump"), "-Fp", "-f", str(dest), conninfo)
        assert dumped.returncode == 0, dumped.stderr
    finally:
        drop(server, name)
    return dest


def test_restore_build_verify_on_the_bundled_example(
    pg_server_url: URL, built_example_copy: Path, tmp_path: Path
) -> None:
    server = db.parse_url(pg_server_url)
    dump = legacy_dump(server, tmp_path / "seqpt.sql")
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
        assert report["scratch"]["tables"] == 16
        assert "maturity_assessments.user_id -> users.id" in report["scratch"]["foreign_keys"]
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
