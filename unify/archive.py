"""``unify archive``: retire the legacy model modules once nothing imports them.

In order:

1. ``module_files``: the files of the plan's legacy modules and of its compat module that
   are still in the repository (``unify.scan``; the plan's ``legacy_paths`` when it has them);
2. ``plan_archive``: from analyze's import records, which files still import a legacy module
   that is not the unified module (a legacy module of the target's name *is* the unified
   module now, and stays), or, with ``remove_compat``, the compat module; where each legacy
   file goes (``<dest>/<module>_pre_merge_<YYYYMMDD>.py``); whether git tracks it;
3. ``apply_archive``: every move and deletion, or none: checked first, then ``git mv`` (or a
   rename outside git) one by one, the compat module parked under a temporary name; a failure
   puts back what was done.  Deletions are final only once every move has succeeded.

Later scans skip the archive folder and archived names (``unify.scan.ARCHIVE_DIR``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path, PurePosixPath

from unify.errors import ArchiveAborted, InputError, reason
from unify.models import ArchiveMove, ArchivePlan, Importer, Inventory, Plan
from unify.scan import ARCHIVE_DIR, describe_files, list_repo_files

__all__ = [
    "ARCHIVE_DIR",
    "ArchiveAborted",
    "apply_archive",
    "archive_name",
    "module_files",
    "plan_archive",
]


def archive_name(module: str, day: date) -> str:
    """``old_models`` -> ``old_models_pre_merge_20261202.py``."""
    return f"{module.replace('.', '_')}_pre_merge_{day:%Y%m%d}.py"


def module_files(root: Path, plan: Plan) -> dict[str, str]:
    """``module -> repository-relative file`` for the plan's legacy, target and compat modules
    that have a file (a module named by several files: the plan's ``legacy_paths`` decide,
    else an ``InputError``)."""
    files = describe_files(root, list_repo_files(root).python)
    wanted = {*plan.legacy_modules, *plan.retired_modules, plan.target_module, plan.compat_module}
    found: dict[str, list[str]] = {}
    for f in files:
        if f.module in wanted:
            found.setdefault(f.module, []).append(f.rel)
    chosen: dict[str, str] = {}
    for module, rels in sorted(found.items()):
        picked = [r for r in rels if r in plan.legacy_paths] or rels
        if len(picked) > 1:
            raise InputError(
                f"{module}: {len(picked)} files have that name ({', '.join(picked[:3])}); "
                "name the legacy files with `unify plan --models PATH`"
            )
        chosen[module] = picked[0]
    return chosen


def plan_archive(
    root: Path,
    plan: Plan,
    inventory: Inventory,
    files: dict[str, str],
    *,
    dest: str = ARCHIVE_DIR,
    day: date | None = None,
    remove_compat: bool = False,
) -> ArchivePlan:
    """What to move and delete, and the importers that stop it.  ``files`` is
    ``module_files``; ``inventory`` analyze's inventory of those files."""
    folder = _dest_folder(root, dest)
    leaving_modules = (*plan.legacy_modules, *plan.retired_modules)
    retired = {files[m]: m for m in leaving_modules if m != plan.target_module and m in files}
    removals = (files[plan.compat_module],) if remove_compat and plan.compat_module in files else ()
    leaving = set(retired) | set(removals)
    watched = {**retired, **dict.fromkeys(removals, plan.compat_module)}
    blockers = sorted(
        {
            Importer(module=watched[r.target_path], path=r.path, line=r.line)
            for r in inventory.imports
            if r.target_path in watched and r.path not in leaving
        },
        key=lambda i: (i.path, i.line, i.module),
    )
    names = set(watched.values())
    dynamic = [
        Importer(module=d.module, path=d.path, line=d.line, dynamic=True)
        for d in inventory.dynamic_imports
        if d.module in names and d.path not in leaving
    ]
    tracked = _tracked(root, [*retired, *removals])
    today = day or date.today()
    moves = tuple(
        ArchiveMove(
            module=m, source=rel, dest=f"{folder}/{archive_name(m, today)}", git=rel in tracked
        )
        for rel, m in sorted(retired.items())
    )
    gone = tuple(m for m in leaving_modules if m != plan.target_module and m not in files)
    return ArchivePlan(
        root=str(root.resolve()),
        moves=moves,
        removals=removals,
        blockers=tuple(blockers),
        dynamic=tuple(dynamic),
        gone=gone,
        git_tracked=tuple(r for r in removals if r in tracked),
    )


def _dest_folder(root: Path, dest: str) -> str:
    """The archive folder relative to the repository root (it must lie inside it)."""
    path = Path(dest)
    full = path if path.is_absolute() else root / path
    try:
        rel = full.resolve().relative_to(root.resolve())
    except ValueError:
        raise InputError(f"--dest {dest}: not inside {root}") from None
    if not rel.parts:
        raise InputError(f"--dest {dest}: give a folder inside {root}, not its root")
    return PurePosixPath(*rel.parts).as_posix()


def _tracked(root: Path, rels: Iterable[str]) -> set[str]:
    """Those of ``rels`` that git tracks (empty outside a git work tree)."""
    rels = list(rels)
    if not rels:
        return set()
    proc = _git(root, "ls-files", "-z", "--", *rels)
    if proc is None or proc.returncode != 0:
        return set()
    return {n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


# ---------------------------------------------------------------------------
# Applying: every move and deletion, or none
# ---------------------------------------------------------------------------


def apply_archive(plan: ArchivePlan) -> int:
    """Move every legacy file and delete the compat module, or change nothing; return how
    many files were moved or deleted.  Refuses (``InputError``) while importers are left."""
    root = Path(plan.root)
    if plan.blockers:
        raise InputError(f"{len(plan.blockers)} import(s) left; nothing archived")
    _check_ready(root, plan)
    done: list[ArchiveMove] = []
    parked: list[tuple[str, Path]] = []
    made = _missing_folders(root, plan)
    try:
        for folder in made:
            folder.mkdir()
        for move in plan.moves:
            _move(root, move.source, move.dest, move.git)
            done.append(move)
        for rel in plan.removals:
            parked.append((rel, _park(root / rel)))
    except (OSError, ArchiveAborted) as exc:
        _roll_back(root, done, parked, made)
        raise ArchiveAborted(f"cannot archive ({reason(exc)}); nothing changed") from None
    for rel, temp in parked:
        if rel in plan.git_tracked:
            _git(root, "rm", "-q", "--cached", "--", rel)
        temp.unlink(missing_ok=True)
    return len(done) + len(parked)


def _check_ready(root: Path, plan: ArchivePlan) -> None:
    for move in plan.moves:
        if not (root / move.source).is_file():
            raise InputError(f"{move.source}: no such file; nothing archived")
        if (root / move.dest).exists():
            raise InputError(f"{move.dest}: already exists; nothing archived")
    for rel in plan.removals:
        if not (root / rel).is_file():
            raise InputError(f"{rel}: no such file; nothing archived")


def _missing_folders(root: Path, plan: ArchivePlan) -> list[Path]:
    """The archive folders to create, outermost first (removed again on failure)."""
    out: list[Path] = []
    for move in plan.moves:
        for parent in reversed((root / move.dest).parents):
            if parent not in out and not parent.exists():
                out.append(parent)
    return out


def _move(root: Path, source: str, dest: str, git: bool) -> None:
    if not git:
        os.rename(root / source, root / dest)
        return
    proc = _git(root, "mv", "--", source, dest)
    if proc is None or proc.returncode != 0:
        error = proc.stderr.decode("utf-8", "replace").strip() if proc else "git not found"
        raise ArchiveAborted(f"git mv {source} {dest}: {error}")


def _park(path: Path) -> Path:
    """Rename ``path`` to a temporary name in its folder (deleted once all went well)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".unify", dir=path.parent)
    os.close(fd)
    os.replace(path, temp)
    return Path(temp)


def _roll_back(
    root: Path, done: list[ArchiveMove], parked: list[tuple[str, Path]], made: list[Path]
) -> None:
    for rel, temp in reversed(parked):
        os.replace(temp, root / rel)
    for move in reversed(done):
        if move.git:
            _git(root, "mv", "--", move.dest, move.source)
        else:
            os.rename(root / move.dest, root / move.source)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


