"""The command line: parse options, call one library function, render, return an exit code.

This is the only package that wires the stages together.  ``UnifyError`` is caught in one
place (``app.main``); tracebacks are shown only with ``--debug``.  Each command sits in the
module for its part of the flow; importing them here registers them, in the order of
``unify --help`` (the order of the flow, so the imports are not sorted).
"""

# isort: skip_file
from __future__ import annotations

from unify.cli import analysis  # noqa: F401  (analyze, plan)
from unify.cli import building  # noqa: F401  (build)
from unify.cli import rewriting  # noqa: F401  (rewrite)
from unify.cli import checking  # noqa: F401  (check)
from unify.cli import cleanup  # noqa: F401  (archive, status)
from unify.cli import database  # noqa: F401  (restore, verify)
from unify.cli import migrating  # noqa: F401  (migrate)
from unify.cli import pictures  # noqa: F401  (diagram, docs)
from unify.cli import example  # noqa: F401  (example)
from unify.cli.app import app, main

__all__ = ["app", "main"]
