"""Tidying the rewritten imports of a run of import lines: no name bound twice, no line fused.

A rewritten line stays a line of its own (two import lines of the file never become one);
what it would import a second time is left out of it: a name that an import line written
by the user in the same run already binds from the same module, or that an earlier
rewritten line of the run imports.  A rewritten line left with nothing to import, or
repeating an earlier line, is dropped.  A line with a comment is never changed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from unify.rewrite.plan import alias_key, dotted

AliasKey = tuple[int, str, str, str | None]  # level, module, name, asname


def merge_imports(
    body: Sequence[cst.BaseStatement], produced: set[int], mergeable: set[int]
) -> list[cst.BaseStatement] | None:
    """``body`` without the imports its rewritten lines (``produced``) would repeat; only
    lines importing names (``mergeable``) lose names.  None when nothing changes."""
    if not produced or not any(id(s) in produced for s in body):
        return None
    out: list[cst.BaseStatement] = []
    changed = False
    for run in _runs(body):
        if not _is_import_line(run[0]):
            out.extend(run)
            continue
        bound = {k for stmt in run if id(stmt) not in produced for k in _keys(stmt)}
        seen_code = {_bare_code(s) for s in run if id(s) not in produced}
        for stmt in run:
            if id(stmt) not in produced:
                out.append(stmt)
                continue
            if _has_comment(stmt) or _leading_comment(stmt):
                bound |= _keys(stmt)
                out.append(stmt)
                continue
            code = _bare_code(stmt)
            kept = _without(stmt, bound) if id(stmt) in mergeable else stmt
            if kept is None or code in seen_code:
                changed = True
                continue
            changed = changed or kept is not stmt
            seen_code.add(code)
            bound |= _keys(kept)
            if kept is not stmt:
                produced.add(id(kept))
            out.append(kept)
    return out if changed else None


def _runs(body: Sequence[cst.BaseStatement]) -> list[list[cst.BaseStatement]]:
    """``body`` cut into runs: consecutive import lines (blank lines between them allowed),
    and every other statement alone."""
    runs: list[list[cst.BaseStatement]] = []
    current: list[cst.BaseStatement] = []
    for stmt in body:
        if _is_import_line(stmt):
            current.append(stmt)
            continue
        if current:
            runs.append(current)
            current = []
        runs.append([stmt])
    if current:
        runs.append(current)
    return runs


def _keys(stmt: cst.BaseStatement) -> set[AliasKey]:
    """What a ``from m import names`` line binds, as (level, module, name, asname)."""
    node = _from_node(stmt)
    if node is None or isinstance(node.names, cst.ImportStar):
        return set()
    module = (len(node.relative), dotted(node.module))
    return {(*module, *alias_key(a)) for a in node.names}


def _without(stmt: cst.BaseStatement, bound: set[AliasKey]) -> cst.BaseStatement | None:
    """``stmt`` without the names ``bound`` already holds (None when none is left)."""
    node = _from_node(stmt)
    if node is None or isinstance(node.names, cst.ImportStar):
        return stmt
    module = (len(node.relative), dotted(node.module))
    names = [a for a in node.names if (*module, *alias_key(a)) not in bound]
    if len(names) == len(node.names):
        return stmt
    if not names:
        return None
    if node.lpar is None:
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif not isinstance(names[-1].comma, cst.Comma):
        names[-1] = names[-1].with_changes(comma=node.names[-1].comma)
    assert isinstance(stmt, cst.SimpleStatementLine)
    return stmt.with_changes(body=[node.with_changes(names=names)])


def _from_node(stmt: cst.BaseStatement) -> cst.ImportFrom | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    node = stmt.body[0]
    return node if isinstance(node, cst.ImportFrom) else None


def _leading_comment(stmt: cst.BaseStatement) -> bool:
    assert isinstance(stmt, cst.SimpleStatementLine)
    return any(line.comment is not None for line in stmt.leading_lines)


def _bare_code(stmt: cst.BaseStatement) -> str:
    """The line's code without its leading comments and blank lines (generated first, so
    cut off the front rather than generated from a copy without them)."""
    assert isinstance(stmt, cst.SimpleStatementLine)
    empty = cst.Module(body=[])
    lead = sum(len(empty.code_for_node(line)) for line in stmt.leading_lines)
    return empty.code_for_node(stmt)[lead:].strip()


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _has_comment(stmt: cst.BaseStatement) -> bool:
    """Imports hold no strings: a ``#`` anywhere in the line is a comment to keep."""
    return "#" in cst.Module(body=[]).code_for_node(stmt.with_changes(leading_lines=()))
