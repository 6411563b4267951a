"""The pre-commit hook this repository offers (``.pre-commit-hooks.yaml``), run by pre-commit
itself: ``pre-commit try-repo`` pip-installs this checkout into the hook's environment, as a
project's ``.pre-commit-config.yaml`` would, then runs ``unify rewrite --check`` on a small git
repository.  Slow (about 80 s: the hook's environment is built from PyPI and pip's cache, once
for a committed checkout, once per run for one with uncommitted changes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unify.bundled import copy_example

ROOT = Path(__file__).resolve().parents[1]
HOOK = "unify-rewrite-check"

pytestmark = pytest.mark.slow


def _need_precommit() -> None:
    """pre-commit is in the test extra; without it (or outside a git checkout, e.g. an
    unpacked sdist) the test skips, except in CI."""
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("pre-commit is not installed: pip install -e '.[test]'")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit try-repo needs one")


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One pre-commit home for both runs (the hook's environment is built once when the
    checkout is committed); no PYTHONPATH, so the hook runs the unify pip installed."""
    _need_precommit()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    for who in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{who}_NAME"], env[f"GIT_{who}_EMAIL"] = "t", "t@example.com"
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _try_hook(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), HOOK, "--all-files"]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


def test_hook_fails_on_a_legacy_import_and_passes_once_rewritten(
    tmp_path: Path, hook_env: dict[str, str]
) -> None:
    repo = copy_example(tmp_path / "app")
    _git(repo, hook_env, "init", "-q")
    _git(repo, hook_env, "add", "-A")
    _git(repo, hook_env, "commit", "-q", "-m", "legacy")

    legacy = _try_hook(repo, hook_env)
    assert legacy.returncode == 1, legacy.stdout + legacy.stderr
    assert "Failed" in legacy.stdout
    assert "would change" in legacy.stdout

    rewrite = [sys.executable, "-m", "unify", "rewrite", str(repo), "--phase", "final"]
    subprocess.run(rewrite, check=True, capture_output=True)
    _git(repo, hook_env, "commit", "-q", "-a", "-m", "rewritten")

    clean = _try_hook(repo, hook_env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
