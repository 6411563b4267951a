"""``unify analyze`` as a user runs it: exit codes, one-line errors, JSON, workbook, CSV."""

from __future__ import annotations

import csv
import json
import os
import textwrap
from pathlib import Path

import pytest
from clihelp import run_unify, write_files

from unify.report.inventory import SHEETS

DB = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"
CLEAN = {
    "models.py": DB
    + textwrap.dedent(
        """
        class Organization(db.Model):
            __tablename__ = 'organization'
            id = db.Column(db.Integer, primary_key=True)
        class User(db.Model):
            __tablename__ = 'users'
            id = db.Column(db.Integer, primary_key=True)
            organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
        """
    ),
    "routes.py": "from models import User, Organization\n",
}


def test_clean_repo_exits_0(tmp_path: Path) -> None:
    proc = run_unify("analyze", write_files(tmp_path, CLEAN), "--format", "table")
    assert proc.returncode == 0, proc.stderr
    assert "Models" in proc.stdout and "0 error(s)" in proc.stdout


def test_error_findings_exit_1(tmp_path: Path) -> None:
    files = {**CLEAN, "routes.py": "from models import User, Missing\n"}
    proc = run_unify("analyze", write_files(tmp_path, files))
    assert proc.returncode == 1
    assert "broken-import" in proc.stdout and "1 error(s)" in proc.stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "{path}: no such file or folder"),
        (
            lambda p: write_files(p, {"a.py": "x = 1\n"}) / "a.py",
            "{path}: not a folder (give the repository's root folder)",
        ),
        (
            lambda p: write_files(p, {"README": "hi\n"}),
            "{path}: no Python files found (give the repository's root folder)",
        ),
    ],
    ids=["missing", "file", "empty"],
)
def test_bad_paths_exit_2_with_one_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    proc = run_unify("analyze", path)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {message.format(path=path)}\n"
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_symlink_loop_exits_2(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    proc = run_unify("analyze", tmp_path / "a")
    assert proc.returncode == 2
    assert proc.stderr == f"error: {tmp_path / 'a'}: a symlink loop\n"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = run_unify("--debug", "analyze", tmp_path / "missing")
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_unknown_models_option_exits_2(tmp_path: Path) -> None:
    root = write_files(tmp_path, CLEAN)
    proc = run_unify("analyze", root, "--models", "nope")
    assert proc.returncode == 2
    assert proc.stderr == f"error: --models nope: no such module or file in {root}\n"


def test_a_models_name_of_several_files_asks_for_a_path(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {"one/app/__init__.py": "", "one/app/models.py": CLEAN["models.py"],
         "two/app/__init__.py": "", "two/app/models.py": CLEAN["models.py"]},
    )  # fmt: skip
    proc = run_unify("analyze", root, "--models", "app.models")
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: --models app.models: 2 files have that name (one/app/models.py, "
        "two/app/models.py); give the path of one\n"
    )


def test_syntax_error_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    root = write_files(tmp_path, {**CLEAN, "broken.py": "def f(:\n"})
    (root / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    proc = run_unify("analyze", root, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert sorted((f["rule"], f["path"]) for f in data["findings"]) == [
        ("parse-error", "broken.py"),
        ("parse-error", "latin.py"),
    ]
    assert [m["name"] for m in data["models"]] == ["Organization", "User"]


def test_json_shape(tmp_path: Path) -> None:
    files = {**CLEAN, "routes.py": "from models import *\nprint(User)\n"}
    proc = run_unify("analyze", write_files(tmp_path, files), "-f", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert {"models", "findings", "imports", "modules", "summary", "root"} <= set(data)
    (finding,) = data["findings"]
    assert {"rule", "code", "severity", "path", "line", "message"} <= set(finding)
    assert (finding["rule"], finding["severity"], finding["path"], finding["line"]) == (
        "star-import",
        "warning",
        "routes.py",
        1,
    )
    user = next(m for m in data["models"] if m["name"] == "User")
    assert user["table"] == "users" and user["qualname"] == "models.User"
    assert {c["name"] for c in user["columns"]} == {"id", "organization_id"}
    assert user["foreign_keys"][0]["target_table"] == "organization"
    (imp,) = data["imports"]
    assert (imp["form"], imp["target"], imp["names"][0]["name"]) == ("from-star", "models", "User")
    assert data["summary"]["models"] == 2 and data["summary"]["warnings"] == 1


def test_markdown(tmp_path: Path) -> None:
    proc = run_unify("analyze", write_files(tmp_path, CLEAN), "--format", "markdown")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# unify analyze\n")
    assert "| `models` | `User` | model | `users` |" in proc.stdout


def test_xlsx_and_csv(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    root = write_files(tmp_path / "repo", CLEAN)
    out = tmp_path / "out"
    proc = run_unify("analyze", root, "--xlsx", tmp_path / "inv.xlsx", "--csv", out)
    assert proc.returncode == 0, proc.stderr
    book = load_workbook(tmp_path / "inv.xlsx")
    assert tuple(book.sheetnames) == SHEETS
    models = [row for row in book["Models"].iter_rows(values_only=True)]
    assert models[0][:4] == ("module", "name", "kind", "table")
    assert [r[1] for r in models[1:]] == ["Organization", "User"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.csv" for s in SHEETS)
    with (out / "ForeignKeys.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["table"], r["columns"], r["target_table"]) for r in rows] == [
        ("users", "organization_id", "organization")
    ]


def test_unwritable_workbook_exits_2(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", CLEAN)
    proc = run_unify("analyze", root, "--xlsx", tmp_path / "no" / "such" / "dir" / "inv.xlsx")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1


def test_large_inventories_print_compact_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unify.analyze import analyze_repo
    from unify.report import inventory as report

    inv = analyze_repo(write_files(tmp_path, CLEAN))
    pretty = report.render_json(inv)
    monkeypatch.setattr(report, "PRETTY_LIMIT", 0)
    compact = report.render_json(inv)
    assert "\n" in pretty and "\n" not in compact
    assert json.loads(pretty) == json.loads(compact)


def test_compact_json_is_json_dumps_compact_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compact writer (records written by a function made per record type) gives the
    very text of ``json.dumps`` with compact separators: every record kind of the bundled
    example (imports with nested names, attribute uses, module attributes, dynamic imports,
    SQL references, findings), and names outside ASCII."""
    from conftest import EXAMPLE

    from unify.analyze import analyze_repo
    from unify.report import inventory as report

    uses = "import models\nÉtat = models.User.organization_id\nmodels.Ünïcode.x\n"
    for root in (EXAMPLE, write_files(tmp_path, {**CLEAN, "views.py": uses})):
        inv = analyze_repo(root)
        expected = json.dumps(report.inventory_dict(inv), separators=(",", ":"), default=str)
        with monkeypatch.context() as patched:
            patched.setattr(report, "PRETTY_LIMIT", 0)
            assert inv.attribute_uses and report.render_json(inv) == expected


def test_usage_error_exits_2(tmp_path: Path) -> None:
    proc = run_unify("analyze", write_files(tmp_path, CLEAN), "--format", "yaml")
    assert proc.returncode == 2
    assert "'yaml' is not one of" in proc.stderr and "Traceback" not in proc.stderr
