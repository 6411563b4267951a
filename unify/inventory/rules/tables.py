"""``duplicate-table``: two classes (not single-table subclasses) map one table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from unify.models import Finding, ModelClass, Rule, Severity

DUPLICATE_TABLE = Rule(
    name="duplicate-table",
    code="U002",
    severity=Severity.ERROR,
    summary="two classes map one table",
)


def mapped_classes(classes: Iterable[ModelClass]) -> list[ModelClass]:
    """Classes that map a table of their own (no mixin, abstract base or placeholder)."""
    return [c for c in classes if c.table and not c.mixin and not c.abstract and not c.guarded]


def check_duplicate_tables(classes: Sequence[ModelClass]) -> list[Finding]:
    """Two classes (not single-table subclasses) declaring the same ``__tablename__``."""
    by_table: dict[str, list[ModelClass]] = defaultdict(list)
    for cls in mapped_classes(classes):
        if cls.table_explicit or not _inherits_table(cls, classes):
            by_table[cls.table or ""].append(cls)
    out = []
    for table, owners in sorted(by_table.items()):
        for other in owners[1:]:
            first = owners[0]
            note = " (extend_existing hides it at runtime)" if other.extend_existing else ""
            out.append(
                DUPLICATE_TABLE.finding(
                    f"table '{table}' is mapped by {first.qualname} and {other.qualname}{note}; "
                    f"keep one class for it (merge them) and point the other's users at it",
                    path=other.path,
                    line=other.line,
                    objects=(first.qualname, other.qualname, table),
                )
            )
    return out


def _inherits_table(cls: ModelClass, classes: Sequence[ModelClass]) -> bool:
    parents = {c.name: c for c in classes if c.table and c is not cls}
    return any(parents.get(b.rsplit(".", 1)[-1]) is not None for b in cls.bases) and not any(
        col.primary_key and not col.from_mixin for col in cls.columns
    )
