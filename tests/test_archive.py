"""Phase 5: ``unify archive`` (refusal, git history, all or nothing), ``unify rewrite --only``
and ``unify status`` at each step, on small trees and on a copy of the bundled example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from clihelp import run_unify, write_files
from pgtools import drop
from sqlalchemy.engine import URL

from unify import archive as archive_stage
from unify import db
from unify.errors import ArchiveAborted
from unify.scan import list_repo_files

DAY = f"{date.today():%Y%m%d}"

PLAN = """\
[unify]
target_module = "models"
compat_module = "models_compat"
legacy_modules = ["models", "old_models"]

[[class]]
source = "old_models.Thing"
name = "Thing"
table = "thing"
section = "Core"
"""

TREE = {
    "unify.toml": PLAN,
    "old_models.py": """\
        from sqlalchemy.orm import declarative_base
        from sqlalchemy import Column, Integer
        Base = declarative_base()
        class Thing(Base):
            __tablename__ = "thing"
            id = Column(Integer, primary_key=True)
    """,
    "models.py": '"""Built by `unify build`."""\nfrom old_models import Base, Thing\n',
    "models_compat.py": "from models import Thing  # noqa: F401\n",
    "app/routes.py": "from old_models import Thing\n",
    "app/views.py": "from models_compat import Thing\n",
    "scripts/tool.py": "import models\n",
}

# after the rewrite: nothing imports the legacy module; the compat module only itself
CLEAN = {
    **TREE,
    "models.py": '"""Built by `unify build`."""\nThing = None\n',
    "app/routes.py": "from models import Thing\n",
    "app/views.py": "from models import Thing\n",
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
    }


def test_archive_refuses_while_importers_are_left_and_lists_them(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", TREE)
    before = _snapshot(repo)
    done = run_unify("archive", repo, "--plan", repo / "unify.toml")
    assert done.returncode == 1, done.stderr
    assert "app/routes.py:1  still imports old_models; rewrite it first" in done.stdout
    # the unified module itself still leans on the legacy one here
    assert "models.py:2  still imports old_models" in done.stdout
    assert "refused: 2 import(s) of old_models left in 2 file(s); nothing archived" in done.stdout
    assert "scripts/tool.py" not in done.stdout  # `import models`: the unified module
    assert _snapshot(repo) == before


def test_remove_compat_refuses_while_the_compat_module_is_imported(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", {**TREE, "app/routes.py": "from models import Thing\n"})
    before = _snapshot(repo)
    done = run_unify("archive", repo, "--plan", repo / "unify.toml", "--remove-compat")
    assert done.returncode == 1
    assert "app/views.py:1  still imports models_compat" in done.stdout
    assert _snapshot(repo) == before


def test_archive_keeps_the_unified_module_and_git_history(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", CLEAN)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "legacy")

    dry = run_unify("archive", repo, "--plan", repo / "unify.toml", "--dry-run", "--remove-compat")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    dest = f"archives/old_models_pre_merge_{DAY}.py"
    assert f"would move old_models.py -> {dest} (git mv)" in dry.stdout
    assert "would delete models_compat.py" in dry.stdout
    assert (repo / "old_models.py").is_file() and not (repo / "archives").exists()

    done = run_unify("archive", repo, "--plan", repo / "unify.toml", "--remove-compat")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / dest).is_file() and (repo / "models.py").is_file()
    assert not (repo / "old_models.py").exists() and not (repo / "models_compat.py").exists()
    staged = _git(repo, "status", "--porcelain")
    assert f"R  old_models.py -> {dest}" in staged
    assert "D  models_compat.py" in staged
    _git(repo, "commit", "-q", "-m", "archive")
    log = _git(repo, "log", "--follow", "--format=%s", "--", dest)
    assert log.split() == ["archive", "legacy"]
    # later scans skip the archive folder; a second run has nothing to do
    assert dest not in list_repo_files(repo).python
    again = run_unify("archive", repo, "--plan", repo / "unify.toml", "--remove-compat")
    assert again.returncode == 0 and "nothing to archive" in again.stdout


def test_archive_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_text = PLAN.replace('["models", "old_models"]', '["models", "old_models", "older"]')
    repo = write_files(
        tmp_path / "repo",
        {**CLEAN, "unify.toml": plan_text, "older.py": "X = 1\n"},
    )
    from unify import analyze
    from unify.decisions import load_plan

    plan = load_plan(repo / "unify.toml")
    files = archive_stage.module_files(repo, plan)
    inventory = analyze.analyze_repo(repo, models=tuple(files.values()))
    todo = archive_stage.plan_archive(repo, plan, inventory, files, remove_compat=False)
    assert [m.source for m in todo.moves] == ["old_models.py", "older.py"]
    assert not todo.blockers
    before = _snapshot(repo)
    real_move = archive_stage._move
    calls: list[str] = []

    def failing(root: Path, source: str, dest: str, git: bool) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_move(root, source, dest, git)

    monkeypatch.setattr(archive_stage, "_move", failing)
    with pytest.raises(ArchiveAborted, match="No space left on device"):
        archive_stage.apply_archive(todo)
    assert _snapshot(repo) == before
    assert not (repo / "archives").exists()


def test_an_existing_archive_file_refuses_before_any_move(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", CLEAN)
    taken = write_files(repo / "archives", {f"old_models_pre_merge_{DAY}.py": "old = 1\n"})
    assert taken.is_dir()
    before = _snapshot(repo)
    done = run_unify("archive", repo, "--plan", repo / "unify.toml")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: archives/old_models_pre_merge_{DAY}.py: already exists; nothing archived"
    )
    assert _snapshot(repo) == before


# ---------------------------------------------------------------------------
# rewrite --only
# ---------------------------------------------------------------------------


def test_rewrite_only_covers_a_subset_and_check_reports_the_rest(tmp_path: Path) -> None:
    repo = write_files(
        tmp_path / "repo",
        {
            **TREE,
            "models.py": "from old_models import Base, Thing  # noqa: F401\n",
            "app/more.py": "from old_models import Thing\n",
            "scripts/job.py": "from old_models import Thing\n",
        },
    )
    plan = repo / "unify.toml"
    check = run_unify("rewrite", repo, "--plan", plan, "--only", "app", "--check")
    assert check.returncode == 1
    assert "outside --only: 1 file(s) still to rewrite (scripts/ 1)" in check.stdout

    done = run_unify("rewrite", repo, "--plan", plan, "--only", "app/*.py", "-f", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(report["files_changed"]) == ["app/more.py", "app/routes.py", "app/views.py"]
    assert report["outside_only"] == {"files": ["scripts/job.py"], "groups": {"scripts/": 1}}
    assert (repo / "app/routes.py").read_text() == "from models import Thing\n"
    assert (repo / "scripts/job.py").read_text() == "from old_models import Thing\n"

    assert run_unify("rewrite", repo, "--plan", plan, "--only", "app", "--check").returncode == 0
    assert run_unify("rewrite", repo, "--plan", plan, "--check").returncode == 1
    nothing = run_unify("rewrite", repo, "--plan", plan, "--only", "nowhere/")
    assert nothing.returncode == 2
    assert nothing.stderr.startswith("error: --only nowhere/: no Python file")


# ---------------------------------------------------------------------------
# The bundled example: the README's session through archive and status
# ---------------------------------------------------------------------------


def _status(repo: Path) -> tuple[int, dict[str, str]]:
    done = run_unify("status", repo, "--plan", repo / "unify.toml", "--format", "json")
    report = json.loads(done.stdout)
    assert report["done"] is (done.returncode == 0)
    return done.returncode, {p["phase"]: p["state"] for p in report["phases"]}


def test_example_session_through_archive_and_status(example_copy: Path) -> None:
    repo, plan = example_copy, example_copy / "unify.toml"
    code, states = _status(repo)
    assert code == 1
    assert states == {
        "decisions": "done",
        "build": "todo",
        "imports": "todo",
        "compat": "todo",
        "archive": "todo",
        "database": "not-checked",
    }
    assert run_unify("build", repo, "--plan", plan).returncode == 0
    code, states = _status(repo)
    assert (code, states["build"], states["compat"]) == (1, "done", "todo")

    refused = run_unify("archive", repo, "--plan", plan)
    assert refused.returncode == 1
    assert "app/admin.py:5  still imports mvp_models" in refused.stdout

    first = run_unify("rewrite", repo, "--plan", plan, "--only", "app")
    assert first.returncode == 0, first.stderr
    assert "outside --only:" in first.stdout
    code, states = _status(repo)
    assert (code, states["imports"]) == (1, "todo")

    assert run_unify("rewrite", repo, "--plan", plan).returncode == 0
    code, states = _status(repo)
    assert (code, states["imports"], states["archive"]) == (1, "done", "todo")

    done = run_unify("archive", repo, "--plan", plan, "--remove-compat")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "debug_responses.py:14  names mvp_models in a string" in done.stdout
    for name in ("mvp_models", "unified_models"):
        assert (repo / "archives" / f"{name}_pre_merge_{DAY}.py").is_file()
        assert not (repo / f"{name}.py").exists()
    assert (repo / "models.py").is_file()  # the unified module replaced legacy models.py
    assert not (repo / "models_compat.py").exists()

    text = run_unify("status", repo, "--plan", plan)
    assert text.returncode == 0, text.stdout
    assert text.stdout.strip().splitlines()[-1] == "every phase done"
    code, states = _status(repo)
    assert code == 0 and states["database"] == "not-checked"

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]


def test_status_with_an_invalid_plan(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", {**TREE, "unify.toml": "[unify]\n"})
    code, states = _status(repo)
    assert code == 1
    assert states["decisions"] == "todo"
    assert set(states.values()) == {"todo", "not-checked"}


@pytest.mark.postgres
def test_status_reports_the_database_when_a_url_is_given(
    pg_server_url: URL, built_example_copy: Path
) -> None:
    server = db.parse_url(pg_server_url)
    name = f"test_status_{uuid.uuid4().hex[:8]}"
    repo = built_example_copy
    restored = run_unify(
        "restore",
        repo / "legacy_dump.sql",
        "--database-url",
        server.render_as_string(hide_password=False),
        "--name",
        name,
    )
    assert restored.returncode == 0, restored.stderr
    try:
        url = restored.stdout.strip()
        # with the plan's data decisions (match, orphan policies) the dump has no error finding
        decided = run_unify(
            "status", repo, "--plan", repo / "unify.toml", "--database-url", url, "-f", "json"
        )
        phases = {p["phase"]: p for p in json.loads(decided.stdout)["phases"]}
        assert phases["database"]["state"] == "done", decided.stdout + decided.stderr
        assert "verified, no error finding" in phases["database"]["detail"]
        # without them (every orphan policy fail) the planted orphans are errors
        plan = repo / "unify.toml"
        text = plan.read_text(encoding="utf-8")
        plan.write_text(text.split("\n[[orphans]]", 1)[0] + "\n", encoding="utf-8")
        done = run_unify(
            "status", repo, "--plan", repo / "unify.toml", "--database-url", url, "-f", "json"
        )
        assert done.returncode == 1, done.stderr
        phases = {p["phase"]: p for p in json.loads(done.stdout)["phases"]}
        assert phases["database"]["state"] == "todo"
        assert "error finding(s)" in phases["database"]["detail"]
        assert phases["database"]["next"].startswith("unify verify ")
    finally:
        drop(server, f"unify_{name}")
