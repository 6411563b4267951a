"""The Alembic revision file: where it goes, what it chains onto, and its text.

Into the app's own ``versions/`` folder when the app uses Alembic or Flask-Migrate (an
``alembic.ini`` naming a ``script_location``, or a ``migrations/env.py``), chained onto the
single head of the revision files there; else into a folder the user names.
"""

from __future__ import annotations

import ast
import configparser
import uuid
from dataclasses import dataclass
from pathlib import Path

from unify.errors import InputError
from unify.migration.sql import Step


@dataclass(frozen=True, slots=True)
class Versions:
    """The folder of revision files and the head revision there (None: none yet)."""

    folder: Path
    head: str | None
    apps_own: bool  # the app's own Alembic / Flask-Migrate folder


def find_versions(repo: Path, revision_dir: Path | None) -> Versions:
    """The folder the revision goes to, and its head; two heads are an error."""
    if revision_dir is not None:
        folder, own = revision_dir, False
    else:
        location = _script_location(repo)
        if location is None:
            raise InputError(
                f"{repo}: no Alembic or Flask-Migrate migrations folder found (no alembic.ini, "
                f"no migrations/env.py); name one with --revision-dir"
            )
        folder, own = location / "versions", True
    return Versions(folder=folder, head=_head(folder), apps_own=own)


def _script_location(repo: Path) -> Path | None:
    ini = repo / "alembic.ini"
    if ini.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(ini, encoding="utf-8")
            location = parser.get("alembic", "script_location", fallback="")
        except configparser.Error:
            location = ""
        if location and ":" not in location:
            return repo / location.replace("%(here)s/", "")
    if (repo / "migrations" / "env.py").is_file():
        return repo / "migrations"
    return None


def revisions(folder: Path) -> dict[str, tuple[str, ...]]:
    """``revision -> down revisions`` of every revision file in ``folder``."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
        values = _assignments(path)
        rev = values.get("revision")
        if isinstance(rev, str):
            down = values.get("down_revision")
            downs = tuple(down) if isinstance(down, (tuple, list)) else (down,) if down else ()
            found[rev] = tuple(str(d) for d in downs)
    return found


def _head(folder: Path) -> str | None:
    found = revisions(folder)
    pointed = {d for downs in found.values() for d in downs}
    heads = sorted(r for r in found if r not in pointed)
    if len(heads) > 1:
        raise InputError(
            f"{folder}: the revision files have {len(heads)} heads ({', '.join(heads)}); "
            f"merge them (alembic merge heads) before migrating"
        )
    return heads[0] if heads else None


def _assignments(path: Path) -> dict[str, object]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    out: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and value is not None:
            try:
                out[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return out


def new_revision_id() -> str:
    return uuid.uuid4().hex[:12]


def render_revision(
    revision: str,
    down: str | None,
    message: str,
    upgrade: list[Step],
    downgrade: list[Step],
) -> str:
    """The revision file's text: one commented block per step of the mapping."""
    head = f'''"""{message}

Revision ID: {revision}
Revises: {down or ""}

Written by unify migrate from the plan's data mapping.  upgrade() keeps every legacy table,
rows untouched, in the schema unify_legacy, creates the unified tables, fills them with
INSERT ... SELECT (casts, id maps of merged tables, the orphan policies), then adds the
foreign keys; every step that moves rows counts them in unify_legacy.unify_ledger.
downgrade() moves the legacy tables back and drops the unified ones.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql  # noqa: F401  (used by rendered column types)

revision = {revision!r}
down_revision = {down!r}
branch_labels = None
depends_on = None
'''
    return (
        head + "\n\n" + _function("upgrade", upgrade) + "\n\n" + _function("downgrade", downgrade)
    )


def _function(name: str, steps: list[Step]) -> str:
    lines = [f"def {name}() -> None:"]
    for number, step in enumerate(steps, 1):
        if not (step.sql or step.code):
            continue
        lines.append(f"    # {number}. {step.title}")
        for statement in step.sql:
            lines.append(f"    op.execute({_literal(statement)})")
        for code in step.code:
            lines += ["    " + line for line in code.splitlines()]
        lines.append("")
    if len(lines) == 1:
        lines.append("    pass")
    return "\n".join(lines).rstrip() + "\n"


def _literal(sql: str) -> str:
    if "'''" not in sql and "\\" not in sql and len(sql) > 80:
        return "'''" + sql + "'''"
    return repr(sql)


__all__ = ["Versions", "find_versions", "new_revision_id", "render_revision", "revisions"]
