"""``unify analyze`` on the bundled legacy example: every problem PLANTED.md lists is found
with the right rule, and no error finding is invented."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from clihelp import run_unify

from unify.analyze import analyze_repo
from unify.models import Finding, Inventory, Severity
from unify.report.inventory import SHEETS

EXAMPLE = Path(__file__).resolve().parents[1] / "unify" / "examples" / "seqpt_legacy"
PLANTED = EXAMPLE / "PLANTED.md"


@dataclass(frozen=True)
class Planted:
    number: str
    rule: str
    places: tuple[tuple[str, int], ...]

    def matches(self, finding: Finding) -> bool:
        return finding.rule == self.rule and (finding.path, finding.line) in self.places


def planted_rows() -> list[Planted]:
    """The rows of section 1 of PLANTED.md: ``| # | rule | file:line[, file:line] | ...``."""
    text = PLANTED.read_text(encoding="utf-8")
    section = text.split("## 1.", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue
        places = tuple(
            (m.group(1), int(m.group(2))) for m in re.finditer(r"([\w./]+\.py):(\d+)", cells[2])
        )
        rows.append(Planted(cells[0], cells[1], places))
    return rows


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return analyze_repo(EXAMPLE)


def test_planted_rows_are_read() -> None:
    rows = planted_rows()
    assert len(rows) >= 20
    assert {r.rule for r in rows} >= {"dangling-fk", "fk-type-mismatch", "import-cycle"}


@pytest.mark.parametrize("row", planted_rows(), ids=lambda r: f"{r.number}-{r.rule}")
def test_every_planted_problem_is_found(inventory: Inventory, row: Planted) -> None:
    assert any(row.matches(f) for f in inventory.findings), (
        f"planted #{row.number} {row.rule} at {row.places} not found"
    )


def test_no_error_is_invented(inventory: Inventory) -> None:
    rows = planted_rows()
    invented = [
        f
        for f in inventory.findings
        if f.severity is Severity.ERROR and not any(r.matches(f) for r in rows)
    ]
    assert invented == []


def optional_places() -> set[tuple[str, str]]:
    """(rule, path) of the "May be reported ... not required" bullets of section 1."""
    text = PLANTED.read_text(encoding="utf-8").split("May be reported", 1)[1]
    text = text.split("Not planted", 1)[0]
    places = set()
    for bullet in text.split("\n- ")[1:]:
        rule = bullet.split()[0]
        places |= {(rule, m) for m in re.findall(r"([\w./]+\.py)", bullet)}
    return places


def test_no_warning_outside_the_planted_files_and_rules(inventory: Inventory) -> None:
    """Warnings may repeat a planted row on a sibling line (a second name of the same
    import) or be one PLANTED.md allows, never name another file or rule."""
    rows = planted_rows()
    places = {(r.rule, path) for r in rows for path, _ in r.places} | optional_places()
    stray = [
        (f.rule, f.path, f.line)
        for f in inventory.findings
        if f.severity is Severity.WARNING and (f.rule, f.path) not in places
    ]
    assert stray == []


def test_inventory_facts(inventory: Inventory) -> None:
    tables = {c.qualname: c.table for m in inventory.modules for c in m.classes}
    assert tables["unified_models.CompetencyAssessmentResult"] == "competency_assessment_result"
    assert tables["mvp_models.MVPUser"] == "mvp_users"
    assert tables["models.Competency"] == tables["unified_models.Competency"] == "competency"
    assert inventory.other_python_files == ("app/old_routes.py.unused",)
    # the dead copy is a model module too (found, reported, retired by the plan)
    assert [m.name for m in inventory.modules] == [
        "models",
        "mvp_models",
        "mvp_models_backup",
        "unified_models",
    ]
    assert tables["mvp_models.LoginEvent"] == "login_events"
    assert tables["mvp_models.PortalUserV2"] == "portal_users_v2"
    forms = {i.form for i in inventory.imports}
    assert forms == {"from", "from-star", "import", "import-as"}
    assert len({i.path for i in inventory.imports}) >= 21


def test_cli_exits_1_and_writes_the_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    book_path = tmp_path / "inventory.xlsx"
    proc = run_unify("analyze", EXAMPLE, "--xlsx", book_path)
    assert proc.returncode == 1, proc.stderr
    book = load_workbook(book_path)
    assert tuple(book.sheetnames) == SHEETS
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0][:3] == ("severity", "code", "rule")
    assert {row[2] for row in findings[1:]} >= {"dangling-fk", "import-cycle", "reexport"}


def test_the_versioned_user_copy_is_found_to_be_user(inventory: Inventory) -> None:
    """Case 6: PortalUserV2 (portal_users_v2, uuid ids) is the same entity as User."""
    pairs = [
        f.message
        for f in inventory.findings
        if f.rule == "duplicate-model" and (f.path, f.line) == ("mvp_models.py", 130)
    ]
    assert any(m.startswith("models.User and mvp_models.PortalUserV2 ") for m in pairs), pairs
