"""``unimported-duplicate-module``: a model module nothing imports that copies another one (a
``*_backup.py`` left in place).  Its classes would be taken for a further source of the same
entities."""

from __future__ import annotations

from unify.models import Finding, Inventory, Rule, Severity
from unify.resolve import unimported_copies

UNIMPORTED_DUPLICATE_MODULE = Rule(
    name="unimported-duplicate-module",
    code="U025",
    severity=Severity.WARNING,
    summary="a model module nothing imports defines the same classes on the same tables as another",
)


def check_unimported_copies(inventory: Inventory) -> list[Finding]:
    modules = {m.name: m for m in inventory.modules}
    out = []
    for name, original in sorted(unimported_copies(inventory).items()):
        module = modules[name]
        classes = ", ".join(sorted({c.name for c in module.classes if not c.guarded}))
        out.append(
            UNIMPORTED_DUPLICATE_MODULE.finding(
                f"{name} is imported by nothing and defines the classes of {original} on the "
                f"same tables ({classes}): a dead copy; `unify plan` retires it "
                f"(retired_modules) and `unify archive` moves it away, or delete it",
                path=module.path,
                line=1,
                objects=(name, original),
            )
        )
    return out
