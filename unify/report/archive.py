"""Rendering of ``unify archive``: what moves (or would), what stops it, what to run next."""

from __future__ import annotations

from unify.models import ArchivePlan


def archive_lines(plan: ArchivePlan, *, dry_run: bool, changed: int, args: str) -> list[str]:
    """One line per importer left, per move and per deletion; the count and the next command
    last.  ``args`` is ``PATH --plan FILE`` as given."""
    if plan.blockers:
        lines = [
            f"{i.path}:{i.line}  still imports {i.module}; rewrite it first" for i in plan.blockers
        ]
        modules = ", ".join(sorted({i.module for i in plan.blockers}))
        files = len({i.path for i in plan.blockers})
        return [
            *lines,
            f"refused: {len(plan.blockers)} import(s) of {modules} left in {files} file(s); "
            "nothing archived",
            f"next: unify rewrite {args} --phase final, then unify archive {args} again",
        ]
    verb = "would move" if dry_run else "moved"
    gone = "would delete" if dry_run else "deleted"
    lines = [f"{verb} {m.source} -> {m.dest}" + (" (git mv)" if m.git else "") for m in plan.moves]
    lines += [f"{gone} {rel} (compat module, no importer left)" for rel in plan.removals]
    lines += [
        f"warning: {d.path}:{d.line}  names {d.module} in a string (dynamic import); "
        "it fails once the module is archived: edit it by hand"
        for d in plan.dynamic
    ]
    lines += [f"{m}: no file left (archived before)" for m in plan.gone]
    count = len(plan.moves) + len(plan.removals)
    if not count:
        lines.append("nothing to archive")
    elif dry_run:
        lines.append(f"{count} file(s) would change; nothing written (--dry-run)")
    else:
        lines.append(f"{changed} file(s) archived or deleted")
    return [*lines, f"next: unify status {args}"]
