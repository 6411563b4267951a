"""``unify rewrite``: rewrite every import of a legacy module across a repository.

What the stage does, in order (the parts live in ``unify.rewrite``):

1. list the repository's files (``unify.scan``) and resolve the rename map against them
   (``rewrite.map``): which files are legacy, which are targets, where each name goes;
2. a cheap byte prefilter: only files mentioning a legacy module, a renamed class or a
   renamed table are candidates (``rewrite.repo``); legacy and target files are skipped;
3. rewrite each candidate (``rewrite.runner`` -> ``rewrite.source``; a process pool for many
   files; workers return new text and never write): one ``FileOutcome`` per candidate;
4. the run's own findings (missing modules, other suffixes, unparsable files);
5. ``apply_rewrites`` writes all of them or none (``rewrite.writing``).
"""

from __future__ import annotations

from pathlib import Path

from unify.errors import InputError
from unify.models import (
    Failed,
    FileOutcome,
    Finding,
    RenameMap,
    RewriteResult,
    Rewritten,
    Rule,
    rule_catalogue,
)
from unify.rewrite.dynamic import DYNAMIC_LEGACY_REFERENCE
from unify.rewrite.fallbacks import DEAD_FALLBACK
from unify.rewrite.map import build_rename_index, prefilter
from unify.rewrite.plancheck import PLAN_UNKNOWN_CLASS, check_plan_classes
from unify.rewrite.reach import LEGACY_NAME_THROUGH_MODULE
from unify.rewrite.repo import (
    LEGACY_MODULE_MISSING,
    PYTHON_UNDER_OTHER_SUFFIX,
    SYMLINK_OUTSIDE_ROOT,
    TARGET_MODULE_MISSING,
    UNPARSABLE_FILE,
    mentions,
    other_sources,
    outside_links,
    run_findings,
    same_files,
    select_only,
    skipped,
    unprocessable,
    unreadable,
)
from unify.rewrite.rewriter import NAME_KEPT_BY_ALIAS, STAR_IMPORT_REPLACED
from unify.rewrite.runner import POOL_THRESHOLD, Progress, default_jobs, run_files
from unify.rewrite.sideeffects import REDUNDANT_SIDE_EFFECT_IMPORT
from unify.rewrite.sql import RAW_SQL_RENAMED_TABLE
from unify.rewrite.stars import STAR_EXPORTS_GUESSED, STAR_NAME_GONE, UNKNOWN_STAR_EXPORTS
from unify.rewrite.writing import apply_rewrites, dirty_files, pending
from unify.scan import ModuleIndex, describe_files, list_repo_files

__all__ = [
    "POOL_THRESHOLD",
    "RULES",
    "apply_rewrites",
    "check_plan_classes",
    "default_jobs",
    "dirty_files",
    "pending",
    "rewrite_repo",
]

RULES: dict[str, Rule] = rule_catalogue(
    UNPARSABLE_FILE,
    DYNAMIC_LEGACY_REFERENCE,
    DEAD_FALLBACK,
    STAR_IMPORT_REPLACED,
    NAME_KEPT_BY_ALIAS,
    LEGACY_MODULE_MISSING,
    PYTHON_UNDER_OTHER_SUFFIX,
    UNKNOWN_STAR_EXPORTS,
    TARGET_MODULE_MISSING,
    PLAN_UNKNOWN_CLASS,
    SYMLINK_OUTSIDE_ROOT,
    STAR_NAME_GONE,
    STAR_EXPORTS_GUESSED,
    LEGACY_NAME_THROUGH_MODULE,
    REDUNDANT_SIDE_EFFECT_IMPORT,
    RAW_SQL_RENAMED_TABLE,
)
# uses of a legacy name the rewrite left as they were: ``--check`` fails while one remains
LEFT_BEHIND = frozenset({STAR_NAME_GONE.name, LEGACY_NAME_THROUGH_MODULE.name})


def rewrite_repo(
    root: Path,
    rename_map: RenameMap,
    *,
    include_other_suffixes: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    legacy_paths: tuple[str, ...] = (),
    compat_module: str | None = None,
    only: tuple[str, ...] = (),
    plan_findings: tuple[Finding, ...] = (),
) -> RewriteResult:
    """Compute every candidate file's outcome; nothing is written.  ``legacy_paths`` (the
    plan's legacy files, repo-relative) limits the legacy modules to those files;
    ``compat_module`` names the plan's compat module in findings; ``plan_findings`` (of
    ``check_plan_classes``) join the run's findings.  ``only`` (files, folders, globs) keeps
    the outcomes of those files; the others still to rewrite are ``outside``.  A folder
    without Python files is an ``InputError``."""
    files = list_repo_files(root)
    picked = select_only(files.root, (*files.python, *files.other_python), only) if only else None
    # a plan's legacy file already deleted keeps its place in the index, so that its
    # importers (and only they) still resolve to it
    absent = tuple(sorted(set(legacy_paths) - set(files.python)))
    described = describe_files(files.root, [*files.python, *absent])
    sources = tuple(f for f in described if f.rel not in absent)
    names = build_rename_index(rename_map, ModuleIndex(described), legacy_paths, absent)
    extra = other_sources(files.other_python) if include_other_suffixes else ()
    if not sources and not extra:
        raise InputError(f"{files.root}: no Python files to rewrite")
    pattern = prefilter(names.tokens)
    candidates = [f for f in (*sources, *extra) if mentions(files.root / f.rel, pattern)]
    outcomes: list[FileOutcome] = list(skipped(candidates, names, compat_module))
    todo, links = same_files(files.root, candidates, files.python)
    outcomes.extend(links)
    todo = [f for f in todo if f.rel not in names.legacy_files and f.rel not in names.target_files]
    outcomes.extend(run_files(files.root, todo, names, jobs or default_jobs(), progress))
    outcomes.sort(key=lambda o: o.path)
    found = run_findings(names, files.other_python, include_other_suffixes, compat_module)
    links_outside, mentioning = outside_links(files.root, files.outside_links, pattern)
    outside: list[str] = []
    if picked is not None:  # --only: the others are only counted
        left = (Rewritten, Failed)
        outside = [o.path for o in outcomes if o.path not in picked and isinstance(o, left)]
        outcomes = [o for o in outcomes if o.path in picked]
    legacy = {*names.moves, *(module for module, _ in names.renames), *names.legacy_files.values()}
    holding = unprocessable(files.root, outcomes, legacy)
    return RewriteResult(
        root=str(files.root),
        outcomes=tuple(outcomes),
        outside=tuple(outside),
        findings=(*found, *unreadable(outcomes, holding), *links_outside, *plan_findings),
        files_scanned=len(sources) + len(extra),
        candidates=len(candidates),
        other_python_files=files.other_python,
        unprocessed=tuple(sorted({*holding, *mentioning, *_left(outcomes)})),
    )


def _left(outcomes: list[FileOutcome]) -> list[str]:
    """Files where a use of a legacy name was left as it was (reported, not rewritten)."""
    return [
        o.path for o in outcomes if any(f.rule in LEFT_BEHIND for f in getattr(o, "findings", ()))
    ]
