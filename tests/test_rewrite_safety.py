"""Safety of ``rewrite``: all or nothing, changed-since-read, dirty trees, bytes kept."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
from pathlib import Path

import pytest
from test_rewrite_helpers import RENAME_MAP, make_repo

from unify.errors import RewriteAborted
from unify.models import Failed, Rewritten, Skipped, Unchanged
from unify.rewrite_imports import POOL_THRESHOLD, apply_rewrites, rewrite_repo

IMPORTER = "from mvp_models import MVPUser\n\n\ndef load():\n    return MVPUser()\n"
EXPECTED = "from unified import User\n\n\ndef load():\n    return User()\n"


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_nothing_is_written_when_one_file_failed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER, "app/b.py": IMPORTER})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert len([o for o in result.outcomes if isinstance(o, Rewritten)]) == 2
    broken = dataclasses.replace(
        result, outcomes=(*result.outcomes, Failed(path="app/c.py", error="boom"))
    )
    before = snapshot(repo)
    with pytest.raises(
        RewriteAborted, match=r"1 file\(s\) failed, nothing written: app/c.py: boom"
    ):
        apply_rewrites(broken)
    assert snapshot(repo) == before


def test_nothing_is_written_when_a_file_changed_since_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER, "app/b.py": IMPORTER})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    (repo / "app/b.py").write_text(IMPORTER + "# edited meanwhile\n", encoding="utf-8")
    before = snapshot(repo)
    with pytest.raises(RewriteAborted, match=r"app/b\.py changed since it was read"):
        apply_rewrites(result)
    assert snapshot(repo) == before


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_dirty_files_are_refused_unless_allowed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "legacy")
    (repo / "app/a.py").write_text(IMPORTER + "# not committed\n", encoding="utf-8")
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    with pytest.raises(RewriteAborted, match=r"1 file\(s\) to rewrite have uncommitted changes"):
        apply_rewrites(result)
    assert apply_rewrites(result, allow_dirty=True) == 1
    assert (repo / "app/a.py").read_text(encoding="utf-8") == EXPECTED + "# not committed\n"


def test_clean_git_tree_is_rewritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "legacy")
    assert apply_rewrites(rewrite_repo(repo, RENAME_MAP, jobs=1)) == 1


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("crlf", IMPORTER.replace("\n", "\r\n").encode(), EXPECTED.replace("\n", "\r\n").encode()),
        ("bom", b"\xef\xbb\xbf" + IMPORTER.encode(), b"\xef\xbb\xbf" + EXPECTED.encode()),
        ("no-final-newline", IMPORTER.rstrip("\n").encode(), EXPECTED.rstrip("\n").encode()),
        (
            "latin-1",
            ("# -*- coding: latin-1 -*-\n# Grüße\n" + IMPORTER).encode("latin-1"),
            ("# -*- coding: latin-1 -*-\n# Grüße\n" + EXPECTED).encode("latin-1"),
        ),
    ],
)
def test_bytes_are_kept(tmp_path: Path, name: str, data: bytes, expected: bytes) -> None:
    repo = make_repo(tmp_path)
    target = repo / "app" / "a.py"
    target.write_bytes(data)
    target.chmod(0o751)
    apply_rewrites(rewrite_repo(repo, RENAME_MAP, jobs=1))
    assert target.read_bytes() == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".unify")]


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER})
    assert apply_rewrites(rewrite_repo(repo, RENAME_MAP, jobs=1)) == 1
    again = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert not [o for o in again.outcomes if isinstance(o, Rewritten)]


def test_unparsable_file_is_skipped_and_reported(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path, {"app/a.py": IMPORTER, "app/broken.py": "import mvp_models\ndef (:\n"}
    )
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    outcomes = {o.path: o for o in result.outcomes}
    assert isinstance(outcomes["app/broken.py"], Skipped)
    assert "does not parse" in outcomes["app/broken.py"].reason
    assert [(f.rule, f.path) for f in result.findings if f.code == "R001"] == [
        ("unparsable-file", "app/broken.py")
    ]
    assert isinstance(outcomes["app/a.py"], Rewritten)
    assert apply_rewrites(result) == 1


def test_symlink_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(IMPORTER, encoding="utf-8")
    repo = make_repo(tmp_path)
    (repo / "app" / "linked.py").symlink_to(outside)
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert "app/linked.py" not in {o.path for o in result.outcomes}
    apply_rewrites(result)
    assert outside.read_text(encoding="utf-8") == IMPORTER


def test_virtualenv_is_excluded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {".venv/lib/site-packages/pkg/mod.py": IMPORTER})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert not [o for o in result.outcomes if ".venv" in o.path]


def test_other_suffixes_are_listed_and_included_only_on_request(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/old_routes.py.unused": IMPORTER})
    listed = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert listed.other_python_files == ("app/old_routes.py.unused",)
    assert "python-under-other-suffix" in {f.rule for f in listed.findings}
    assert "app/old_routes.py.unused" not in {o.path for o in listed.outcomes}
    included = rewrite_repo(repo, RENAME_MAP, jobs=1, include_other_suffixes=True)
    apply_rewrites(included)
    assert (repo / "app/old_routes.py.unused").read_text(encoding="utf-8") == EXPECTED


def test_pool_gives_the_same_outcomes(tmp_path: Path) -> None:
    files = {f"app/m{i}.py": IMPORTER for i in range(POOL_THRESHOLD + 5)}
    files["app/plain.py"] = "# mentions mvp_models only in a comment\nX = 1\n"
    repo = make_repo(tmp_path, files)
    serial = rewrite_repo(repo, RENAME_MAP, jobs=1)
    pooled = rewrite_repo(repo, RENAME_MAP, jobs=2)
    assert pooled.outcomes == serial.outcomes
    assert isinstance({o.path: o for o in serial.outcomes}["app/plain.py"], Unchanged)


def test_an_unparsable_file_naming_no_legacy_module_does_not_hold_the_check(
    tmp_path: Path,
) -> None:
    # a Python 2 script: it mentions a word the prefilter looks for (MVPUser), no legacy module
    py2 = 'from app import settings\nprint "MVPUser %s" % settings\n'
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER, "scripts/old.py": py2})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert [(f.code, f.path) for f in result.findings if f.code == "R001"] == [
        ("R001", "scripts/old.py")
    ]
    assert result.unprocessed == ()


def test_an_unparsable_file_naming_a_legacy_module_holds_the_check(tmp_path: Path) -> None:
    py2 = 'from mvp_models import MVPUser\nprint "%s" % MVPUser\n'
    repo = make_repo(tmp_path, {"app/a.py": IMPORTER, "scripts/old.py": py2})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert result.unprocessed == ("scripts/old.py",)
