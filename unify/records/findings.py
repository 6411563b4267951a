"""Findings: what every stage reports, and the rules that make them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

# ---------------------------------------------------------------------------
# Findings (shared by every stage)
# ---------------------------------------------------------------------------


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem found, as data.  ``rule`` is a stable kebab-case name, ``code`` a short id.

    Static findings carry ``path``/``line``; database findings carry ``table``/``column``,
    ``count`` (rows concerned) and ``samples`` (a few offending keys or values, as text).
    """

    rule: str
    code: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None
    count: int | None = None
    samples: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A catalogued rule: every finding of it carries this name, code and (default) severity.

    Each stage keeps its catalogue as ``{rule.name: rule}`` (see ``rule_catalogue``);
    ``docs/rules.md`` documents every one.
    """

    name: str
    code: str
    severity: Severity
    summary: str

    def finding(self, message: str, *, severity: Severity | None = None, **where: Any) -> Finding:
        """A finding of this rule; ``where`` takes Finding's location and count fields."""
        return Finding(
            rule=self.name,
            code=self.code,
            severity=severity or self.severity,
            message=message,
            **where,
        )


def rule_catalogue(*rules: Rule) -> dict[str, Rule]:
    """Index rules by name, refusing a name or code used twice."""
    names = {r.name for r in rules}
    codes = {r.code for r in rules}
    if len(names) != len(rules) or len(codes) != len(rules):
        raise ValueError("a rule name or code is used twice")
    return {r.name: r for r in rules}
