"""Where the unified module is (or will be), whether the build has written it yet, and
where its model document goes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from unify.models import Inventory, Plan
from unify.resolve import module_rel

BUILT_MARK = "Built by `unify build`"
HEADER_LINES = 12


def unified_rel(inventory: Inventory, plan: Plan) -> str:
    """The unified module's file, relative to the repository root: where a module of that
    name is, else next to the first legacy module (where the build writes it)."""
    return module_rel(inventory, plan, plan.target_module)


def is_built(path: Path) -> bool:
    """``path`` exists and its docstring says the build wrote it."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = [handle.readline() for _ in range(HEADER_LINES)]
    return any(BUILT_MARK in line for line in head)


def doc_rel(unified: str, name: str) -> str:
    """The model document next to the unified module."""
    return str(PurePosixPath(unified).parent / name)


def write_text(path: Path, text: str) -> None:
    """Write through a temp file and ``os.replace``: a reader never sees half a file."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
