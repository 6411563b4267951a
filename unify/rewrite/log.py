"""What one file's rewrite records while it runs: its changes, findings and import lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from unify.models import Finding, RewriteChange


@dataclass(slots=True)
class EditLog:
    """The changes and findings of one file, and where its rewritten imports were."""

    path: str
    text: str
    cursor: int = 0
    changes: list[RewriteChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)  # id(import node) -> line
    offsets: dict[int, int] = field(default_factory=dict)  # id(import node) -> offset
    renamed: Counter[tuple[str, str]] = field(default_factory=Counter)

    def line_of(self, code: str, start: int | None = None) -> int | None:
        at = self.text.find(code.strip(), self.cursor if start is None else start)
        if at < 0:
            return None
        if start is None:
            self.cursor = at + 1
        return self.text.count("\n", 0, at) + 1
