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


def concise_line(finding: Finding) -> str:
    """The one-line form (ruff's concise output): ``path:line: CODE [rule] message``, or
    ``table.column: CODE [rule] message (count)`` for a data finding."""
    where = finding_line(finding).split("  ", 1)[0]
    count = f" ({finding.count})" if finding.count is not None else ""
    return f"{where}: {finding.code} [{finding.rule}] {finding.message}{count}"


def print_concise(console: Console, findings: Iterable[Finding]) -> None:
    """One finding a line, never wrapped (a message is cut by no terminal width)."""
    for finding in sorted_findings(findings):
        console.print(
            concise_line(finding), highlight=False, markup=False, emoji=False, soft_wrap=True
        )


def wants_concise(console: Console, fmt: str, *tables: Table) -> bool:
    """``concise`` asked for, or ``auto`` on a pipe or a terminal narrower than the widest
    of ``tables`` needs without wrapping a message."""
    if fmt != "auto":
        return fmt == "concise"
    if not console.is_terminal:
        return True
    return any(needed_width(console, table) > console.width for table in tables)


def needed_width(console: Console, table: Table) -> int:
    """The width ``table`` takes with every cell on one line."""
    from rich.measure import Measurement

    options = console.options.update(width=100_000)
    return Measurement.get(console, options, table).maximum


def findings_table(
    findings: Sequence[Finding], title: str = "Findings", *, narrow: bool = False
) -> Table:
    """severity, where, code, rule, message; ``narrow`` leaves the rule name out (the code
    names it) and keeps ``where`` thin, so the message has the room."""
    table = Table(title=title, show_lines=False, expand=narrow)
    table.add_column("severity", no_wrap=True)
    table.add_column("where", overflow="fold", max_width=24 if narrow else None)
    table.add_column("code", no_wrap=True)
    if not narrow:
        table.add_column("rule", overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    for f in sorted_findings(findings):
        where = finding_line(f).split("  ", 1)[0]
        cells = [
            f"[{SEVERITY_STYLE[f.severity]}]{f.severity.value}[/]",
            escape(where),
            f.code,
            *([] if narrow else [f.rule]),
            escape(f.message),  # messages name TOML tables ([[merge]]): not markup
        ]
        table.add_row(*cells)
    return table


def summary_line(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return (
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} info"
    )


def print_findings(
    console: Console, findings: Sequence[Finding], title: str = "Findings", fmt: str = "table"
) -> None:
    """The findings as a table, or one a line (``concise``, or ``auto`` when the table would
    not fit), then the counts."""
    if findings:
        table = findings_table(findings, title)
        if wants_concise(console, fmt, table):
            print_concise(console, findings)
        elif needed_width(console, table) > console.width:
            console.print(findings_table(findings, title, narrow=True))
        else:
            console.print(table)
    console.print(summary_line(findings), highlight=False)


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, default=str)
