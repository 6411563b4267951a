"""The data checks of ``unify verify``, computed in SQL on the restored database.

One module per rule family, each holding its Rule records next to the function that makes its
checks (a ``CheckFamily``); ``CHECKS`` lists them once, and the stage runs them in that order.
A new data check is one new module here, one entry in ``CHECKS`` and its section in
docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from unify.mapping.metadata import rebuild_type
from unify.mapping.tables import TableMap
from unify.models import DataMapping, Finding, Rule, SchemaShape
from unify.verify.checks import (
    casts,
    consistency,
    dependents,
    lengths,
    merges,
    not_null,
    orphans,
    unique,
)
from unify.verify.checks.query import Check, CheckFamily, Columns

CHECKS: tuple[CheckFamily, ...] = (
    orphans.FAMILY,
    casts.FAMILY,
    lengths.FAMILY,
    not_null.FAMILY,
    unique.FAMILY,
    merges.FAMILY,
    consistency.FAMILY,
    dependents.FAMILY,
)
RULES: tuple[Rule, ...] = tuple(rule for family in CHECKS for rule in family.rules)


def data_checks(
    schema: SchemaShape,
    reflected: sa.MetaData,
    tables: TableMap,
    samples: int,
    mapping: DataMapping | None = None,
) -> list[Check]:
    """Every data check the unified schema calls for, as SQL, family by family; with the
    data ``mapping``, the data is judged as the migration will move it."""
    cols = Columns(
        unified={t.name: {c.name: rebuild_type(c) for c in t.columns} for t in schema.tables},
        reflected=reflected,
        tables=tables,
        mapping=mapping,
    )
    return [check for family in CHECKS for check in family.make(schema, cols, samples)]


def run_checks(
    conn: Connection,
    checks: Sequence[Check],
    progress: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Run the checks in the caller's (read-only) transaction; the findings of those that
    count.  ``progress(done, total)`` is called after each check."""
    # A check returns a few rows per worker, whatever the planner guesses for a cast join
    # key: let it scan in parallel as it would for a plain count.
    conn.execute(sa.text("SET LOCAL parallel_tuple_cost = 0.001"))
    found: list[Finding] = []
    for done, check in enumerate(checks, 1):
        found += run_check(conn, check)
        if progress is not None:
            progress(done, len(checks))
    return found


def run_check(conn: Connection, check: Check) -> list[Finding]:
    """Run one check's query; a finding of its rule when it counts rows."""
    count, found = conn.execute(sa.text(check.sql)).one()
    if not count:
        return []
    return [
        check.rule.finding(
            check.message.format(count=int(count)),
            table=check.table,
            column=check.column,
            count=int(count),
            samples=tuple(str(s) for s in found or ()),
        )
    ]


__all__ = ["CHECKS", "RULES", "Check", "CheckFamily", "Columns", "data_checks", "run_checks"]
