"""A moved class's table keys: ``__tablename__`` set to the planned table, ``extend_existing``
dropped from ``__table_args__``."""

from __future__ import annotations

import libcst as cst

from unify.builder.nodes import is_docstring, statement_names, string_of, with_string
from unify.models import Entity, ResolvedPlan


def table_statements(
    statements: list[cst.BaseStatement], name: str, entity: Entity, naming: ResolvedPlan
) -> list[cst.BaseStatement]:
    """Set ``__tablename__`` to the planned table; drop ``extend_existing``."""
    table = naming.table_of.get(name, "")
    out: list[cst.BaseStatement] = []
    has_tablename = False
    for stmt in statements:
        names = statement_names(stmt)
        if "__tablename__" in names and table:
            has_tablename = True
            stmt = _set_tablename(stmt, table)
        elif "__table_args__" in names:
            stmt_or_none = _drop_extend_existing(stmt)
            if stmt_or_none is None:
                continue
            stmt = stmt_or_none
        out.append(stmt)
    if table and not has_tablename and entity.survivor.table != table:
        line = cst.parse_statement(f"__tablename__ = {table!r}")
        position = 1 if out and is_docstring(out[0]) else 0
        out.insert(position, line)
    return out


def _set_tablename(stmt: cst.BaseStatement, table: str) -> cst.BaseStatement:
    if not isinstance(stmt, cst.SimpleStatementLine):  # a declared_attr function
        return stmt
    assign = stmt.body[0]
    if isinstance(assign, cst.Assign) and isinstance(assign.value, cst.SimpleString):
        new = assign.with_changes(value=with_string(assign.value, table))
        return stmt.with_changes(body=[new])
    return stmt


def _drop_extend_existing(stmt: cst.BaseStatement) -> cst.BaseStatement | None:
    if not isinstance(stmt, cst.SimpleStatementLine):  # a declared_attr function
        return stmt
    assign = stmt.body[0]
    if not isinstance(assign, cst.Assign):
        return stmt
    value = assign.value
    if isinstance(value, cst.Dict):
        kept = _dict_without(value, "extend_existing")
        return None if kept is None else stmt.with_changes(body=[assign.with_changes(value=kept)])
    if (
        isinstance(value, cst.Tuple)
        and value.elements
        and isinstance(value.elements[-1].value, cst.Dict)
    ):
        last = _dict_without(value.elements[-1].value, "extend_existing")
        elements = list(value.elements[:-1])
        if last is not None:
            elements.append(value.elements[-1].with_changes(value=last))
        if not elements:
            return None
        return stmt.with_changes(
            body=[assign.with_changes(value=value.with_changes(elements=elements))]
        )
    return stmt


def _dict_without(node: cst.Dict, key: str) -> cst.Dict | None:
    elements = [
        e
        for e in node.elements
        if not (
            isinstance(e, cst.DictElement)
            and isinstance(e.key, cst.SimpleString)
            and string_of(e.key) == key
        )
    ]
    if not elements:
        return None
    return node.with_changes(elements=elements) if len(elements) != len(node.elements) else node
