"""Rendering of ``unify rewrite``: the unified diff, the summary, JSON."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from unify.errors import ExitCode, InputError
from unify.models import Failed, Finding, RewriteResult, Rewritten, Severity, Skipped
from unify.report import (
    concise_line,
    dumps,
    finding_dict,
    sorted_findings,
    summary_line,
)


def rewritten(result: RewriteResult) -> list[Rewritten]:
    return [o for o in result.outcomes if isinstance(o, Rewritten)]


def all_findings(result: RewriteResult) -> list[Finding]:
    out = list(result.findings)
    for outcome in result.outcomes:
        out.extend(getattr(outcome, "findings", ()))
    return out


def rewrite_exit_code(result: RewriteResult, check: bool) -> int:
    """1 on an error finding (nothing was written); with ``--check``, also while a legacy
    import remains: a file would change or failed, or a file that mentions a legacy module
    could not be processed."""
    if any(f.severity is Severity.ERROR for f in all_findings(result)):
        return int(ExitCode.FINDINGS)
    changed = any(isinstance(o, (Rewritten, Failed)) for o in result.outcomes)
    if check and (changed or result.unprocessed):
        return int(ExitCode.FINDINGS)
    return int(ExitCode.CLEAN)


# ---------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------


def diff_text(result: RewriteResult) -> str:
    """A unified diff of every rewritten file (``a/path`` -> ``b/path``)."""
    parts: list[str] = []
    for outcome in rewritten(result):
        lines = difflib.unified_diff(
            outcome.old_text.splitlines(keepends=True),
            outcome.new_text.splitlines(keepends=True),
            fromfile=f"a/{outcome.path}",
            tofile=f"b/{outcome.path}",
        )
        parts.extend(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
    return "".join(parts)


def write_diff(result: RewriteResult, path: Path) -> None:
    try:
        path.write_text(diff_text(result), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the diff ({exc.strerror})") from None


def print_diff(console: Console, text: str) -> None:
    """Coloured on a terminal; rich drops the styles when the output is piped."""
    for line in text.splitlines():
        console.print(
            Text(line, style=_diff_style(line)), highlight=False, markup=False, emoji=False
        )


def _diff_style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    if line.startswith("@@"):
        return "cyan"
    return ""


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def summary(result: RewriteResult) -> dict[str, Any]:
    forms: Counter[str] = Counter()
    names: Counter[str] = Counter()
    strings = 0
    for outcome in rewritten(result):
        for change in outcome.changes:
            if change.form == "name":
                names[f"{change.old} -> {change.new}"] += change.count
            elif change.form == "string":
                strings += 1
            else:
                forms[change.form] += 1
    return {
        "imports": dict(sorted(forms.items())),
        "names": dict(sorted(names.items())),
        "strings": strings,
    }


def result_dict(result: RewriteResult, *, written: int, dry_run: bool) -> dict[str, Any]:
    """The documented JSON shape of ``unify rewrite --format json``."""
    counts = summary(result)
    return {
        "root": result.root,
        "dry_run": dry_run,
        "files_scanned": result.files_scanned,
        "candidates": result.candidates,
        "files_changed": [o.path for o in rewritten(result)],
        "files_written": written,
        "imports_rewritten": counts["imports"],
        "names_renamed": counts["names"],
        "strings_changed": counts["strings"],
        "star_imports": [
            {"path": o.path, "line": c.line, "names": list(c.names)}
            for o in rewritten(result)
            for c in o.changes
            if c.form == "from-star"
        ],
        "changes": [
            {
                "path": o.path,
                "form": c.form,
                "line": c.line,
                "old": c.old,
                "new": c.new,
                "count": c.count,
            }
            for o in rewritten(result)
            for c in o.changes
        ],
        "skipped": [
            {"path": o.path, "reason": o.reason} for o in result.outcomes if isinstance(o, Skipped)
        ],
        "failed": [
            {"path": o.path, "error": o.error} for o in result.outcomes if isinstance(o, Failed)
        ],
        "other_python_files": list(result.other_python_files),
        "outside_only": {"files": list(result.outside), "groups": outside_groups(result)},
        "unprocessed": list(result.unprocessed),
        "findings": [finding_dict(f) for f in all_findings(result)],
    }


def emit_rewrite(
    result: RewriteResult,
    fmt: str,
    console: Console,
    *,
    written: int,
    dry_run: bool,
    show_diff: bool,
) -> None:
    if fmt == "json":
        console.print(
            dumps(result_dict(result, written=written, dry_run=dry_run)),
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=True,
        )
        return
    if fmt == "markdown":
        text = render_markdown(result, written=written, dry_run=dry_run, show_diff=show_diff)
        console.print(text, highlight=False, markup=False, emoji=False, soft_wrap=True)
        return
    if show_diff:
        print_diff(console, diff_text(result))
    findings = sorted_findings(all_findings(result))
    for line in [
        *summary_lines(result, written=written, dry_run=dry_run),
        *map(concise_line, findings),
    ]:
        console.print(line, highlight=False, markup=False, emoji=False)
    console.print(summary_line(findings), highlight=False, markup=False, emoji=False)


def render_markdown(result: RewriteResult, *, written: int, dry_run: bool, show_diff: bool) -> str:
    """A Markdown report: summary, findings, then the diff in a ``diff`` block."""
    findings = sorted_findings(all_findings(result))
    lines = [f"# unify rewrite: {result.root}", "", "## Summary", ""]
    lines += [f"- {line}" for line in summary_lines(result, written=written, dry_run=dry_run)]
    lines += ["", "## Findings", ""]
    lines += [_markdown_finding(f) for f in findings] or ["None."]
    diff = diff_text(result) if show_diff else ""
    if diff:
        lines += ["", "## Diff", "", "```diff", diff.rstrip("\n"), "```"]
    lines += ["", f"**{summary_line(findings)}**", ""]
    return "\n".join(lines)


def _markdown_finding(finding: Finding) -> str:
    where = f"`{finding.path}:{finding.line}` " if finding.path and finding.line else ""
    where = where or (f"`{finding.path}` " if finding.path else "")
    return f"- {finding.severity.value} {finding.code} {finding.rule}: {where}{finding.message}"


def summary_lines(result: RewriteResult, *, written: int, dry_run: bool) -> list[str]:
    counts = summary(result)
    changed = rewritten(result)
    verb = "would change" if dry_run else "changed"
    lines = [
        f"{len(changed)} file(s) {verb} ({written} written) of {result.candidates} candidate(s), "
        f"{result.files_scanned} file(s) scanned"
    ]
    if counts["imports"]:
        lines.append(
            "imports rewritten: " + ", ".join(f"{k} {v}" for k, v in counts["imports"].items())
        )
    if counts["names"]:
        lines.append(
            "names renamed: " + ", ".join(f"{k} ({v})" for k, v in counts["names"].items())
        )
    if counts["strings"]:
        lines.append(f"string references changed: {counts['strings']}")
    lines += [f"skipped {o.path}: {o.reason}" for o in result.outcomes if isinstance(o, Skipped)]
    lines += [f"failed {o.path}: {o.error}" for o in result.outcomes if isinstance(o, Failed)]
    if result.outside:
        groups = ", ".join(f"{g} {n}" for g, n in outside_groups(result).items())
        lines.append(f"outside --only: {len(result.outside)} file(s) still to rewrite ({groups})")
    if result.unprocessed:
        lines.append(
            f"{len(result.unprocessed)} file(s) mentioning a legacy module could not be "
            f"processed (--check fails): {', '.join(result.unprocessed)}"
        )
    return lines


def rewrite_next(
    repo: Path, plan: Path | None, *, diff_file: Path | None, written: int, check: bool
) -> list[str]:
    """The last lines of ``rewrite``: the diff file and the files written, the next command."""
    plan_opt = f" --plan {plan}" if plan is not None else ""
    lines = [f"wrote the diff to {diff_file}"] if diff_file is not None else []
    if check:
        return lines
    if written:
        lines.append(f"wrote {written} file(s); next: unify rewrite {repo}{plan_opt} --check")
    else:
        lines.append(f"no file written; to check: unify rewrite {repo}{plan_opt} --check")
    return lines


def outside_groups(result: RewriteResult) -> dict[str, int]:
    """Files outside ``--only`` still to rewrite, counted per folder (``./`` the root)."""
    groups = Counter(p.rpartition("/")[0] + "/" if "/" in p else "./" for p in result.outside)
    return dict(sorted(groups.items()))
