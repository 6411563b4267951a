"""Output a person can read (issue 10): one finding per line when the terminal is narrow or the
output piped, tables that fit 80 columns, clean ``--help``, the files written and the next
command named last, progress bars on a terminal only, one-line errors for folders that cannot
be created, no Python exception class names."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from clihelp import run_unify, write_files
from rich.console import Console

from unify.analyze import analyze_repo
from unify.models import LedgerRow, MigrateResult
from unify.report import concise_line
from unify.report import inventory as inventory_report
from unify.report.migrate import emit_migrate
from unify.report.progress import progress_bar

EXAMPLE = Path(__file__).resolve().parents[1] / "unify" / "examples" / "seqpt_legacy"
UNIFY = Path(__file__).resolve().parents[1] / "unify"
COMMANDS = (
    "analyze", "plan", "build", "rewrite", "check", "archive", "status",
    "restore", "verify", "diagram", "docs", "example",
)  # fmt: skip


def run_at_80(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m unify ARGS`` piped, as in a terminal 80 columns wide."""
    return run_unify(*args, cwd=cwd, columns=80)


# ---------------------------------------------------------------------------
# --help
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_help_at_80_columns_has_plain_metavars(command: str) -> None:
    proc = run_at_80(*([command] if command else []), "--help")
    assert proc.returncode == 0, proc.stderr
    for bad in ("{", "<bool>", "<list[", "<str>", "<path>", "range>"):
        assert bad not in proc.stdout, (bad, proc.stdout)
    assert all(len(line) <= 80 for line in proc.stdout.splitlines()), proc.stdout


# ---------------------------------------------------------------------------
# concise form and tables at 80 columns
# ---------------------------------------------------------------------------


def test_analyze_concise_is_one_finding_per_line() -> None:
    inventory = analyze_repo(EXAMPLE)
    proc = run_at_80("analyze", EXAMPLE, "--format", "concise")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    for finding in inventory.findings:
        line = concise_line(finding)
        assert line in lines
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        assert line == f"{where}: {finding.code} [{finding.rule}] {finding.message}"
    assert "Models" not in proc.stdout and "┃" not in proc.stdout


def test_analyze_piped_output_is_concise() -> None:
    proc = run_at_80("analyze", EXAMPLE)
    assert proc.returncode == 1
    assert "┃" not in proc.stdout
    assert re.match(r"\d+ error\(s\), \d+ warning\(s\)", proc.stdout.splitlines()[-2])
    for finding in analyze_repo(EXAMPLE).findings:
        assert concise_line(finding) in proc.stdout.splitlines()


def test_auto_on_a_narrow_terminal_is_concise_on_a_wide_one_tables() -> None:
    inventory = analyze_repo(EXAMPLE)
    narrow = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    inventory_report.emit_inventory(inventory, "auto", narrow)
    text = narrow.file.getvalue()  # type: ignore[attr-defined]
    assert "┃" not in text
    for finding in inventory.findings:
        assert concise_line(finding) in text.splitlines()
    wide = Console(file=io.StringIO(), width=1000, force_terminal=True, color_system=None)
    inventory_report.emit_inventory(inventory, "auto", wide)
    assert "Models" in wide.file.getvalue()  # type: ignore[attr-defined]


def test_tables_fit_80_columns_without_cutting_names() -> None:
    inventory = analyze_repo(EXAMPLE)
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    inventory_report.emit_inventory(inventory, "table", console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    models = text.split("Imports of model modules")[0]
    rows = [line.split("│")[1:-1] for line in models.splitlines() if line.startswith("│")]
    column = "".join(cells[1].strip() for cells in rows)  # the class column, top to bottom
    for module in inventory.modules:
        for cls in module.classes:
            assert cls.name in column


def test_readme_try_it_at_80_columns_cuts_no_message(tmp_path: Path) -> None:
    """The README's first command, run piped at 80 columns: every finding's message is whole
    on one line, and every file written is named with the next command to run."""
    repo = tmp_path / "seqpt"
    example = run_at_80("example", repo)
    assert example.returncode == 0, example.stderr
    assert "unify analyze" in example.stdout + example.stderr
    analyzed = run_at_80("analyze", repo, "--xlsx", repo / "models.xlsx")
    assert analyzed.returncode == 1
    for finding in analyze_repo(repo).findings:
        assert any(finding.message in line for line in analyzed.stdout.splitlines()), finding
    tail = analyzed.stderr.strip().splitlines()[-2:]
    assert tail == [f"wrote {repo / 'models.xlsx'}", f"next: unify plan {repo} -o unify.toml"]
    built = run_at_80("build", repo, "--plan", repo / "unify.toml")
    assert built.returncode == 0, built.stdout + built.stderr
    last = (built.stdout + built.stderr).strip().splitlines()[-2:]
    assert "models_compat.py" in " ".join(last) and "unify rewrite" in " ".join(last)
    rewritten = run_at_80("rewrite", repo, "--plan", repo / "unify.toml", "--phase", "final")
    assert rewritten.returncode == 0, rewritten.stderr
    assert "unify rewrite" in (rewritten.stdout + rewritten.stderr).strip().splitlines()[-1]
    checked = run_at_80("rewrite", repo, "--plan", repo / "unify.toml", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for proc in (analyzed, built, rewritten, checked):
        assert "…" not in proc.stdout


def test_the_row_ledger_is_a_line_a_table_on_a_narrow_terminal() -> None:
    """``migrate --apply``'s ledger at 80 columns cut every table name and heading (``mvp_u…``,
    ``befo…``): narrow or piped, each legacy table is one whole line."""
    ledger = (
        LedgerRow(legacy="phase_questionnaire_responses", unified="phase_questionnaire_responses",
                  before=12, carried=12),
        LedgerRow(legacy="mvp_users", unified="users", before=6, merged_new=5, folded=1,
                  nulled=2),
        LedgerRow(legacy="mvp_settings", unified="", before=3, kept=3),
    )  # fmt: skip
    result = MigrateResult(revision="abc123", path="r.py", down_revision=None, applied=True,
                           ledger=ledger)  # fmt: skip
    narrow = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    emit_migrate(result, narrow)
    lines = narrow.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert "…" not in "\n".join(lines) and "┃" not in "\n".join(lines)
    assert lines[:4] == [
        "row ledger (rows of each legacy table: before -> where they went)",
        "phase_questionnaire_responses -> phase_questionnaire_responses: 12 before; "
        "12 carried; balanced",
        "mvp_users -> users: 6 before; 5 new, 1 folded, 2 nulled; balanced",
        "mvp_settings (not mapped): 3 before; 3 kept in unify_legacy; balanced",
    ]
    wide = Console(file=io.StringIO(), width=200, force_terminal=True, color_system=None)
    emit_migrate(result, wide)
    assert "┃" in wide.file.getvalue()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# files written, named last
# ---------------------------------------------------------------------------


def test_analyze_csv_and_plan_name_what_they_wrote(tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    proc = run_at_80("analyze", EXAMPLE, "--csv", out, "--format", "json")
    assert proc.returncode == 1
    assert f"wrote {out}" in proc.stderr and "unify plan" in proc.stderr
    plan = run_at_80("plan", EXAMPLE, "-o", tmp_path / "unify.toml")
    assert plan.returncode == 0, plan.stderr
    assert f"wrote {tmp_path / 'unify.toml'}" in plan.stderr and "unify build" in plan.stderr


# ---------------------------------------------------------------------------
# folders that cannot be created
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("example", "/proc/x"),
        ("plan", str(EXAMPLE), "-o", "/proc/x/unify.toml"),
        ("analyze", str(EXAMPLE), "--csv", "/proc/x"),
        ("analyze", str(EXAMPLE), "--xlsx", "/proc/x/models.xlsx"),
    ],
    ids=["example", "plan", "csv", "xlsx"],
)
def test_a_folder_that_cannot_be_created_is_one_line(args: tuple[str, ...]) -> None:
    proc = run_unify(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: /proc/x"), proc.stderr
    assert "internal error" not in proc.stderr and "Error:" not in proc.stderr


def test_no_exception_class_names_in_messages() -> None:
    """``type(exc).__name__`` and ``exc.__class__.__name__`` never reach a message."""
    pattern = re.compile(r"type\(exc\)\.__name__|exc\.__class__\.__name__")
    offenders = [
        str(path.relative_to(UNIFY))
        for path in UNIFY.rglob("*.py")
        if "examples" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ---------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------


def test_progress_bar_on_a_terminal() -> None:
    console = Console(file=io.StringIO(), width=80, force_terminal=True)
    with progress_bar(console, "files parsed") as tick:
        assert tick is not None
        analyze_repo(EXAMPLE, progress=tick)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "files parsed" in text and "━" in text


def test_no_progress_bar_when_not_a_terminal_or_quiet() -> None:
    piped = Console(file=io.StringIO(), width=80)
    with progress_bar(piped, "files parsed") as tick:
        assert tick is None
    terminal = Console(file=io.StringIO(), width=80, force_terminal=True)
    with progress_bar(terminal, "files parsed", quiet=True) as tick:
        assert tick is None
    assert terminal.file.getvalue() == ""  # type: ignore[attr-defined]


def test_no_progress_when_stderr_is_piped(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "r", {f"m{i}.py": "import os\n" for i in range(300)})
    proc = run_at_80("analyze", repo, "--format", "json")
    assert "━" not in proc.stderr and "\r" not in proc.stderr and "\x1b" not in proc.stderr
    assert run_at_80("--quiet", "analyze", repo).returncode == 0
