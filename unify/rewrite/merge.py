"""Merging the rewritten imports: one statement per module in a run of import lines."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from unify.rewrite.plan import alias_key, dotted

MAX_MERGED_LINE = 99


def merge_imports(
    body: Sequence[cst.BaseStatement], produced: set[int], mergeable: set[int]
) -> list[cst.BaseStatement] | None:
    """Merge each rewritten ``from m import names`` line into an earlier line of the same
    module in the same run of import lines (when the result stays on one short line or the
    earlier line is parenthesised), and drop a rewritten line that repeats an earlier one.
    A line with a comment is never merged away; imports of modules are never merged."""
    if not produced or not any(id(s) in produced for s in body):
        return None
    out: list[cst.BaseStatement | None] = []
    first: dict[tuple[int, str], int] = {}
    seen: set[str] = set()
    changed = False
    codes: dict[int, str] = {}  # id(line) -> its bare code, generated once

    def bare(stmt: cst.BaseStatement) -> str:
        if id(stmt) not in codes:
            codes[id(stmt)] = _bare_code(stmt)
        return codes[id(stmt)]

    for stmt in body:
        if not _is_import_line(stmt):
            first, seen = {}, set()
            out.append(stmt)
            continue
        if stmt.leading_lines:  # type: ignore[attr-defined]  # a blank line starts a new group
            first, seen = {}, set()
        key = _merge_key(stmt)
        if id(stmt) in produced and bare(stmt) in seen and not _leading_comment(stmt):
            changed = True  # the same line, comment included, a second time
            continue
        if key is not None and key in first:
            earlier = out[first[key]]
            assert earlier is not None
            merged = _merge_pair(earlier, stmt, mergeable)
            if merged is not None:
                into_earlier, line = merged
                produced.add(id(line))
                changed = True
                if into_earlier:
                    out[first[key]] = line
                    continue
                out[first[key]] = None  # the earlier line moved into this one
                first[key] = len(out)
                out.append(line)
                continue
        seen.add(bare(stmt))
        if key is not None:
            first.setdefault(key, len(out))
        out.append(stmt)
    return [s for s in out if s is not None] if changed else None


def _merge_pair(
    earlier: cst.BaseStatement, later: cst.BaseStatement, mergeable: set[int]
) -> tuple[bool, cst.BaseStatement] | None:
    """The later rewritten line merged into the earlier one (True, line), else the earlier
    rewritten line merged into the later one, which takes its place (False, line); None
    when neither can be merged without losing a comment or making a long line."""
    if id(later) in mergeable and not _has_comment(later) and _open_end(earlier):
        merged = _merged(earlier, later)
        if _fits(merged) and _comments(merged) == _comments(earlier):
            return True, merged
    if id(earlier) in mergeable and not _has_comment(earlier) and _open_end(later):
        merged = _merged(later, earlier)
        merged = merged.with_changes(leading_lines=earlier.leading_lines)  # type: ignore[attr-defined]
        if _fits(merged) and _comments(merged) == _comments(later):
            return False, merged
    return None


def _open_end(stmt: cst.BaseStatement) -> bool:
    """No comment follows the last name: names appended after it would take that comment."""
    assert isinstance(stmt, cst.SimpleStatementLine)
    node = stmt.body[0]
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    comma = node.names[-1].comma
    return not isinstance(comma, cst.Comma) or "#" not in cst.Module(body=[]).code_for_node(comma)


def _comments(stmt: cst.BaseStatement) -> int:
    return cst.Module(body=[]).code_for_node(stmt).count("#")


def _fits(line: cst.BaseStatement) -> bool:
    assert isinstance(line, cst.SimpleStatementLine)
    node = line.body[0]
    parenthesized = isinstance(node, cst.ImportFrom) and node.lpar is not None
    return parenthesized or len(_bare_code(line)) <= MAX_MERGED_LINE


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


def _merge_key(stmt: cst.BaseStatement) -> tuple[int, str] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    node = stmt.body[0]
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    if node.module is None and not node.relative:
        return None
    return (len(node.relative), dotted(node.module))


def _has_comment(stmt: cst.BaseStatement) -> bool:
    """Imports hold no strings: a ``#`` anywhere in the line is a comment to keep."""
    return "#" in cst.Module(body=[]).code_for_node(stmt)


def _merged(target: cst.BaseStatement, extra: cst.BaseStatement) -> cst.BaseStatement:
    assert isinstance(target, cst.SimpleStatementLine)
    assert isinstance(extra, cst.SimpleStatementLine)
    into = target.body[0]
    more = extra.body[0]
    assert isinstance(into, cst.ImportFrom) and isinstance(more, cst.ImportFrom)
    assert not isinstance(into.names, cst.ImportStar) and not isinstance(more.names, cst.ImportStar)
    have = {alias_key(a) for a in into.names}
    added = [a for a in more.names if alias_key(a) not in have]
    if not added:
        return target
    names = list(into.names)
    template = next(
        (a.comma for a in names if isinstance(a.comma, cst.Comma)),
        cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
    )
    last_comma = names[-1].comma
    combined = [*names, *added]
    combined = [a.with_changes(comma=template) for a in combined[:-1]] + [
        combined[-1].with_changes(comma=last_comma)
    ]
    return target.with_changes(body=[into.with_changes(names=combined)])
