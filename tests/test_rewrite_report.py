"""Rendering of rewrite results: the diff (plain when piped, coloured on a terminal), the
summary and the JSON shape."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

from rich.console import Console
from test_rewrite_helpers import RENAME_MAP, make_repo

from unify.models import ModuleMove
from unify.report.rewrite import diff_text, emit_rewrite, rewrite_exit_code, summary_lines
from unify.rewrite_imports import rewrite_repo

FILES = {
    "app/a.py": "from mvp_models import MVPUser\n\nx = MVPUser()\n",
    "app/b.py": "import mvp_models as mm\n\ny = mm.MVPUser",
    "app/c.py": "from mvp_models import *\n\nz = helper()\n",
}


def _result(tmp_path: Path):  # type: ignore[no-untyped-def]
    return rewrite_repo(make_repo(tmp_path, FILES), RENAME_MAP, jobs=1)


def test_diff_names_each_file_and_marks_a_missing_final_newline(tmp_path: Path) -> None:
    text = diff_text(_result(tmp_path))
    assert "--- a/app/a.py\n+++ b/app/a.py\n" in text
    assert "-from mvp_models import MVPUser\n+from unified import User\n" in text
    assert "+y = mm.User\n\\ No newline at end of file\n" in text


def test_diff_is_plain_when_piped_and_coloured_on_a_terminal(tmp_path: Path) -> None:
    result = _result(tmp_path)
    piped, terminal = io.StringIO(), io.StringIO()
    emit_rewrite(result, "table", Console(file=piped), written=0, dry_run=True, show_diff=True)
    emit_rewrite(
        result,
        "table",
        Console(file=terminal, force_terminal=True, color_system="standard"),
        written=0,
        dry_run=True,
        show_diff=True,
    )
    assert "\x1b[" not in piped.getvalue()
    assert "+from unified import User" in piped.getvalue()
    assert "\x1b[32m+from unified import User" in terminal.getvalue()


def test_summary_counts_forms_names_and_star_imports(tmp_path: Path) -> None:
    result = _result(tmp_path)
    lines = summary_lines(result, written=0, dry_run=True)
    assert lines[0].startswith("3 file(s) would change (0 written)")
    assert "imports rewritten: from 1, from-star 1, import-as 1" in lines
    assert "names renamed: MVPUser -> User (2)" in lines
    assert rewrite_exit_code(result, check=True) == 1
    assert rewrite_exit_code(result, check=False) == 0


def test_json_shape(tmp_path: Path) -> None:
    out = io.StringIO()
    emit_rewrite(
        _result(tmp_path), "json", Console(file=out), written=0, dry_run=True, show_diff=False
    )
    data = json.loads(out.getvalue())
    assert data["files_changed"] == ["app/a.py", "app/b.py", "app/c.py"]
    assert data["imports_rewritten"] == {"from": 1, "from-star": 1, "import-as": 1}
    assert data["star_imports"] == [{"path": "app/c.py", "line": 1, "names": ["helper"]}]
    assert {"path", "form", "line", "old", "new", "count"} <= set(data["changes"][0])
    assert data["skipped"][0]["reason"].startswith("legacy module")


def test_a_missing_compat_module_is_called_the_compat_module(tmp_path: Path) -> None:
    rename_map = dataclasses.replace(
        RENAME_MAP, moves=(*RENAME_MAP.moves, ModuleMove(legacy="compat", target="unified"))
    )
    repo = make_repo(tmp_path, FILES)
    result = rewrite_repo(repo, rename_map, jobs=1, compat_module="compat")
    (message,) = [f.message for f in result.findings if f.rule == "legacy-module-missing"]
    assert message.startswith("compat module compat has no file in the repository")
    assert "legacy" not in message


def test_markdown_is_a_report_with_the_diff_in_a_diff_block(tmp_path: Path) -> None:
    out = io.StringIO()
    emit_rewrite(
        _result(tmp_path),
        "markdown",
        Console(file=out, width=80),
        written=0,
        dry_run=True,
        show_diff=True,
    )
    text = out.getvalue()
    assert text.startswith("# unify rewrite: ")
    assert "\n## Summary\n\n- 3 file(s) would change (0 written)" in text
    assert "\n## Findings\n\n" in text
    diff = text.split("\n## Diff\n\n```diff\n", 1)[1].split("\n```\n", 1)[0]
    assert "-from mvp_models import MVPUser\n+from unified import User" in diff
    assert "+y = mm.User\n\\ No newline at end of file" in diff
    assert text.rstrip().endswith("**0 error(s), 0 warning(s), 1 info**")
    assert "\n## Findings\n\n- info R" in text
