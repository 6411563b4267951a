"""Where the built modules go, and writing them all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from unify.errors import InputError
from unify.journal import FileWrite, replace_files
from unify.models import BuiltFile, BuiltRole


def built_file(root: Path, rel: str, module: str, text: str, role: BuiltRole) -> BuiltFile:
    """``text`` to be written at ``rel``, with the text it replaces."""
    path = root / rel
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    return BuiltFile(rel=rel, module=module, text=text, role=role, previous=previous)


def write_build(dest: Path, files: Sequence[BuiltFile]) -> tuple[Path, ...]:
    """Write every file under ``dest``, all or nothing (``unify.journal``: temp files, a
    journal and backups under ``dest/.unify``, rolled back by the next run if this one is
    killed)."""
    try:
        for built in files:
            (dest / built.rel).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{dest}: cannot write the built modules ({exc.strerror or exc})"
        ) from None
    writes = [FileWrite(rel=b.rel, data=b.text.encode("utf-8")) for b in files]
    replace_files(dest, writes, command="build")
    return tuple(dest / b.rel for b in files)
