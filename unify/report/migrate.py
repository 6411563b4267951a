"""What ``unify migrate`` wrote and did: the revision, the row ledger, the verdict."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from unify.models import LedgerRow, MigrateResult
from unify.report import wants_concise


def ledger_table(result: MigrateResult) -> Table:
    """One row per legacy table: rows before, and where each went."""
    table = Table(title="row ledger", title_justify="left")
    for head in (
        "legacy table",
        "into",
        "before",
        "carried",
        "new",
        "folded",
        "deleted",
        "nulled",
        "kept",
        "ok",
    ):
        table.add_column(head, justify="left" if head in ("legacy table", "into") else "right")
    for row in result.ledger:
        table.add_row(
            row.legacy,
            row.unified or "-",
            str(row.before),
            str(row.carried),
            str(row.merged_new),
            str(row.folded),
            str(row.deleted),
            str(row.nulled),
            str(row.kept),
            "yes" if row.balanced else "NO",
        )
    return table


def ledger_line(row: LedgerRow) -> str:
    """``beta_users -> users: 6 before; 5 new, 1 folded, 2 nulled; balanced``: the counts that
    are not zero, as the table's columns name them."""
    into = f" -> {row.unified}" if row.unified else " (not mapped)"
    counts = (
        ("carried", row.carried),
        ("new", row.merged_new),
        ("folded", row.folded),
        ("deleted", row.deleted),
        ("nulled", row.nulled),
        ("kept in unify_legacy", row.kept),
    )
    went = ", ".join(f"{n} {what}" for what, n in counts if n) or "nothing to move"
    verdict = "balanced" if row.balanced else "NOT BALANCED"
    return f"{row.legacy}{into}: {row.before} before; {went}; {verdict}"


def ledger_json(result: MigrateResult) -> str:
    data: dict[str, Any] = {
        "revision": result.revision,
        "down_revision": result.down_revision,
        "applied": result.applied,
        "balanced": result.balanced,
        "ledger": [
            {
                "legacy": r.legacy,
                "unified": r.unified,
                "before": r.before,
                "carried": r.carried,
                "merged_new": r.merged_new,
                "folded": r.folded,
                "deleted": r.deleted,
                "nulled": r.nulled,
                "kept": r.kept,
                "balanced": r.balanced,
            }
            for r in result.ledger
        ],
        "tables": [
            {"table": c.table, "rows": c.rows, "expected": c.expected} for c in result.counts
        ],
        "findings": [
            {"code": f.code, "rule": f.rule, "message": f.message} for f in result.findings
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def emit_migrate(result: MigrateResult, console: Console) -> None:
    if result.at_head:
        console.print(f"the database is at head ({result.revision}): nothing to do", markup=False)
        return
    if result.ledger:
        table = ledger_table(result)
        if wants_concise(console, "auto", table):  # piped or narrow: a whole line a table
            console.print(
                "row ledger (rows of each legacy table: before -> where they went)", markup=False
            )
            for row in result.ledger:
                console.print(ledger_line(row), markup=False, highlight=False, soft_wrap=True)
        else:
            console.print(table)
    off = [c for c in result.counts if c.rows != c.expected]
    for count in off:
        console.print(
            f"{count.table}: {count.rows} row(s), the ledger says {count.expected}", markup=False
        )
    for finding in result.findings:
        console.print(f"{finding.code} [{finding.rule}] {finding.message}", markup=False)
    if result.applied:
        console.print(f"APPLIED: revision {result.revision}; the ledger balances", markup=False)
    else:
        console.print(
            f"ROLLED BACK: revision {result.revision} was not applied; the database is as it was",
            markup=False,
        )
