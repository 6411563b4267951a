"""Rules about the files themselves: unreadable sources, Python under another suffix, and one
module name for several model files."""

from __future__ import annotations

from collections.abc import Sequence

from unify.models import Finding, ModuleClash, Rule, Severity

PARSE_ERROR = Rule(
    name="parse-error", code="U001", severity=Severity.ERROR, summary="a file Python cannot parse"
)
OTHER_PYTHON_FILE = Rule(
    name="other-python-file",
    code="U015",
    severity=Severity.INFO,
    summary="Python kept under another suffix",
)
MODULE_NAME_CLASH = Rule(
    name="module-name-clash",
    code="U016",
    severity=Severity.WARNING,
    summary="one dotted module name for several model files",
)


def parse_error(rel: str, line: int | None, reason: str, remedy: str) -> Finding:
    return PARSE_ERROR.finding(
        f"{rel} {reason}; it was skipped, so {remedy} and re-run",
        path=rel,
        line=line,
        objects=(rel,),
    )


def check_other_python(paths: Sequence[str]) -> list[Finding]:
    return [
        OTHER_PYTHON_FILE.finding(
            f"{p} holds Python under another suffix; it is not imported, but review it (delete it "
            f"or rename it to .py) so stale model code does not come back",
            path=p,
            line=None,
            objects=(p,),
        )
        for p in paths
    ]


def check_module_names(clashes: Sequence[ModuleClash]) -> list[Finding]:
    """Separate apps of one repository (``examples/*/app/models.py``) share a dotted name:
    imports cannot tell them apart, so neither can the inventory."""
    out = []
    for clash in sorted(clashes, key=lambda c: c.name):
        name, found = clash.name, clash.paths
        first, *others = found
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        out.append(
            MODULE_NAME_CLASH.finding(
                f"model module {name!r} is {len(found)} files ({first} and {shown}); a class name "
                f"they share is inventoried once, from {first}: analyze and plan one app at a "
                f"time with --models FILE",
                path=others[0],
                line=None,
                objects=(name, *found),
            )
        )
    return out
