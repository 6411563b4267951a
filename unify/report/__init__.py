"""Rendering: records in, text out.  Library stages never print; the CLI calls these.

Shared pieces for every command's findings live here; each stage's own views live in a
sibling module (``inventory``, ``build``, ``rewrite``, ``verify``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from unify.errors import ExitCode
from unify.models import Finding, Severity

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def exit_code(findings: Iterable[Finding]) -> int:
    """0 when no finding is an error, else 1."""
    has_error = any(f.severity is Severity.ERROR for f in findings)
    return int(ExitCode.FINDINGS if has_error else ExitCode.CLEAN)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER[f.severity],
            f.path or "",
            f.line or 0,
            f.table or "",
            f.rule,
        ),
    )


def finding_dict(finding: Finding) -> dict[str, Any]:
    """The documented JSON shape of a finding (keys always present)."""
    return {
        "rule": finding.rule,
        "code": finding.code,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "table": finding.table,
        "column": finding.column,
        "count": finding.count,
        "samples": list(finding.samples),
        "objects": list(finding.objects),
        "message": finding.message,
    }


def finding_line(finding: Finding) -> str:
    """``path:line  CODE rule  message`` (or ``table.column`` for database findings)."""
    if finding.path:
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
    elif finding.table:
        where = f"{finding.table}.{finding.column}" if finding.column else finding.table
    else:
        where = "-"
    return f"{where}  {finding.code} {finding.rule}  {finding.message}"


def findings_table(findings: Sequence[Finding], title: str = "Findings") -> Table:
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("severity")
    table.add_column("where", overflow="fold")
    table.add_column("code")
    table.add_column("rule")
    table.add_column("message", overflow="fold")
    for f in sorted_findings(findings):
        where = finding_line(f).split("  ", 1)[0]
        table.add_row(
            f"[{SEVERITY_STYLE[f.severity]}]{f.severity.value}[/]",
            escape(where),
            f.code,
            f.rule,
            escape(f.message),  # messages name TOML tables ([[merge]]): not markup
        )
    return table


def summary_line(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return (
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} info"
    )


def print_findings(console: Console, findings: Sequence[Finding], title: str = "Findings") -> None:
    if findings:
        console.print(findings_table(findings, title))
    console.print(summary_line(findings), highlight=False)


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, default=str)
