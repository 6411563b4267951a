"""The bundled legacy example, shipped as package data under ``unify/examples/``."""

from __future__ import annotations

import shutil
from pathlib import Path

from unify.errors import InputError

EXAMPLE_ROOT = Path(__file__).resolve().parent / "examples" / "seqpt_legacy"


def copy_example(dest: Path) -> Path:
    """Copy the example to ``dest`` (which must not exist, or be an empty folder)."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest}: already exists and is not an empty folder")
    try:
        shutil.copytree(
            EXAMPLE_ROOT,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", ".pytest_cache"),
        )
    except OSError as exc:
        reason = "some files could not be copied" if isinstance(exc, shutil.Error) else exc.strerror
        raise InputError(f"{dest}: cannot create the folder ({reason})") from None
    return dest
