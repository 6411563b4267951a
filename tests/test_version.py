"""``unify --version`` says which distribution is installed, from its metadata."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest

DISTRIBUTION = "sqlalchemy-unify"


def installed_version() -> str:
    """The installed distribution's version; outside CI a checkout that was never installed
    under this name (an old editable ``unify``) skips rather than fails."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{DISTRIBUTION} is not installed: pip install -e .")


def test_version_is_the_distributions_from_its_metadata() -> None:
    expected = installed_version()
    run = subprocess.run(
        [sys.executable, "-m", "unify", "--version"], capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, f"{DISTRIBUTION} {expected}\n", "")


def test_version_needs_no_command() -> None:
    """``--version`` is eager: it answers before click asks for a command."""
    run = subprocess.run(
        [sys.executable, "-m", "unify", "--version", "analyze"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0
    assert run.stdout.startswith(f"{DISTRIBUTION} ")
