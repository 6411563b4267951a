"""docs/rules.md documents every rule of every stage: a new rule without docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from unify.appcheck import RULES as CHECK_RULES
from unify.build import RULES as BUILD_RULES
from unify.build import SELFCHECK_RULES
from unify.findings import RULES as ANALYZE_RULES
from unify.migrate import RULES as MIGRATE_RULES
from unify.rewrite_imports import RULES as REWRITE_RULES
from unify.verify_fks import RULES as VERIFY_RULES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def catalogue() -> list[tuple[str, str, str]]:
    """(code, rule, severity) of every build, self-check, rewrite, verify and check rule."""
    rules = [
        *BUILD_RULES.values(),
        *SELFCHECK_RULES.values(),
        *REWRITE_RULES.values(),
        *VERIFY_RULES.values(),
        *MIGRATE_RULES.values(),
        *CHECK_RULES.values(),
    ]
    rows = [(r.code, r.name, r.severity.value) for r in rules]
    return sorted(rows)


@pytest.fixture(scope="module")
def docs() -> str:
    return DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize(("code", "rule", "severity"), catalogue())
def test_rule_has_a_table_row_and_a_section(docs: str, code: str, rule: str, severity: str) -> None:
    anchor = f"{code.lower()}-{rule}"
    assert f"| {code} | [{rule}](#{anchor}) | {severity} |" in docs
    section = docs.split(f"\n### {code} {rule}\n", 1)[1].split("\n#", 1)[0]
    for part in ("**What.**", "**Why.**", "**How to fix.**"):
        assert part in section


def test_every_analyze_rule_is_in_the_analyze_table(docs: str) -> None:
    for rule in ANALYZE_RULES.values():
        assert f"| {rule.code} | [{rule.name}](#{rule.name}) | {rule.severity.value} |" in docs


def test_every_family_is_in_the_index(docs: str) -> None:
    headings = set(re.findall(r"^## (\w[\w-]*) rules$", docs, re.M))
    assert headings == {"analyze", "build", "self-check", "rewrite", "verify", "migrate", "check"}
    for family in headings:
        assert f"[{family}](#{family}-rules)" in docs.split("\n## ", 1)[0]


def test_no_documented_code_is_unknown(docs: str) -> None:
    known = {code for code, _, _ in catalogue()} | {r.code for r in ANALYZE_RULES.values()}
    documented = set(re.findall(r"^\| ([UBSRVMA]\d{3}) \|", docs, re.M))
    assert documented == known
