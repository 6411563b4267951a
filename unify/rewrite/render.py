"""Rendering the statements an import becomes, from its plan (one concern: the import forms'
text).  The first group edits the original node, so comments and layout stay; the other
groups are fresh statements, wrapped in parentheses when they would be long."""

from __future__ import annotations

import libcst as cst

from unify.rewrite.map import Written
from unify.rewrite.names import NameDecisions
from unify.rewrite.plan import Bound, StmtPlan, dotted

MAX_LINE = 88  # ruff's and black's default line length


def render_statement(
    stmt: StmtPlan, decisions: NameDecisions, indent: str, unit: str = "    "
) -> list[cst.BaseSmallStatement]:
    """The statements ``stmt`` becomes: the original node edited for its first group (so
    comments and layout stay), fresh statements for the others.  ``indent`` is the
    statement's own indentation, ``unit`` the file's indentation step."""
    out: list[cst.BaseSmallStatement] = []
    for i, (module, bounds) in enumerate(stmt.groups):
        aliases = [(b, _final_asname(stmt, b, decisions)) for b in bounds]
        # ``from app import legacy`` whose target is top-level becomes ``import unified``
        fresh_import = isinstance(stmt.node, cst.ImportFrom) and module == Written("")
        is_import = isinstance(stmt.node, cst.Import) or fresh_import
        if i == 0 and stmt.form != "from-star" and not fresh_import:
            out.append(_edit_original(stmt.node, module, aliases))
        else:
            out.append(_fresh(module, aliases, indent, unit, is_import=is_import))
    return out


def _final_asname(stmt: StmtPlan, bound: Bound, decisions: NameDecisions) -> str | None:
    if (id(stmt.node), bound.binding) in decisions.kept:
        return bound.binding if bound.binding != bound.name else None
    return bound.asname


def _edit_original(
    node: cst.Import | cst.ImportFrom, module: Written, aliases: list[tuple[Bound, str | None]]
) -> cst.BaseSmallStatement:
    originals = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
    new_aliases: list[cst.ImportAlias] = []
    seen: set[tuple[str, str | None]] = set()
    for bound, asname in aliases:
        if (bound.name, asname) in seen:
            continue
        seen.add((bound.name, asname))
        new_aliases.append(_edit_alias(originals[bound.index], bound.name, asname))
    if isinstance(node, cst.Import):
        return node.with_changes(names=_fix_last_comma(new_aliases, parenthesized=False))
    parenthesized = node.lpar is not None
    changes: dict[str, object] = {"names": _fix_last_comma(new_aliases, parenthesized)}
    if module != Written(dotted(node.module), len(node.relative)):
        changes["module"] = cst.parse_expression(module.dotted) if module.dotted else None
        if module.level != len(node.relative):
            changes["relative"] = [cst.Dot() for _ in range(module.level)]
        if module.dotted and not node.module and module.level:
            changes["whitespace_after_from"] = cst.SimpleWhitespace(" ")
    return node.with_changes(**changes)


def _edit_alias(original: cst.ImportAlias, name: str, asname: str | None) -> cst.ImportAlias:
    new_name = cst.parse_expression(name) if "." in name else cst.Name(name)
    if asname is None:
        return original.with_changes(name=new_name, asname=None)
    if original.asname is not None:
        return original.with_changes(
            name=new_name, asname=original.asname.with_changes(name=cst.Name(asname))
        )
    return original.with_changes(name=new_name, asname=cst.AsName(name=cst.Name(asname)))


def _fix_last_comma(aliases: list[cst.ImportAlias], parenthesized: bool) -> list[cst.ImportAlias]:
    if aliases and not parenthesized and not isinstance(aliases[-1].comma, cst.MaybeSentinel):
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return aliases


def _fresh(
    module: Written,
    aliases: list[tuple[Bound, str | None]],
    indent: str,
    unit: str,
    is_import: bool,
) -> cst.BaseSmallStatement:
    """A new statement; a long one is wrapped as ruff and black wrap it: one name a line,
    one indentation step in, the closing parenthesis under the statement (libcst adds the
    block's own indentation to every line of it)."""
    parts = _alias_texts(aliases)
    if is_import:
        text = "import " + ", ".join(parts)
    elif not parts:
        text = _plain_import(module)
    else:
        head = f"from {module.text()} import "
        text = head + ", ".join(parts)
        if len(indent) + len(text) > MAX_LINE:
            inner = "".join(f"{unit}{p},\n" for p in parts)
            text = f"{head}(\n{inner})"
    line = cst.parse_statement(text + "\n")
    assert isinstance(line, cst.SimpleStatementLine)
    return line.body[0]


def _alias_texts(aliases: list[tuple[Bound, str | None]]) -> list[str]:
    out: list[str] = []
    for bound, asname in aliases:
        text = f"{bound.name} as {asname}" if asname else bound.name
        if text not in out:
            out.append(text)
    return out


def _plain_import(module: Written) -> str:
    if not module.level:
        return f"import {module.dotted}"
    parent, _, last = module.dotted.rpartition(".")
    return f"from {'.' * module.level}{parent} import {last}"
