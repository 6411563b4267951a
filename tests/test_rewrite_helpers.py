"""Shared pieces of the rewrite tests (no tests here): the asset repository and its rename map."""

from __future__ import annotations

import shutil
from pathlib import Path

from clihelp import write_files

from unify.models import ModuleMove, Rename, RenameMap, TableRename

ASSETS = Path(__file__).resolve().parent / "assets" / "rewrite"
BASE = ASSETS / "base"
CASES = ASSETS / "cases"

RENAME_MAP = RenameMap(
    moves=(
        ModuleMove(legacy="models", target="unified"),
        ModuleMove(legacy="mvp_models", target="unified"),
        ModuleMove(legacy="app.legacy", target="unified"),
    ),
    renames=(
        Rename(
            legacy_module="models", legacy_name="SECompetency", module="unified", name="Competency"
        ),
        Rename(legacy_module="mvp_models", legacy_name="MVPUser", module="unified", name="User"),
        Rename(
            legacy_module="mvp_models",
            legacy_name="MVPAssessment",
            module="unified",
            name="Assessment",
        ),
    ),
    tables=(TableRename(old="mvp_users", new="users"),),
)


def make_repo(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A copy of the asset repository, plus ``files`` (relative path -> text)."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    return write_files(repo, files or {})


def case_names() -> list[str]:
    return sorted(p.name[: -len(".py")] for p in CASES.glob("*.py") if ".expected" not in p.name)
