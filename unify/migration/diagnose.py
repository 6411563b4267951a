"""The diagnosis of a failed fill: which foreign key, how many rows; run only when something
is wrong.

The upgrade does not scan the legacy rows once per "fail" foreign key before filling the
unified tables.  It fills them first and lets the fill itself, and the foreign keys validated
after it, show that something is wrong: a remapped value with no row in the id map (the fill
joins the id map anyway), a plain value above the parent's highest key (one a merge gave a
new row), a value the unified foreign key finds no row for.  Only then does the upgrade run
the checks below, every one in load order, as the checks before the fill would have: the
first that counts rows raises its message with the count, and the transaction rolls back.
The checks kept before a fill (a cast key, whose check also proves every value converts)
call the same diagnosis when they count rows, so the first key in load order is reported
whatever found it.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGACY = "unify_legacy"
DIAGNOSE = f"{LEGACY}.unify_diagnose"
ORPHAN = f"{LEGACY}.unify_orphan"


@dataclass(frozen=True, slots=True)
class Check:
    """Rows of one legacy table that cannot be carried under a "fail" policy: ``rows`` is a
    FROM clause, ``predicate`` picks the failing rows, ``message`` has a ``%`` for their
    count.  A FROM clause of rows grouped by value counts each group's ``unify_rows``."""

    column: str  # the legacy column checked
    rows: str
    predicate: str
    message: str


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _count(check: Check) -> str:
    count = "sum(unify_rows)" if "unify_rows" in check.rows else "count(*)"
    return f"SELECT coalesce({count}, 0) INTO n FROM {check.rows} WHERE {check.predicate};"


def _raise(check: Check) -> str:
    return f"RAISE EXCEPTION {_quoted('unify: ' + check.message)}, n;"


def create(checks: list[Check]) -> tuple[str, ...]:
    """The diagnosis as a function (every check in order; the first that counts rows raises)
    and the function a fill calls on the first failing row it meets (the diagnosis, then its
    own message should the diagnosis count nothing)."""
    body = " ".join(f"{_count(c)} IF n > 0 THEN {_raise(c)} END IF;" for c in checks)
    return (
        f"CREATE FUNCTION {DIAGNOSE}() RETURNS void LANGUAGE plpgsql AS $unify$ "
        f"DECLARE n bigint; BEGIN {body} RETURN; END $unify$",
        f"CREATE FUNCTION {ORPHAN}(message text) RETURNS bigint LANGUAGE plpgsql AS $unify$ "
        f"BEGIN PERFORM {DIAGNOSE}(); RAISE EXCEPTION '%', message; END $unify$",
    )


def drop() -> tuple[str, ...]:
    return (f"DROP FUNCTION {ORPHAN}(text)", f"DROP FUNCTION {DIAGNOSE}()")


def on_row(check: Check) -> str:
    """SQL raising from inside a fill, for a row known to fail ``check``."""
    return f"{ORPHAN}({_quoted('unify: ' + check.message.replace('%', 'some'))})"


def detect(check: Check) -> str:
    """A check run before a fill: when it counts rows, the diagnosis reports the first
    failing check in load order (this one at the latest)."""
    return (
        f"DO $$ DECLARE n bigint; BEGIN {_count(check)} "
        f"IF n > 0 THEN PERFORM {DIAGNOSE}(); {_raise(check)} END IF; END $$"
    )


def on_violation(statement: str) -> str:
    """A plpgsql block running ``statement``: a foreign-key violation runs the diagnosis,
    then (should it count nothing) raises the violation as it was."""
    return (
        f"DO $$ DECLARE r record; BEGIN {statement} "
        f"EXCEPTION WHEN foreign_key_violation THEN PERFORM {DIAGNOSE}(); RAISE; END $$"
    )


__all__ = [
    "DIAGNOSE",
    "LEGACY",
    "ORPHAN",
    "Check",
    "create",
    "detect",
    "drop",
    "on_row",
    "on_violation",
]
