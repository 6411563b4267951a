"""Views of a ``VerifyResult`` and a ``RestoreResult``: Rich tables, JSON and Markdown.

The terminal view prints the plan's Phase 4.1 report (``Created N tables`` and one
``table.cols -> table.cols`` line per foreign key), then the findings and a verdict.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from unify.models import Finding, RestoreResult, Severity, VerifyResult
from unify.report import (
    SEVERITY_STYLE,
    dumps,
    finding_dict,
    findings_table,
    print_concise,
    sorted_findings,
    summary_line,
    wants_concise,
)


def emit_verify(result: VerifyResult, fmt: str, console: Console) -> None:
    """Print the verification in ``fmt`` on ``console``: table, concise (one finding a
    line), auto (tables when they fit the terminal, else concise), json or markdown."""
    if fmt == "json":
        console.print(dumps(verify_dict(result)), markup=False, highlight=False, soft_wrap=True)
    elif fmt == "markdown":
        console.print(render_markdown(result), markup=False, highlight=False, soft_wrap=True)
    else:
        print_tables(result, console, fmt)


def is_ready(result: VerifyResult) -> bool:
    """True when no finding blocks the unified schema on this database."""
    return not any(f.severity is Severity.ERROR for f in result.findings)


def verdict(result: VerifyResult) -> str:
    if result.schema is None:
        return f"NOT READY: {result.module} does not load"
    if is_ready(result):
        return f"READY: {result.database} fits the unified schema of {result.module}"
    blocking = sum(1 for f in result.findings if f.severity is Severity.ERROR)
    return f"NOT READY: {blocking} finding(s) block the unified schema on {result.database}"


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def verify_dict(result: VerifyResult) -> dict[str, Any]:
    """The documented JSON object.

    Keys: ``module``, ``database`` (password masked), ``ready``, ``loaded``, ``scratch``
    (``backend``, ``tables``, ``foreign_keys`` as ``table.cols -> table.cols`` lines, or null),
    ``tables_compared``, ``checks_run`` and ``findings`` (each with ``rule``, ``code``,
    ``severity``, ``table``, ``column``, ``count``, ``samples``, ``message``, ...).
    """
    inspection = result.inspection
    return {
        "module": result.module,
        "database": result.database,
        "ready": is_ready(result),
        "loaded": result.schema is not None,
        "scratch": None
        if inspection is None
        else {
            "backend": inspection.backend,
            "tables": inspection.table_count,
            "foreign_keys": [fk.line for fk in inspection.foreign_keys],
        },
        "tables_compared": result.tables_compared,
        "checks_run": result.checks_run,
        "findings": [finding_dict(f) for f in sorted_findings(result.findings)],
    }


# ---------------------------------------------------------------------------
# Terminal
# ---------------------------------------------------------------------------


def print_tables(result: VerifyResult, console: Console, fmt: str = "table") -> None:
    """The Phase 4.1 report, the data checks and the schema findings (tables, or one
    finding a line), the counts of every finding printed, and the verdict."""
    if result.inspection is not None:
        inspection = result.inspection
        console.print(
            f"Created {inspection.table_count} tables on a scratch {inspection.backend} database",
            highlight=False,
        )
        for fk in inspection.foreign_keys:
            console.print(f"  {fk.line}", highlight=False, markup=False)
    data = data_table(result.findings)
    schema = findings_table([f for f in result.findings if f.count is None], "Schema")
    if wants_concise(console, fmt, data, schema):
        print_concise(console, result.findings)
    else:
        if any(f.count is not None for f in result.findings):
            console.print(data)
        if any(f.count is None for f in result.findings):
            console.print(schema)
    console.print(summary_line(result.findings), highlight=False)
    console.print(verdict(result), highlight=False, markup=False)


def data_table(findings: tuple[Finding, ...]) -> Table:
    """The data checks that counted rows: rule, where, rows, samples."""
    table = Table(title="Data checks", expand=False)
    for name in ("severity", "code", "rule", "table.column", "rows", "samples"):
        table.add_column(name, overflow="fold", justify="right" if name == "rows" else "left")
    for f in sorted_findings(findings):
        if f.count is not None:
            table.add_row(
                f"[{SEVERITY_STYLE[f.severity]}]{f.severity.value}[/]",
                f.code,
                f.rule,
                escape(f"{f.table}.{f.column}"),
                str(f.count),
                escape("; ".join(f.samples)),
            )
    return table


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------


def render_markdown(result: VerifyResult) -> str:
    lines = [f"# unify verify: {result.module}", "", f"Database: `{result.database}`", ""]
    if result.inspection is not None:
        inspection = result.inspection
        lines += [
            f"## Scratch schema ({inspection.backend})",
            "",
            f"Created {inspection.table_count} tables.",
            "",
            *[f"- `{fk.line}`" for fk in inspection.foreign_keys],
            "",
        ]
    lines += ["## Findings", ""]
    if result.findings:
        lines += [
            "| severity | rule | where | rows | samples | message |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_markdown_row(f) for f in sorted_findings(result.findings)]
    else:
        lines.append("None.")
    lines += ["", f"**{verdict(result)}**", ""]
    return "\n".join(lines)


def _markdown_row(f: Finding) -> str:
    where = f"{f.table}.{f.column}" if f.column else (f.table or "-")
    cells = [
        f.severity.value,
        f.rule,
        f"`{where}`",
        "" if f.count is None else str(f.count),
        ", ".join(f"`{s}`" for s in f.samples),
        f.message,
    ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


# ---------------------------------------------------------------------------
# restore
# ---------------------------------------------------------------------------


def restore_lines(result: RestoreResult) -> tuple[list[str], str]:
    """(what was skipped, and how many of each kind, for stderr; the new database's masked
    URL, for stdout)."""
    notes = [f"skipped {item}" for item in result.skipped]
    if result.skipped_counts:
        total = sum(count for _, count in result.skipped_counts)
        kinds = ", ".join(f"{count} {kind}" for kind, count in result.skipped_counts)
        notes.append(f"skipped {total} statement(s): {kinds}")
    notes.append(f"restored {result.dump_format} dump into new database {result.database}")
    return notes, result.url
