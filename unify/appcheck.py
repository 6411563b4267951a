"""The app smoke check (``unify check``): start the app, list what it serves, compare.

In a subprocess of the app's interpreter (unify's own process never imports the app):

1. import the module and call the factory of ``MODULE:FACTORY`` (``apps/probe.py``);
2. ``configure_mappers()``, the blueprints and URL rules, the logged errors, the modules of
   the repository whose import failed while the app started and the route modules that do
   not import (``apps/run.py``: the probe and its findings);
3. the first run (or ``update``) keeps the routes and blueprints as the "before" snapshot,
   ``.unify/app-MODULE-FACTORY.json``, written through the journal; later runs compare with
   it: a route or blueprint lost is an error, a new one info (``apps/snapshot.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from unify import journal
from unify.apps.run import (
    APP_FACTORY,
    APP_IMPORT,
    APP_MAPPERS,
    CHECK_CRASHED,
    LOGGED_ERROR,
    SWALLOWED_IMPORT,
    probe_findings,
    run_probe,
)
from unify.apps.snapshot import (
    BLUEPRINT_LOST,
    BLUEPRINT_NEW,
    ROUTE_LOST,
    ROUTE_NEW,
    compare,
    read_snapshot,
    snapshot_json,
    snapshot_of,
    snapshot_rel,
)
from unify.errors import InputError
from unify.models import AppCheckResult, rule_catalogue
from unify.scan import describe_files, list_repo_files
from unify.vocabulary import is_dotted_name, is_identifier

RULES = rule_catalogue(
    APP_IMPORT,
    APP_FACTORY,
    APP_MAPPERS,
    SWALLOWED_IMPORT,
    LOGGED_ERROR,
    CHECK_CRASHED,
    ROUTE_LOST,
    BLUEPRINT_LOST,
    ROUTE_NEW,
    BLUEPRINT_NEW,
)

__all__ = ["RULES", "check_app", "checked_app", "snapshot_rel"]


def checked_app(text: str, where: str = "--app") -> str:
    """``MODULE:FACTORY`` as given, or an input error naming ``where`` it came from."""
    module, _, factory = text.partition(":")
    if not (is_dotted_name(module) and is_identifier(factory)):
        raise InputError(
            f"{where} {text!r} is not MODULE:FACTORY (a dotted module name and the name of "
            "its app factory or app object, e.g. app:create_app)"
        )
    return text


def check_app(
    root: Path, app: str, *, python: str = sys.executable, update: bool = False
) -> AppCheckResult:
    """Start ``app`` of the repository at ``root``; take the snapshot when there is none
    (or ``update``), else compare with it."""
    root = _checked_root(root)
    probe = run_probe(root, _import_paths(root, app.split(":", 1)[0]), app, python)
    rel = snapshot_rel(app)
    before = None if update else read_snapshot(root / rel)
    findings = probe_findings(probe, None if before is None else frozenset(before.broken))
    written = False
    if probe.stage == "ok" and before is None:
        data = snapshot_json(snapshot_of(probe)).encode("utf-8")
        journal.replace_files(root, [journal.FileWrite(rel=rel, data=data)], command="check")
        written = True
    elif probe.stage == "ok" and before is not None:
        findings += compare(before, probe)
    return AppCheckResult(
        probe=probe,
        snapshot=before,
        snapshot_rel=rel,
        snapshot_written=written,
        findings=findings,
    )


def _checked_root(root: Path) -> Path:
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    return root.resolve()


def _import_paths(root: Path, module: str) -> list[str]:
    """The import root the app's module imports from (then the repository itself)."""
    files = list_repo_files(root)
    matches = [f for f in describe_files(files.root, files.python) if f.module == module]
    if not matches:
        raise InputError(f"{root}: module {module} not found (is it the app's module?)")
    best = min(matches, key=lambda f: (f.root.count("/") if f.root else -1, f.rel))
    return list(dict.fromkeys([str(root / best.root) if best.root else str(root), str(root)]))
