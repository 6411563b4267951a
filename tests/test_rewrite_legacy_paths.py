"""``legacy_paths``: only imports of the plan's legacy files are rewritten, never those of a
same-named module of another application in the same repository."""

from __future__ import annotations

from pathlib import Path

from test_rewrite_helpers import make_repo

from unify.models import ModuleMove, RenameMap, Rewritten, Skipped
from unify.rewrite_imports import rewrite_repo

MAP = RenameMap(moves=(ModuleMove(legacy="app.models", target="unified"),))
MODELS = '"""The app models."""\n\n\nclass Contact:\n    pass\n'
VIEWS = "from .models import Contact\n\nVIEW = Contact\n"
FILES = {
    "examples/one/app/__init__.py": "",
    "examples/one/app/models.py": MODELS,
    "examples/one/app/views.py": VIEWS,
    "examples/two/app/__init__.py": "",
    "examples/two/app/models.py": MODELS,
    "examples/two/app/views.py": VIEWS,
    "examples/two/run.py": "from app.models import Contact\n",
}


def _changed(repo: Path, legacy_paths: tuple[str, ...]) -> set[str]:
    result = rewrite_repo(repo, MAP, jobs=1, legacy_paths=legacy_paths)
    return {o.path for o in result.outcomes if isinstance(o, Rewritten)}


def test_only_importers_of_the_plan_legacy_file_change(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    assert _changed(repo, ("examples/one/app/models.py",)) == {"examples/one/app/views.py"}


def test_the_same_named_module_of_another_app_is_not_skipped_as_legacy(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    result = rewrite_repo(repo, MAP, jobs=1, legacy_paths=("examples/one/app/models.py",))
    skipped = {o.path for o in result.outcomes if isinstance(o, Skipped)}
    assert "examples/one/app/models.py" in skipped
    assert "examples/two/app/models.py" not in skipped


def test_without_legacy_paths_every_file_of_the_legacy_name_counts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    assert _changed(repo, ()) == {
        "examples/one/app/views.py",
        "examples/two/app/views.py",
        "examples/two/run.py",
    }


def test_a_deleted_legacy_file_still_pins_its_module(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    (repo / "examples/one/app/models.py").unlink()
    result = rewrite_repo(repo, MAP, jobs=1, legacy_paths=("examples/one/app/models.py",))
    changed = {o.path for o in result.outcomes if isinstance(o, Rewritten)}
    assert changed == {"examples/one/app/views.py"}
    assert [f.rule for f in result.findings] == ["legacy-module-missing"]
