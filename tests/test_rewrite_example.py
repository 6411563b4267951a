"""The bundled example end to end, through the command line: build, rewrite (dry run, check,
JSON, for real), delete the legacy modules, and run the example's own tests."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from clihelp import run_unify

LEGACY = ("mvp_models", "unified_models", "models_compat")


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".git" not in p.parts
    }


def legacy_imports(repo: Path, modules: tuple[str, ...] = LEGACY) -> list[str]:
    """Imports of ``modules`` anywhere but in those modules' own files."""
    found: list[str] = []
    for path in repo.rglob("*.py"):
        if path.relative_to(repo).as_posix() in {f"{m}.py" for m in modules}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            found += [f"{path}:{node.lineno}" for n in names if n.split(".")[0] in modules]
    return found


def test_example_end_to_end(built_example_copy: Path) -> None:
    repo = built_example_copy  # `unify build` exited 0
    before = snapshot(repo)

    dry = run_unify("rewrite", repo, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "--- a/app/mvp_routes.py" in dry.stdout
    assert "+from models import" in dry.stdout
    assert snapshot(repo) == before, "--dry-run must change no byte"
    assert run_unify("rewrite", repo, "--check").returncode == 1

    run = run_unify("rewrite", repo, "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert "app/mvp_routes.py" in report["files_changed"]
    assert {
        "path": "app/seqpt_routes.py",
        "line": 4,
        "names": ["Questionnaire", "SECompetency", "db", "get_user_by_email"],
    } in report["star_imports"]
    assert "dynamic-legacy-reference" in {f["rule"] for f in report["findings"]}

    # both merged user classes are User now (the portal routes of PortalUserV2, case 6)
    routes = (repo / "app" / "mvp_routes.py").read_text(encoding="utf-8")
    assert "MVPUser" not in routes and "PortalUserV2" not in routes
    assert "account = User(email=data['email']" in routes

    for name in LEGACY:
        (repo / f"{name}.py").unlink()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert legacy_imports(repo) == []

    again = run_unify("rewrite", repo)
    assert again.returncode == 0
    assert again.stdout.startswith("0 file(s) changed")
    assert run_unify("rewrite", repo, "--check").returncode == 0


def test_missing_plan_is_one_line_and_exit_2(example_copy: Path) -> None:
    result = run_unify("rewrite", example_copy, "--plan", example_copy / "nope.toml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_dirty_tree_is_refused(example_copy: Path) -> None:
    repo = example_copy
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "legacy"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    routes = repo / "app" / "mvp_routes.py"
    routes.write_text(routes.read_text(encoding="utf-8") + "# work in progress\n", encoding="utf-8")
    before = snapshot(repo)
    result = run_unify("rewrite", repo)
    assert result.returncode == 2
    assert "uncommitted changes (app/mvp_routes.py)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(repo) == before


def test_compat_phase_points_every_legacy_import_at_the_compat_module(
    built_example_copy: Path,
) -> None:
    repo = built_example_copy  # `unify build` exited 0
    result = run_unify("rewrite", repo, "--phase", "compat")
    assert result.returncode == 0, result.stderr
    routes = (repo / "app" / "mvp_routes.py").read_text(encoding="utf-8")
    assert (
        "from models_compat import LearningPlan, MaturityAssessment, MVPUser, PortalUserV2, db"
        in routes
    )
    assert legacy_imports(repo, ("mvp_models", "unified_models")) == []
    assert run_unify("rewrite", repo, "--phase", "compat", "--check").returncode == 0
