"""Where the built modules go, and writing them all or nothing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from unify.errors import InputError
from unify.models import BuiltFile, BuiltRole, Inventory, Plan


def module_rel(inventory: Inventory, plan: Plan, module: str) -> str:
    """Where ``module`` lives (or will live): next to the legacy modules."""
    for legacy in inventory.modules:
        if legacy.name == module:
            return legacy.path
    first = next((m for m in inventory.modules if m.name in plan.legacy_modules), None)
    root = PurePosixPath(first.root) if first and first.root else PurePosixPath()
    return str(root / (module.replace(".", "/") + ".py"))


def built_file(root: Path, rel: str, module: str, text: str, role: BuiltRole) -> BuiltFile:
    """``text`` to be written at ``rel``, with the text it replaces."""
    path = root / rel
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    return BuiltFile(rel=rel, module=module, text=text, role=role, previous=previous)


def write_build(dest: Path, files: Sequence[BuiltFile]) -> tuple[Path, ...]:
    """Write every file under ``dest`` (temp file + ``os.replace``); nothing is replaced
    unless every temp file was written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for built in files:
            target = dest / built.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(built.text)
            staged.append((Path(name), target))
    except OSError as exc:
        for staged_tmp, _ in staged:
            staged_tmp.unlink(missing_ok=True)
        raise InputError(
            f"{dest}: cannot write the built modules ({exc.strerror or exc})"
        ) from None
    for staged_tmp, final in staged:
        os.replace(staged_tmp, final)
    return tuple(final for _, final in staged)
