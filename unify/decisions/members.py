"""Members of legacy classes read from their source, to find the members two classes of
one entity define differently (each becomes a merge choice).

Kept apart on purpose: it reads the class bodies from disk; it will compare the member
digests the inventory carries instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from unify.models import Inventory, ModelClass
from unify.scan import read_source
from unify.vocabulary import TABLE_KEYS


def class_member_sources(root: Path, cls: ModelClass) -> dict[str, str]:
    """``member -> ast dump`` of each top-level statement of the class body (to compare)."""
    try:
        tree = ast.parse(read_source(root / cls.path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.name]
    if not found:
        return {}
    node = min(found, key=lambda n: abs(n.lineno - cls.line))
    return _body_members(node)


def _body_members(node: ast.ClassDef) -> dict[str, str]:
    members: dict[str, str] = {}
    for stmt in node.body:
        for name in _statement_names(stmt):
            members[name] = ast.dump(stmt, annotate_fields=False)
    return members


def _statement_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def conflicting_members(inventory: Inventory, classes: Iterable[ModelClass]) -> list[str]:
    """Members that two classes of one entity both define, differently (sorted)."""
    root = Path(inventory.root)
    bodies = [_with_inherited(inventory, c, class_member_sources(root, c)) for c in classes]
    conflicts: set[str] = set()
    for index, body in enumerate(bodies):
        for other in bodies[index + 1 :]:
            conflicts |= {
                m for m in body.keys() & other.keys() if body[m] != other[m] and m not in TABLE_KEYS
            }
    return sorted(conflicts)


def _with_inherited(inventory: Inventory, cls: ModelClass, body: dict[str, str]) -> dict[str, str]:
    """Add what ``cls`` inherits from the mixins it names (a mixin column counts as a member)."""
    mixins = {
        c.name: c
        for m in inventory.modules
        for c in m.classes
        if not c.guarded and (c.mixin or c.abstract)
    }
    merged = dict(body)
    for base in cls.bases:
        mixin = mixins.get(base.rpartition(".")[2])
        if mixin is not None:
            for name, dump in class_member_sources(Path(inventory.root), mixin).items():
                merged.setdefault(name, dump)
    return merged


def column_source(root: Path, cls: ModelClass, member: str) -> str:
    """The first source line of column ``member`` of ``cls`` (at most 80 characters)."""
    line = next((c.line for c in cls.columns if c.attr == member), 0)
    try:
        text = read_source(root / cls.path).splitlines()[line - 1].strip() if line else ""
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        return ""
    return text if len(text) <= 80 else text[:77] + "..."
