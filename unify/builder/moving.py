"""Rewriting moved code: class names, table names, FK strings, key types, backrefs.

Every statement moved out of a legacy module goes through ``MovedCodeRewriter`` with what
the resolved plan says about its module (and its class, for class bodies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from unify.builder.column_types import column_name, retyped
from unify.builder.legacy import Legacy
from unify.builder.nodes import callee, chunk, code_of, drop_keyword, string_of, with_string
from unify.models import ResolvedPlan
from unify.vocabulary import (
    CLASS_STRING_KEYWORDS,
    COLUMN_CALLS,
    FOREIGN_KEY_CALLS,
    IDENTIFIER,
    RELATIONSHIP_CALLS,
    TABLE_CALLS,
)


@dataclass(frozen=True, slots=True)
class RewriteContext:
    """What one moved statement needs to know to be rewritten."""

    naming: ResolvedPlan
    names: Mapping[str, str]  # name as written in the legacy module -> final name
    owner: str = ""  # legacy qualname of the class being moved ("" outside classes)
    table: str = ""  # final table of that class
    column_names: dict[str, str] = field(default_factory=dict)  # attr -> column name
    column_specs: dict[str, str] = field(default_factory=dict)  # attr -> type as analyzed
    column_types: Mapping[tuple[str, str], str] = field(default_factory=dict)
    model_names: frozenset[str] = frozenset()  # final class names
    module_aliases: Mapping[str, str] = field(default_factory=dict)  # bound name -> legacy module


def moved(legacy: Legacy, node: cst.CSTNode, naming: ResolvedPlan) -> str:
    """The code of a top-level statement of ``legacy``, rewritten for the unified module."""
    node = retarget_inner_imports(legacy, node, naming)
    rewritten = node.visit(_rewriter_for(legacy, naming))
    assert isinstance(rewritten, cst.CSTNode)
    return chunk(legacy.code(rewritten))


def _rewriter_for(legacy: Legacy, naming: ResolvedPlan) -> MovedCodeRewriter:
    context = RewriteContext(
        naming=naming,
        names=naming.names_in(legacy.module.name),
        column_types=naming.column_types,
        model_names=frozenset(naming.table_of),
        module_aliases=naming.module_aliases.get(legacy.module.name, {}),
    )
    return MovedCodeRewriter(context)


def retarget_inner_imports(legacy: Legacy, node: cst.CSTNode, naming: ResolvedPlan) -> cst.CSTNode:
    """``node`` with each import of a legacy module inside it (a function's lazy import)
    importing from the unified module instead, the final name under the name the code uses:
    ``from old import Thing as T`` -> ``from models import Thing as T``.  Never removed, so
    no block is left empty and no name the body reads is left unbound."""
    target = naming.plan.target_module

    class Retarget(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.SimpleStatementLine:
            legacy_module = legacy.import_targets.get(legacy.lines.get(original_node, -1))
            if legacy_module is None:
                return updated_node
            body = [_retargeted(s, legacy_module, target, naming) for s in updated_node.body]
            return updated_node.with_changes(body=body)

    # positions are keyed by the original nodes, so walk the original tree
    changed = node.visit(Retarget())
    assert isinstance(changed, cst.CSTNode)
    return changed


def _retargeted(
    small: cst.BaseSmallStatement, legacy_module: str, target: str, naming: ResolvedPlan
) -> cst.BaseSmallStatement:
    module = cst.parse_expression(target)
    assert isinstance(module, cst.Name | cst.Attribute)
    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        names = []
        for alias in small.names:
            written = code_of(alias.name)
            final = naming.final_in(legacy_module, written)
            bound = code_of(alias.asname.name) if alias.asname else None
            # the body's uses of an unaliased name are renamed to the final name
            asname = cst.AsName(name=cst.Name(bound)) if bound and bound != final else None
            names.append(alias.with_changes(name=cst.Name(final), asname=asname))
        return small.with_changes(module=module, relative=(), names=names)
    if isinstance(small, cst.Import):
        names = []
        for alias in small.names:
            bound = code_of(alias.asname.name) if alias.asname else code_of(alias.name)
            asname = None if bound == target else cst.AsName(name=cst.Name(bound.split(".")[0]))
            names.append(alias.with_changes(name=module, asname=asname))
        return small.with_changes(names=names)
    return small


class MovedCodeRewriter(cst.CSTTransformer):
    """Renames classes (names and strings), tables (FK strings), backrefs the plan renames,
    and sets key / FK column types to the plan's."""

    def __init__(self, context: RewriteContext) -> None:
        super().__init__()
        self.context = context
        self.attr: str | None = None
        self.table_stack: list[str] = []

    # --- names ---------------------------------------------------------------
    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.context.names.get(updated_node.value)
        return updated_node.with_changes(value=new) if new else updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        legacy = self.context.module_aliases.get(code_of(original_node.value))
        if legacy is not None:  # models_v2.Port -> Port: the class now lives here
            return cst.Name(self.context.naming.final_in(legacy, original_node.attr.value))
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        return updated_node.with_changes(name=original_node.name)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated_node.with_changes(name=original_node.name)

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        return original_node

    # --- which attribute / table we are in -------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target
        self.attr = target.value if isinstance(target, cst.Name) else None

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        self.attr = None
        return updated_node

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.attr = node.target.value if isinstance(node.target, cst.Name) else None

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        self.attr = None
        return updated_node

    def visit_Call(self, node: cst.Call) -> None:
        if (
            callee(node) in TABLE_CALLS
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            self.table_stack.append(string_of(node.args[0].value))

    # --- calls -----------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = callee(updated_node)
        if name in TABLE_CALLS and self.table_stack:
            self.table_stack.pop()
            return self._renamed_table(drop_keyword(updated_node, "extend_existing"))
        if name in RELATIONSHIP_CALLS:
            return self._relationship(updated_node)
        if name in FOREIGN_KEY_CALLS:
            return self._foreign_key(updated_node)
        if name == "ForeignKeyConstraint":
            return self._fk_constraint(updated_node)
        if name in COLUMN_CALLS:
            return self._column(updated_node)
        return updated_node

    def _renamed_table(self, call: cst.Call) -> cst.Call:
        """``Table('old', ...)`` -> ``Table('new', ...)`` when the plan renames the table."""
        first = call.args[0]
        if not isinstance(first.value, cst.SimpleString):
            return call
        new = with_string(first.value, self._table(string_of(first.value)))
        return call.with_changes(args=[first.with_changes(value=new), *call.args[1:]])

    def _relationship(self, call: cst.Call) -> cst.Call:
        args = list(call.args)
        for index, arg in enumerate(args):
            if index == 0 and arg.keyword is None:
                args[index] = arg.with_changes(value=self._class_ref(arg.value))
            elif arg.keyword is None:
                continue
            elif arg.keyword.value == "backref":
                args[index] = arg.with_changes(value=self._backref(arg.value))
            elif arg.keyword.value == "secondary" and isinstance(arg.value, cst.SimpleString):
                args[index] = arg.with_changes(
                    value=with_string(arg.value, self._table(string_of(arg.value)))
                )
            elif arg.keyword.value == "secondary":
                args[index] = arg.with_changes(value=self._table_of_class(arg.value))
            elif arg.keyword.value in CLASS_STRING_KEYWORDS:
                args[index] = arg.with_changes(value=self._class_string(arg.value))
        return call.with_changes(args=args)

    def _class_string(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """Rename classes in ``'A.x == B.y'`` and in a template ``'%s.x == B.y' % name``."""
        if isinstance(value, cst.SimpleString):
            return with_string(value, self._class_expr(string_of(value)))
        if (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, cst.Modulo)
            and isinstance(value.left, cst.SimpleString)
        ):
            return value.with_changes(left=self._class_string(value.left))
        return value

    def _class_ref(self, value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, cst.SimpleString):
            written = string_of(value)
            simple = written.rpartition(".")[2]
            return with_string(value, self.context.names.get(simple, simple))
        if isinstance(value, cst.Name) and value.value in self.context.model_names:
            return cst.SimpleString(repr(value.value))
        return value

    def _table_of_class(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """``secondary=Binding.__table__`` -> ``secondary='binding_table'`` (order-free)."""
        if (
            isinstance(value, cst.Attribute)
            and value.attr.value == "__table__"
            and isinstance(value.value, cst.Name)
            and self.context.naming.table_of.get(value.value.value)
        ):
            return cst.SimpleString(repr(self.context.naming.table_of[value.value.value]))
        return value

    def _class_expr(self, text: str) -> str:
        return IDENTIFIER.sub(lambda m: self.context.names.get(m.group(0), m.group(0)), text)

    def _backref(self, value: cst.BaseExpression) -> cst.BaseExpression:
        new = self.context.naming.backrefs.get((self.context.owner, self.attr or ""))
        if new is None:
            return value
        if isinstance(value, cst.SimpleString):
            return with_string(value, new)
        if (
            isinstance(value, cst.Call)
            and value.args
            and isinstance(value.args[0].value, cst.SimpleString)
        ):
            first = value.args[0].with_changes(value=with_string(value.args[0].value, new))
            return value.with_changes(args=[first, *value.args[1:]])
        return value

    def _table(self, table: str) -> str:
        return self.context.naming.tables.get(table, table)

    def _fk_target(self, spec: str) -> str:
        table, dot, column = spec.rpartition(".")
        return f"{self._table(table)}{dot}{column}" if dot else spec

    def _foreign_key(self, call: cst.Call) -> cst.Call:
        if not call.args or call.args[0].keyword is not None:
            return call
        value = call.args[0].value
        if isinstance(value, cst.SimpleString):
            new_value: cst.BaseExpression = with_string(value, self._fk_target(string_of(value)))
        elif (
            isinstance(value, cst.Attribute)
            and isinstance(value.value, cst.Name)
            and value.value.value in self.context.model_names
        ):
            table = self.context.naming.table_of.get(value.value.value, "")
            column = self._column_name_of(value.value.value, value.attr.value)
            new_value = cst.SimpleString(repr(f"{table}.{column}")) if table else value
        else:
            return call
        return call.with_changes(args=[call.args[0].with_changes(value=new_value), *call.args[1:]])

    def _column_name_of(self, final_class: str, attr: str) -> str:
        for qualname, cls in self.context.naming.classes.items():
            if self.context.naming.final.get(qualname) == final_class:
                for col in cls.columns:
                    if col.attr == attr:
                        return col.name
        return attr

    def _fk_constraint(self, call: cst.Call) -> cst.Call:
        if len(call.args) < 2 or not isinstance(call.args[1].value, cst.List | cst.Tuple):
            return call
        seq = call.args[1].value
        elements = [
            e.with_changes(value=with_string(e.value, self._fk_target(string_of(e.value))))
            if isinstance(e.value, cst.SimpleString)
            else e
            for e in seq.elements
        ]
        new_seq = seq.with_changes(elements=elements)
        return call.with_changes(
            args=[call.args[0], call.args[1].with_changes(value=new_seq), *call.args[2:]]
        )

    def _column(self, call: cst.Call) -> cst.Call:
        attr = self.attr or ""
        table = self.table_stack[-1] if self.table_stack else self.context.table
        name = column_name(call) or self.context.column_names.get(attr, attr)
        wanted = self.context.column_types.get((self._table(table), name))
        if not wanted:
            return call
        analyzed = self.context.column_specs.get(attr, "")
        return retyped(call, wanted, analyzed, in_table=bool(self.table_stack))
