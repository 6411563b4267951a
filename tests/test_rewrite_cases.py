"""One before/after pair per import form, all run through one helper.

Each ``tests/assets/rewrite/cases/<name>.py`` is placed at ``app/case.py`` of a copy of the
asset repository, rewritten with the shared rename map and written; the file must then equal
``<name>.expected.py`` byte for byte, still compile, and a second run must change nothing.
A ``# expect-finding: <rule>`` line names a finding the run must report for the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_rewrite_helpers import CASES, RENAME_MAP, case_names, make_repo

from unify.models import Rewritten, Unchanged
from unify.rewrite_imports import apply_rewrites, rewrite_repo

CASE_PATH = "app/case.py"


def _outcome(repo: Path) -> Rewritten | Unchanged | None:
    """The case file's outcome (None: the prefilter found nothing to rewrite in it)."""
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    found = [o for o in result.outcomes if o.path == CASE_PATH]
    outcome = found[0] if found else None
    assert outcome is None or isinstance(outcome, (Rewritten, Unchanged)), outcome
    apply_rewrites(result, allow_dirty=True)
    return outcome


def assert_rewrites(tmp_path: Path, name: str) -> None:
    before = (CASES / f"{name}.py").read_text(encoding="utf-8")
    expected = (CASES / f"{name}.expected.py").read_text(encoding="utf-8")
    repo = make_repo(tmp_path, {CASE_PATH: before})
    outcome = _outcome(repo)
    after = (repo / CASE_PATH).read_text(encoding="utf-8")
    assert after == expected
    compile(after, CASE_PATH, "exec")
    rules = {f.rule for f in outcome.findings} if outcome else set()
    for rule in re.findall(r"# expect-finding: ([a-z-]+)", before):
        assert rule in rules, (rule, outcome.findings)
    assert not isinstance(_outcome(repo), Rewritten), "a second run must change nothing"


@pytest.mark.parametrize("name", case_names())
def test_case(tmp_path: Path, name: str) -> None:
    assert_rewrites(tmp_path, name)


def test_every_case_has_an_expected_file() -> None:
    names = case_names()
    assert len(names) >= 15
    for name in names:
        assert (CASES / f"{name}.expected.py").is_file(), name


def test_star_import_lists_the_names_it_supplied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {CASE_PATH: (CASES / "star.py").read_text(encoding="utf-8")})
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    (outcome,) = [o for o in result.outcomes if o.path == CASE_PATH]
    assert isinstance(outcome, Rewritten)
    (star,) = [c for c in outcome.changes if c.form == "from-star"]
    assert star.names == ("MVPUser", "helper")
    assert star.line == 2


def test_same_named_module_under_another_root_is_left_alone(tmp_path: Path) -> None:
    other = "from models import Organization\n"
    repo = make_repo(
        tmp_path,
        {"tools/models.py": "class Organization:\n    pass\n", "tools/report.py": other},
    )
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    paths = {o.path: o for o in result.outcomes}
    assert isinstance(paths.get("tools/report.py"), Unchanged)
