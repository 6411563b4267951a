"""Pass 5b, *digests*: each model class's body statements as code digests, so that later
stages compare two classes' members (a merge's conflicting members) without reading files.

Only the model modules are parsed again (a handful of files); their outlines kept no trees.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from unify.models import MemberDigest, ModelClass
from unify.scan import read_source


def with_member_digests(classes: Mapping[str, ModelClass], root: Path) -> dict[str, ModelClass]:
    """``classes`` with their ``member_digests`` filled in (unchanged where a file cannot be
    read again: analyze already reported it)."""
    by_path: dict[str, list[str]] = {}
    for qual, cls in classes.items():
        by_path.setdefault(cls.path, []).append(qual)
    out = dict(classes)
    for path, quals in by_path.items():
        nodes = _class_nodes(root / path)
        if nodes is None:
            continue
        lines, found = nodes
        for qual in quals:
            cls = classes[qual]
            node = found.get((cls.name, cls.line)) or _nearest(found, cls)
            if node is not None:
                out[qual] = replace(cls, member_digests=tuple(_digests(node, lines)))
    return out


def _nearest(found: Mapping[tuple[str, int], ast.ClassDef], cls: ModelClass) -> ast.ClassDef | None:
    named = [node for (name, _), node in found.items() if name == cls.name]
    return min(named, key=lambda n: abs(n.lineno - cls.line)) if named else None


def _class_nodes(
    path: Path,
) -> tuple[list[str], dict[tuple[str, int], ast.ClassDef]] | None:
    try:
        text = read_source(path)
        tree = ast.parse(text)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    nodes = {(n.name, n.lineno): n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    return text.splitlines(), nodes


def _digests(node: ast.ClassDef, lines: list[str]) -> Iterator[MemberDigest]:
    for stmt in node.body:
        names = _statement_names(stmt)
        if not names:
            continue
        dump = ast.dump(stmt, annotate_fields=False)
        digest = hashlib.sha1(dump.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
        first = lines[stmt.lineno - 1].strip() if stmt.lineno <= len(lines) else ""
        for name in names:
            yield MemberDigest(name=name, digest=digest, first_line=first)


def _statement_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []
