"""Helpers shared by the tests: run the command line, write a small repository; the record of
the example built once per session (fixtures ``built_example`` and ``built_example_copy``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def run_unify(
    *args: str | Path,
    cwd: Path | None = None,
    columns: int = 400,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m unify ARGS`` in a subprocess: output ``columns`` wide (by default wide
    enough for one table row per finding), no colour, no database URL inherited; exit code,
    stdout and stderr are the caller's to check."""
    environ = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", **(env or {})}
    environ.pop("UNIFY_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "unify", *map(str, args)],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@dataclass(frozen=True)
class BuiltExample:
    """The bundled example after ``unify build`` (its plan, through the command line): the
    ``built_example`` fixture of conftest.py."""

    root: Path  # shared by the session: read it, or take ``built_example_copy``
    build: subprocess.CompletedProcess[str]


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (folders made as needed); text is
    dedented, so a test may indent a file's text with the code around it; bytes are written
    as they are.  Returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
