"""unify: turn drifted SQLAlchemy model modules into one, safely.

Distributed as ``sqlalchemy-unify`` (PyPI's ``unify`` is another tool); the version lives once,
in the distribution's metadata (pyproject.toml), and is read only when asked for.
"""

from __future__ import annotations

DISTRIBUTION = "sqlalchemy-unify"


def installed_version() -> str:
    """The installed distribution's version, or ``unknown (not installed)`` for a source tree
    run without installing it."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The ``unify`` command.  Also what the script of PyPI's other ``unify`` runs when both
    are installed (its ``from unify import main`` finds this package): the command stays ours."""
    from unify.cli import main as run

    run()
