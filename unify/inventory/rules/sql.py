"""Rules about SQL written in code: ``raw-sql-legacy-table``."""

from __future__ import annotations

from collections.abc import Sequence

from unify.models import Finding, Rule, Severity, SqlReference

RAW_SQL_LEGACY_TABLE = Rule(
    name="raw-sql-legacy-table",
    code="U021",
    severity=Severity.WARNING,
    summary="SQL in a string names a model's table",
)


def check_sql_references(references: Sequence[SqlReference]) -> list[Finding]:
    out: list[Finding] = []
    for ref in references:
        columns = f" (columns {', '.join(ref.columns)})" if ref.columns else ""
        kind = "an f-string" if ref.formatted else "a string"
        out.append(
            RAW_SQL_LEGACY_TABLE.finding(
                f"{kind} of SQL names table {', '.join(ref.tables)}{columns}; SQL is not "
                f"rewritten with the models: when the plan renames or merges the table, "
                f"update it by hand (or set rewrite_sql = true in the plan's [unify] table)",
                path=ref.path,
                line=ref.line,
                objects=(*ref.tables, *ref.columns),
            )
        )
    return out
