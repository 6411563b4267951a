"""Build the unified model module and the compat module from the inventory and the plan.

Classes are *moved* with libcst, never regenerated: their methods, properties, docstrings
and comments are kept.  The build applies the plan (merges, table and class renames, key
types, backref renames), drops the legacy glue (circular-import hacks, lazy ``db``
tricks, try/except placeholders, ``extend_existing``) and lays the classes out in the
plan's sections.  It returns texts and findings; it never writes (see ``write_build``).
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from unify.errors import InputError
from unify.models import (
    BuildResult,
    BuiltFile,
    Entity,
    Finding,
    Inventory,
    ModelClass,
    ModelModule,
    Plan,
    ResolvedPlan,
    Rule,
    Severity,
)
from unify.resolve import backref_collisions, resolve_plan
from unify.scan import read_source
from unify.vocabulary import TABLE_KEYS

HELPERS_TITLE = "Helpers kept from the legacy modules (not models)"
OTHER_TITLE = "Other statements kept from the legacy modules"
DB_FACTORIES = frozenset({"SQLAlchemy", "declarative_base", "registry"})
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader"})
CLASS_STRING_KEYWORDS = frozenset(
    {"foreign_keys", "primaryjoin", "secondaryjoin", "order_by", "remote_side"}
)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# The build's rules: code -> (rule, severity, what it means and how to fix it).
BUILD_RULES: dict[str, Rule] = {
    "B001": Rule(
        name="unresolved-merge-conflict",
        code="B001",
        severity=Severity.ERROR,
        summary="both sides of a merge define a member differently; name the winner under [merge.choices]",
    ),
    "B002": Rule(
        name="backref-collision",
        code="B002",
        severity=Severity.ERROR,
        summary="after a merge two relationships (or a relationship and a member) claim one attribute; add a [[backref]] rename",
    ),
    "B003": Rule(
        name="unplanned-class",
        code="B003",
        severity=Severity.ERROR,
        summary="a class of a legacy module has no decision; add a [[class]] entry or absorb it in a [[merge]]",
    ),
    "B004": Rule(
        name="plan-unknown-name",
        code="B004",
        severity=Severity.ERROR,
        summary="the plan names a module or class the repository does not define; fix or drop the entry",
    ),
    "B005": Rule(
        name="helper-name-clash",
        code="B005",
        severity=Severity.ERROR,
        summary="two legacy modules define one helper name differently (or a helper shadows a class); rename one",
    ),
    "B006": Rule(
        name="compat-name-missing",
        code="B006",
        severity=Severity.WARNING,
        summary="a legacy name has no counterpart (removed glue); imports of it will break",
    ),
    "B007": Rule(
        name="compat-name-clash",
        code="B007",
        severity=Severity.WARNING,
        summary="one legacy name means two classes in two legacy modules; the compat module keeps the first",
    ),
    "B008": Rule(
        name="import-name-clash",
        code="B008",
        severity=Severity.ERROR,
        summary="two legacy modules import different things under one name; rename one import",
    ),
    "B009": Rule(
        name="section-order",
        code="B009",
        severity=Severity.ERROR,
        summary="a class uses a class of a later section while it is defined; move one or use a string",
    ),
    "B010": Rule(
        name="module-shadowed",
        code="B010",
        severity=Severity.ERROR,
        summary="the unified or compat module is named like an existing package, which would win on import; choose another name",
    ),
}


def finding(
    rule: str,
    code: str,
    message: str,
    *,
    path: str | None = None,
    line: int | None = None,
    severity: Severity | None = None,
    objects: tuple[str, ...] = (),
) -> Finding:
    """A finding of the catalogued build rule ``code`` (named ``rule``)."""
    spec = BUILD_RULES[code]
    if spec.name != rule:
        raise ValueError(f"build rule {code} is {spec.name}, not {rule}")
    return spec.finding(message, severity=severity, path=path, line=line, objects=objects)


# ---------------------------------------------------------------------------
# What the plan means for each legacy name
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Reading the legacy modules: every top-level statement, classified
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Legacy:
    """A legacy module parsed once: its statements by kind, with their first line."""

    module: ModelModule
    tree: cst.Module
    lines: dict[cst.CSTNode, int]
    legacy_import_lines: set[int]
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    tables: list[tuple[str, cst.SimpleStatementLine]] = field(default_factory=list)
    imports: list[cst.SimpleStatementLine] = field(default_factory=list)
    preamble: list[cst.CSTNode] = field(default_factory=list)
    db_init: list[cst.SimpleStatementLine] = field(default_factory=list)
    helpers: list[tuple[str, cst.CSTNode]] = field(default_factory=list)
    other: list[cst.CSTNode] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)


def read_legacy(
    root: Path, inventory: Inventory, module: ModelModule, legacy_names: set[str]
) -> Legacy:
    try:
        tree = cst.parse_module(read_source(root / module.path))
    except (OSError, UnicodeDecodeError, SyntaxError, cst.ParserSyntaxError) as exc:
        raise InputError(
            f"{module.path}: cannot read the legacy module ({type(exc).__name__})"
        ) from None
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines = {node: pos.start.line for node, pos in positions.items()}
    legacy_lines = {
        r.line for r in inventory.imports if r.path == module.path and r.target in legacy_names
    }
    legacy = Legacy(module=module, tree=tree, lines=lines, legacy_import_lines=legacy_lines)
    hacks = _lazy_db_functions(legacy)
    for index, stmt in enumerate(tree.body):
        _classify(legacy, stmt, index == 0, hacks)
    return legacy


def _lazy_db_functions(legacy: Legacy) -> set[str]:
    """Functions that fetch ``db`` lazily from another legacy module (``global db`` or an
    import of a legacy module inside): the circular-import trick."""
    names: set[str] = set()
    for stmt in legacy.tree.body:
        if isinstance(stmt, cst.FunctionDef) and _is_lazy_db(legacy, stmt):
            names.add(stmt.name.value)
    return names


def _is_lazy_db(legacy: Legacy, func: cst.FunctionDef) -> bool:
    code = legacy.code(func)
    has_global_db = re.search(r"^\s*global\s+.*\bdb\b", code, re.M) is not None
    imports_legacy = any(legacy.lines.get(n, -1) in legacy.legacy_import_lines for n in _walk(func))
    return has_global_db or (
        imports_legacy and re.search(r"\bdb\b", code) is not None and "return db" in code
    )


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _classify(legacy: Legacy, stmt: cst.CSTNode, first: bool, hacks: set[str]) -> None:
    module = legacy.module
    line = legacy.lines.get(stmt, 0)
    if isinstance(stmt, cst.ClassDef):
        _classify_class(legacy, stmt)
    elif isinstance(stmt, cst.FunctionDef):
        if stmt.name.value in hacks:
            legacy.dropped.append(f"{module.path}:{line} lazy-db function {stmt.name.value}()")
        else:
            legacy.helpers.append((stmt.name.value, stmt))
    elif isinstance(stmt, cst.SimpleStatementLine):
        _classify_simple(legacy, stmt, first, hacks)
    elif isinstance(stmt, cst.Try) and _contains_legacy_import(legacy, stmt):
        legacy.dropped.append(
            f"{module.path}:{line} try/except import of a legacy module (placeholders)"
        )
    elif isinstance(stmt, cst.If | cst.Try) and _only_imports(stmt):
        if _contains_legacy_import(legacy, stmt):
            legacy.dropped.append(f"{module.path}:{line} conditional import of a legacy module")
        else:
            legacy.preamble.append(stmt)
    else:
        legacy.other.append(stmt)


def _classify_class(legacy: Legacy, stmt: cst.ClassDef) -> None:
    name = stmt.name.value
    if any(c.name == name for c in legacy.module.classes if not c.guarded):
        legacy.classes[name] = stmt
    else:
        legacy.helpers.append((name, stmt))


def _contains_legacy_import(legacy: Legacy, node: cst.CSTNode) -> bool:
    return any(
        isinstance(n, cst.Import | cst.ImportFrom)
        and legacy.lines.get(n, -1) in legacy.legacy_import_lines
        for n in _walk(node)
    )


def _only_imports(node: cst.If | cst.Try) -> bool:
    simple = [n for n in _walk(node) if isinstance(n, cst.SimpleStatementLine)]
    return bool(simple) and all(
        all(isinstance(s, cst.Import | cst.ImportFrom | cst.Pass | cst.Assign) for s in line.body)
        for line in simple
    )


def _classify_simple(
    legacy: Legacy, stmt: cst.SimpleStatementLine, first: bool, hacks: set[str]
) -> None:
    module = legacy.module
    line = legacy.lines.get(stmt, 0)
    small = stmt.body[0] if len(stmt.body) == 1 else None
    if isinstance(small, cst.Import | cst.ImportFrom):
        if line in legacy.legacy_import_lines:
            legacy.dropped.append(f"{module.path}:{line} import of a legacy module")
        else:
            legacy.imports.append(stmt)
    elif (
        first
        and isinstance(small, cst.Expr)
        and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString)
    ):
        return  # the module docstring
    elif isinstance(small, cst.Assign):
        _classify_assign(legacy, stmt, small)
    elif (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and _callee(small.value) in hacks
    ):
        legacy.dropped.append(f"{module.path}:{line} call of the lazy-db function")
    else:
        legacy.other.append(stmt)


def _classify_assign(legacy: Legacy, stmt: cst.SimpleStatementLine, assign: cst.Assign) -> None:
    module = legacy.module
    line = legacy.lines.get(stmt, 0)
    target = assign.targets[0].target
    name = target.value if isinstance(target, cst.Name) else ""
    if isinstance(assign.value, cst.Call) and _callee(assign.value) in DB_FACTORIES:
        legacy.db_init.append(stmt)
    elif name == "db":
        legacy.dropped.append(f"{module.path}:{line} lazy db placeholder (db = ...)")
    elif any(a.name == name and a.kind == "assign" for a in module.aliases):
        legacy.dropped.append(f"{module.path}:{line} alias {name} (kept in the compat module)")
    elif any(t.name == name for t in module.tables):
        legacy.tables.append((name, stmt))
    elif name == "__all__":
        legacy.dropped.append(f"{module.path}:{line} __all__")
    else:
        legacy.helpers.append((name, stmt))


def _callee(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


# ---------------------------------------------------------------------------
# Rewriting moved code: class names, table names, FK strings, key types, backrefs
# ---------------------------------------------------------------------------


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
        legacy = self.context.module_aliases.get(_code(original_node.value))
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
            _callee(node) == "Table"
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            self.table_stack.append(_string(node.args[0].value))

    # --- calls -----------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        callee = _callee(updated_node)
        if callee == "Table" and self.table_stack:
            self.table_stack.pop()
            return _drop_keyword(updated_node, "extend_existing")
        if callee in RELATIONSHIP_CALLS:
            return self._relationship(updated_node)
        if callee == "ForeignKey":
            return self._foreign_key(updated_node)
        if callee == "ForeignKeyConstraint":
            return self._fk_constraint(updated_node)
        if callee in ("Column", "mapped_column"):
            return self._column(updated_node)
        return updated_node

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
                    value=_with_string(arg.value, self._table(_string(arg.value)))
                )
            elif arg.keyword.value == "secondary":
                args[index] = arg.with_changes(value=self._table_of_class(arg.value))
            elif arg.keyword.value in CLASS_STRING_KEYWORDS:
                args[index] = arg.with_changes(value=self._class_string(arg.value))
        return call.with_changes(args=args)

    def _class_string(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """Rename classes in ``'A.x == B.y'`` and in a template ``'%s.x == B.y' % name``."""
        if isinstance(value, cst.SimpleString):
            return _with_string(value, self._class_expr(_string(value)))
        if (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, cst.Modulo)
            and isinstance(value.left, cst.SimpleString)
        ):
            return value.with_changes(left=self._class_string(value.left))
        return value

    def _class_ref(self, value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, cst.SimpleString):
            written = _string(value)
            simple = written.rpartition(".")[2]
            return _with_string(value, self.context.names.get(simple, simple))
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
        return IDENT.sub(lambda m: self.context.names.get(m.group(0), m.group(0)), text)

    def _backref(self, value: cst.BaseExpression) -> cst.BaseExpression:
        new = self.context.naming.backrefs.get((self.context.owner, self.attr or ""))
        if new is None:
            return value
        if isinstance(value, cst.SimpleString):
            return _with_string(value, new)
        if (
            isinstance(value, cst.Call)
            and value.args
            and isinstance(value.args[0].value, cst.SimpleString)
        ):
            first = value.args[0].with_changes(value=_with_string(value.args[0].value, new))
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
            new_value: cst.BaseExpression = _with_string(value, self._fk_target(_string(value)))
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
            e.with_changes(value=_with_string(e.value, self._fk_target(_string(e.value))))
            if isinstance(e.value, cst.SimpleString)
            else e
            for e in seq.elements
        ]
        new_seq = seq.with_changes(elements=elements)
        return call.with_changes(
            args=[call.args[0], call.args[1].with_changes(value=new_seq), *call.args[2:]]
        )

    def _column(self, call: cst.Call) -> cst.Call:
        table = self.table_stack[-1] if self.table_stack else self.context.table
        name = _column_name(call) or self.context.column_names.get(self.attr or "", self.attr or "")
        wanted = self.context.column_types.get((self._table(table), name))
        if not wanted:
            return call
        index = _type_arg_index(call)
        current = (
            _code(call.args[index].value)
            if index is not None
            else self.context.column_specs.get(self.attr or "", "")
        )
        if not self.table_stack and _norm_type(current) == _norm_type(wanted):
            return call
        if index is not None and _norm_type(current) == _norm_type(wanted):
            return call
        prefix = _type_prefix(call, index)
        new_type = cst.parse_expression(prefix + wanted)
        args = list(call.args)
        if index is None:
            position = (
                1
                if args and isinstance(args[0].value, cst.SimpleString) and args[0].keyword is None
                else 0
            )
            args.insert(position, cst.Arg(value=new_type, comma=cst.MaybeSentinel.DEFAULT))
        else:
            args[index] = args[index].with_changes(value=new_type)
        return call.with_changes(args=_fix_commas(args))


def _string(node: cst.SimpleString) -> str:
    value = node.evaluated_value
    return value if isinstance(value, str) else ""


def _with_string(node: cst.SimpleString, text: str) -> cst.SimpleString:
    if _string(node) == text:
        return node
    quote = node.quote
    return node.with_changes(value=f"{node.prefix}{quote}{text}{quote}")


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _norm_type(code: str) -> str:
    text = re.sub(r"\s+", "", code)
    return re.sub(r"^(db|sa|sqlalchemy|types|sqltypes)\.", "", text)


NOT_TYPES = frozenset(
    {"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "FetchedValue"}
)


def _type_arg_index(call: cst.Call) -> int | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star:
            return None
        value = arg.value
        if isinstance(value, cst.SimpleString):
            continue
        if isinstance(value, cst.Call) and _callee(value) in NOT_TYPES:
            return None
        head = value.func if isinstance(value, cst.Call) else value
        name = (
            head.attr.value
            if isinstance(head, cst.Attribute)
            else head.value
            if isinstance(head, cst.Name)
            else ""
        )
        return index if name[:1].isupper() else None
    return None


def _type_prefix(call: cst.Call, index: int | None) -> str:
    node: cst.BaseExpression | None = call.args[index].value if index is not None else None
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return _code(node.value) + "."
    if isinstance(node, cst.Name):
        return ""
    for arg in call.args:  # mapped_column(db.ForeignKey(...)): take the FK's prefix
        if isinstance(arg.value, cst.Call) and isinstance(arg.value.func, cst.Attribute):
            return _code(arg.value.func.value) + "."
    return _code(call.func.value) + "." if isinstance(call.func, cst.Attribute) else ""


def _column_name(call: cst.Call) -> str:
    if (
        call.args
        and call.args[0].keyword is None
        and isinstance(call.args[0].value, cst.SimpleString)
    ):
        return _string(call.args[0].value)
    return ""


def _fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    fixed = []
    for index, arg in enumerate(args):
        last = index == len(args) - 1
        if not last and arg.comma is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        fixed.append(arg)
    return fixed


def _drop_keyword(call: cst.Call, keyword: str) -> cst.Call:
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == keyword)]
    if len(args) == len(call.args):
        return call
    if args:
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=args)


# ---------------------------------------------------------------------------
# Moving one class (and merging the absorbed ones into it)
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class ClassBuild:
    """The moved class, as text, and what stopped or marked its merge."""

    name: str
    section: str
    code: str
    uses_tables: set[str]
    findings: list[Finding]

    def needs(self) -> set[str]:
        """Names the class uses while it is being defined (bases, column and relationship
        arguments), not inside its methods."""
        node = ast.parse(self.code).body[0]
        assert isinstance(node, ast.ClassDef)
        roots: list[ast.AST] = [*node.bases, *node.keywords]
        roots += [s for s in node.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        return {n.id for root in roots for n in _names_outside_lambdas(root)}


def _names_outside_lambdas(node: ast.AST) -> list[ast.Name]:
    if isinstance(node, ast.Lambda):
        return []
    found = [node] if isinstance(node, ast.Name) else []
    for child in ast.iter_child_nodes(node):
        found += _names_outside_lambdas(child)
    return found


def order_classes(
    built: list[ClassBuild], sections: tuple[str, ...]
) -> tuple[list[ClassBuild], list[Finding]]:
    """Section order, and inside a section every class after the classes it uses while
    being defined; a use of a class of a later section is a finding."""
    rank = {b.name: sections.index(b.section) for b in built}
    ordered: list[ClassBuild] = []
    findings: list[Finding] = []
    for index, section in enumerate(sections):
        members = [b for b in built if b.section == section]
        needs = {b.name: b.needs() & rank.keys() - {b.name} for b in members}
        for b in members:
            for later in sorted(n for n in needs[b.name] if rank[n] > index):
                findings.append(_order_finding(b, later, built))
        ordered += _topological(
            [b for b in members], {k: {n for n in v if rank[n] == index} for k, v in needs.items()}
        )
    return ordered, findings


def _topological(members: list[ClassBuild], needs: dict[str, set[str]]) -> list[ClassBuild]:
    done: list[ClassBuild] = []
    placed: set[str] = set()
    pending = list(members)
    while pending:
        ready = [b for b in pending if needs[b.name] <= placed] or pending[
            :1
        ]  # a cycle: keep order
        done.append(ready[0])
        placed.add(ready[0].name)
        pending.remove(ready[0])
    return done


def _order_finding(cls: ClassBuild, later: str, built: list[ClassBuild]) -> Finding:
    section = next(b.section for b in built if b.name == later)
    return finding(
        "section-order",
        "B009",
        f"class {cls.name} ({cls.section}) uses {later} while it is defined, but {later} is in the "
        f"later section {section!r}; move one of them in [[class]] or refer to {later} by a string",
        objects=(cls.name, later),
    )


def _stmt_names(stmt: cst.CSTNode) -> list[str]:
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
        return [stmt.name.value]
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign):
            return [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return [small.target.value]
    return []


def _same_code(a: str, b: str) -> bool:
    try:
        return ast.dump(ast.parse(a.strip())) == ast.dump(ast.parse(b.strip()))
    except SyntaxError:
        return a.strip() == b.strip()


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


@dataclass(frozen=True, slots=True)
class _Member:
    names: tuple[str, ...]
    original: str  # code before rewriting (to compare)
    node: cst.BaseStatement  # rewritten
    source: str  # legacy qualname


def _members(
    legacy: Legacy, cls: ModelClass, node: cst.ClassDef, context: RewriteContext
) -> list[_Member]:
    out: list[_Member] = []
    for stmt in node.body.body:
        rewritten = _drop_inner_legacy_imports(legacy, stmt).visit(MovedCodeRewriter(context))
        assert isinstance(rewritten, cst.BaseStatement)
        out.append(_Member(tuple(_stmt_names(stmt)), legacy.code(stmt), rewritten, cls.qualname))
    return out


def build_class(
    decision_name: str,
    section: str,
    entity: Entity,
    legacies: dict[str, Legacy],
    naming: ResolvedPlan,
    choices: dict[str, str],
) -> ClassBuild:
    """Move the survivor, add each absorbed class's members, apply the choices."""
    survivor = entity.survivor
    findings: list[Finding] = []
    nodes = {c.qualname: legacies[c.module].classes[c.name] for c in entity.classes}
    contexts = {c.qualname: _class_context(c, naming) for c in entity.classes}
    body = _members(
        legacies[survivor.module], survivor, nodes[survivor.qualname], contexts[survivor.qualname]
    )
    inherited = _inherited_members(survivor, naming, legacies)
    added: list[_Member] = []
    for cls in entity.classes[1:]:
        absorbed = _members(legacies[cls.module], cls, nodes[cls.qualname], contexts[cls.qualname])
        new = _merge_members(body, inherited, absorbed, choices, findings, cls)
        if new:
            first = new[0]
            comment = cst.EmptyLine(comment=cst.Comment(f"# --- merged from {cls.qualname} ---"))
            new[0] = _Member(
                first.names, first.original, _with_leading(first.node, comment), first.source
            )
            added += new
    statements = _table_statements(
        [m.node for m in body] + [m.node for m in added], decision_name, entity, naming
    )
    node = nodes[survivor.qualname].with_changes(
        name=cst.Name(decision_name),
        bases=_merged_bases(entity, nodes, contexts),
        body=nodes[survivor.qualname].body.with_changes(body=statements),
    )
    code = legacies[survivor.module].code(node)
    uses = set(re.findall(r"\bsecondary\s*=\s*([A-Za-z_][A-Za-z0-9_]*)", code))
    return ClassBuild(decision_name, section, code, uses, findings)


def _class_context(cls: ModelClass, naming: ResolvedPlan) -> RewriteContext:
    final = naming.final.get(cls.qualname, cls.name)
    return RewriteContext(
        naming=naming,
        names=naming.names_in(cls.module),
        owner=cls.qualname,
        table=naming.table_of.get(final, cls.table or ""),
        column_names={c.attr: c.name for c in cls.columns},
        column_specs={c.attr: c.type for c in cls.columns},
        column_types=naming.column_types,
        model_names=frozenset(naming.table_of),
        module_aliases=naming.module_aliases.get(cls.module, {}),
    )


def _inherited_members(
    cls: ModelClass, naming: ResolvedPlan, legacies: dict[str, Legacy]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for base in cls.bases:
        simple = base.rpartition(".")[2]
        for other in naming.classes.values():
            if (
                other.name == simple
                and (other.mixin or other.abstract)
                and other.module in legacies
            ):
                node = legacies[other.module].classes.get(other.name)
                for stmt in node.body.body if node else ():
                    for name in _stmt_names(stmt):
                        found.setdefault(name, legacies[other.module].code(stmt))
    return found


def _merge_members(
    body: list[_Member],
    inherited: dict[str, str],
    absorbed: list[_Member],
    choices: dict[str, str],
    findings: list[Finding],
    cls: ModelClass,
) -> list[_Member]:
    """Fold one absorbed class into ``body`` (in place); return its new members."""
    new: list[_Member] = []
    for member in absorbed:
        if not member.names or set(member.names) & TABLE_KEYS or _is_docstring(member.node):
            continue
        name = member.names[0]
        current = next((i for i, m in enumerate(body) if name in m.names), None)
        existing = body[current].original if current is not None else inherited.get(name)
        if existing is None:
            new.append(member)
        elif _same_code(existing, member.original):
            continue
        elif choices.get(name) == cls.qualname:
            if current is not None:
                body[current] = member
            else:
                new.append(member)
        elif not choices.get(name):
            findings.append(_conflict_finding(cls, name))
    return new


def _conflict_finding(cls: ModelClass, member: str) -> Finding:
    return finding(
        "unresolved-merge-conflict",
        "B001",
        f"{member!r} is defined differently by {cls.qualname} and the class it merges into; "
        f'decide under [merge.choices]: {member} = "<module.Class>"',
        path=cls.path,
        line=cls.line,
        objects=(cls.qualname, member),
    )


def _with_leading(node: cst.BaseStatement, line: cst.EmptyLine) -> cst.BaseStatement:
    if isinstance(node, cst.SimpleStatementLine | cst.FunctionDef | cst.ClassDef):
        blank = cst.EmptyLine(indent=False)
        return node.with_changes(leading_lines=[blank, line, *node.leading_lines])
    return node


def _merged_bases(
    entity: Entity, nodes: dict[str, cst.ClassDef], contexts: dict[str, RewriteContext]
) -> list[cst.Arg]:
    survivor = nodes[entity.survivor.qualname]
    bases = [b.visit(MovedCodeRewriter(contexts[entity.survivor.qualname])) for b in survivor.bases]
    seen = {_code(b.value) for b in bases if isinstance(b, cst.Arg)}
    members = {c.name for c in entity.classes}  # a subclass absorbed by its parent
    extra: list[cst.Arg] = []
    for cls in entity.classes[1:]:
        for base in nodes[cls.qualname].bases:
            code = _code(base.value)
            if code not in seen and code.rpartition(".")[2] not in members:
                seen.add(code)
                extra.append(base.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    args = [b for b in bases if isinstance(b, cst.Arg)]
    return _fix_commas(extra + args) if extra else args


def _table_statements(
    statements: list[cst.BaseStatement], name: str, entity: Entity, naming: ResolvedPlan
) -> list[cst.BaseStatement]:
    """Set ``__tablename__`` to the planned table; drop ``extend_existing``."""
    table = naming.table_of.get(name, "")
    out: list[cst.BaseStatement] = []
    has_tablename = False
    for stmt in statements:
        names = _stmt_names(stmt)
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
        position = 1 if out and _is_docstring(out[0]) else 0
        out.insert(position, line)
    return out


def _set_tablename(stmt: cst.BaseStatement, table: str) -> cst.BaseStatement:
    if not isinstance(stmt, cst.SimpleStatementLine):  # a declared_attr function
        return stmt
    assign = stmt.body[0]
    if isinstance(assign, cst.Assign) and isinstance(assign.value, cst.SimpleString):
        new = assign.with_changes(value=_with_string(assign.value, table))
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
            and _string(e.key) == key
        )
    ]
    if not elements:
        return None
    return node.with_changes(elements=elements) if len(elements) != len(node.elements) else node


# ---------------------------------------------------------------------------
# The whole build
# ---------------------------------------------------------------------------


def build_modules(
    root: Path, inventory: Inventory, plan: Plan, *, stubs: bool = False
) -> BuildResult:
    """The unified module, the compat module (and legacy stubs), as texts with findings.

    Error findings (unplanned classes, unresolved merge conflicts, backref collisions)
    mean the texts must not be written."""
    findings = check_plan_against(inventory, plan) + _shadowed(root, inventory, plan)
    if any(f.severity is Severity.ERROR for f in findings):
        return BuildResult(files=(), findings=tuple(findings))
    naming = resolve_plan(plan, inventory)
    special = set(plan.legacy_modules) | {plan.target_module, plan.compat_module}
    modules = _ordered_modules(inventory, plan)
    legacies = {m.name: read_legacy(root, inventory, m, special) for m in modules}
    entities = {d.source: e for d, e in zip(plan.classes, naming.entities, strict=True)}
    built = [
        build_class(
            d.name, d.section, entities[d.source], legacies, naming, _choices(plan, d.source)
        )
        for d in plan.classes
    ]
    findings += [f for b in built for f in b.findings]
    findings += _backref_findings(plan, naming, entities)
    unified, more = render_unified(root, inventory, plan, naming, legacies, built)
    findings += more
    compat, more = render_compat(plan, inventory, naming, unified)
    findings += more
    files = _files(root, inventory, plan, unified, compat, stubs)
    merged = sum(len(m.absorbed) for m in plan.merges)
    return BuildResult(files=files, findings=tuple(findings), classes=len(built), merged=merged)


def _shadowed(root: Path, inventory: Inventory, plan: Plan) -> list[Finding]:
    """``pkg/models.py`` beside a package ``pkg/models/`` is never imported."""
    out = []
    for module in (plan.target_module, plan.compat_module):
        rel = module_rel(inventory, plan, module)
        package = PurePosixPath(rel).with_suffix("") / "__init__.py"
        if rel.endswith(".py") and (root / package).is_file():
            out.append(
                finding(
                    "module-shadowed",
                    "B010",
                    f"{module} is already the package {package}, which would win over a "
                    f"{rel} beside it; choose another target_module/compat_module",
                    path=str(package),
                    objects=(module,),
                )
            )
    return out


def _ordered_modules(inventory: Inventory, plan: Plan) -> list[ModelModule]:
    """The legacy modules, the one named like the target first (its ``db`` wins)."""
    by_name = {m.name: m for m in inventory.modules}
    names = sorted(plan.legacy_modules, key=lambda n: n != plan.target_module)
    return [by_name[n] for n in names if n in by_name]


def _choices(plan: Plan, survivor: str) -> dict[str, str]:
    return {c.member: c.take_from for m in plan.merges if m.survivor == survivor for c in m.choices}


def check_plan_against(inventory: Inventory, plan: Plan) -> list[Finding]:
    """Every planned class exists, every real class of a legacy module is planned."""
    findings: list[Finding] = []
    known = {m.name for m in inventory.modules}
    classes = {c.qualname: c for m in inventory.modules for c in m.classes if not c.guarded}
    for name in plan.legacy_modules:
        if name not in known:
            findings.append(
                finding(
                    "plan-unknown-name",
                    "B004",
                    f"legacy module {name!r} of the plan is not a model module of the repository",
                    path=plan.path,
                )
            )
    planned = {d.source for d in plan.classes} | {a for m in plan.merges for a in m.absorbed}
    for name in sorted(planned - classes.keys()):
        findings.append(
            finding(
                "plan-unknown-name",
                "B004",
                f"the plan names {name}, which the repository does not define (outside a placeholder)",
                path=plan.path,
                objects=(name,),
            )
        )
    for qualname, cls in classes.items():
        if cls.module in plan.legacy_modules and qualname not in planned:
            findings.append(
                finding(
                    "unplanned-class",
                    "B003",
                    f"{qualname} has no decision: add a [[class]] entry for it or absorb it in a [[merge]]",
                    path=cls.path,
                    line=cls.line,
                    objects=(qualname,),
                )
            )
    return findings


def _backref_findings(plan: Plan, naming: ResolvedPlan, entities: dict[str, Entity]) -> list[Finding]:
    final = dict(naming.final)
    collisions = backref_collisions(list(entities.values()), final, plan.merges, naming.backrefs)
    findings: list[Finding] = []
    for (target, backref), owners in sorted(collisions.items()):
        real = [o for o in owners if o[0]]
        who = ", ".join(f"{o}.{r}" for o, r in real)
        clash = "another relationship's backref" if len(real) > 1 else "a member of the class"
        owner = real[-1]
        cls = naming.classes.get(owner[0])
        findings.append(
            finding(
                "backref-collision",
                "B002",
                f"backref {target}.{backref} (from {who}) collides with {clash} after the merge; "
                f'rename it: [[backref]] model = "{owner[0]}", relationship = "{owner[1]}", rename_to = "..."',
                path=cls.path if cls else None,
                line=cls.line if cls else None,
                objects=(target, backref),
            )
        )
    return findings


# ---------------------------------------------------------------------------
# Rendering the unified module
# ---------------------------------------------------------------------------

RULE = "# " + "=" * 77


def _banner(title: str) -> str:
    return f"{RULE}\n# {title}\n{RULE}"


def _section_title(section: str, sections: tuple[str, ...]) -> str:
    return f"SECTION {sections.index(section) + 1}: {section.upper()}"


def _chunk(code: str) -> str:
    return re.sub(r"^(?:[ \t]*\n)+", "", code).rstrip()


def render_unified(
    root: Path,
    inventory: Inventory,
    plan: Plan,
    naming: ResolvedPlan,
    legacies: dict[str, Legacy],
    built: list[ClassBuild],
) -> tuple[str, list[Finding]]:
    findings: list[Finding] = []
    helpers, bases = _helpers(legacies, naming, built, findings)
    tables = _tables(legacies, naming)
    findings += import_clashes(legacies)
    parts = [_module_docstring(plan, legacies) + "\n\n" + render_imports(root, legacies)]
    parts += [_chunk(c) for lg in legacies.values() for c in map(lg.code, lg.preamble)]
    sections = naming.sections
    parts.append(_banner(_section_title(sections[0], sections)))
    parts += _db_init(legacies)
    parts += bases
    ordered, more = order_classes(built, sections)
    findings += more
    parts += [b.code for b in ordered if b.section == sections[0]]
    if helpers:
        parts += [_banner(HELPERS_TITLE.upper()), *helpers]
    placed: set[str] = set()
    for section in sections[1:]:
        members = [b for b in ordered if b.section == section]
        if not members:
            continue
        parts.append(_banner(_section_title(section, sections)))
        for cls in members:
            for var in sorted(cls.uses_tables & tables.keys() - placed):
                parts.append(tables[var])
                placed.add(var)
            parts.append(cls.code)
    rest = [code for var, code in tables.items() if var not in placed]
    rest += [_chunk(c) for c in _others(legacies, naming)]
    if rest:
        parts += [_banner(OTHER_TITLE.upper()), *rest]
    text = "\n\n\n".join(_chunk(p) for p in parts if p.strip()) + "\n"
    return re.sub(r"(\n# [^\n]*\n# =+)\n\n\n", r"\1\n\n", text), findings


def _module_docstring(plan: Plan, legacies: dict[str, Legacy]) -> str:
    many = len(legacies) > 4
    sources = (
        f"{len(legacies)} legacy modules" if many else "the legacy modules " + ", ".join(legacies)
    )
    return (
        f'"""Unified models: every model of the application, in the plan\'s sections.\n\n'
        f"Built by `unify build` from {sources}\n"
        f"(decisions in {PurePosixPath(plan.path).name}).  The legacy names stay importable from\n"
        f'{plan.compat_module} until every import points here.\n"""'
    )


def _db_init(legacies: dict[str, Legacy]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for legacy in legacies.values():
        for stmt in legacy.db_init:
            code = _chunk(legacy.code(stmt))
            target = code.split("=", 1)[0].strip()
            if target not in seen:
                seen.add(target)
                out.append(code)
    return out or ["# The models' base (`db`, `Model`, `Base`, ...) is imported above."]


def _rewriter_for(legacy: Legacy, naming: ResolvedPlan) -> MovedCodeRewriter:
    context = RewriteContext(
        naming=naming,
        names=naming.names_in(legacy.module.name),
        column_types=naming.column_types,
        model_names=frozenset(naming.table_of),
        module_aliases=naming.module_aliases.get(legacy.module.name, {}),
    )
    return MovedCodeRewriter(context)


def _moved(legacy: Legacy, node: cst.CSTNode, naming: ResolvedPlan) -> str:
    node = _drop_inner_legacy_imports(legacy, node)
    moved = node.visit(_rewriter_for(legacy, naming))
    assert isinstance(moved, cst.CSTNode)
    return _chunk(legacy.code(moved))


def _drop_inner_legacy_imports(legacy: Legacy, node: cst.CSTNode) -> cst.CSTNode:
    class Dropper(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
            if legacy.lines.get(original_node, -1) in legacy.legacy_import_lines:
                return cst.RemoveFromParent()
            return updated_node

    # positions are keyed by the original nodes, so walk the original tree
    dropped = node.visit(Dropper())
    assert isinstance(dropped, cst.CSTNode)
    return dropped


def _helpers(
    legacies: dict[str, Legacy], naming: ResolvedPlan, built: list[ClassBuild], findings: list[Finding]
) -> tuple[list[str], list[str]]:
    """Non-model classes, functions and assignments; those used as model bases apart."""
    base_names = {n for b in built for n in re.findall(r"^class \w+\(([^)]*)\)", b.code, re.M)}
    base_words = {w.strip().rpartition(".")[2] for group in base_names for w in group.split(",")}
    seen: dict[str, tuple[str, str]] = {}
    helpers: list[str] = []
    bases: list[str] = []
    for legacy in legacies.values():
        for name, node in legacy.helpers:
            code = _moved(legacy, node, naming)
            if name in seen:
                if not _same_code(seen[name][1], code):
                    findings.append(_clash_finding(name, seen[name][0], legacy))
                continue
            if name in naming.table_of or name == "db":
                findings.append(_clash_finding(name, "the unified classes", legacy))
                continue
            seen[name] = (legacy.module.name, code)
            (bases if name in base_words else helpers).append(code)
    return helpers, bases


def _clash_finding(name: str, first: str, legacy: Legacy) -> Finding:
    return finding(
        "helper-name-clash",
        "B005",
        f"{name!r} is defined by {first} and differently by {legacy.module.name}; rename one of them before building",
        path=legacy.module.path,
        objects=(name,),
    )


def _tables(legacies: dict[str, Legacy], naming: ResolvedPlan) -> dict[str, str]:
    out: dict[str, str] = {}
    tables_seen: set[str] = set()
    for legacy in legacies.values():
        by_var = {t.name: t.table for t in legacy.module.tables}
        for var, stmt in legacy.tables:
            table = naming.tables.get(by_var.get(var, var), by_var.get(var, var))
            if var in out or table in tables_seen:
                continue
            tables_seen.add(table)
            out[var] = _moved(legacy, stmt, naming)
    return out


def _others(legacies: dict[str, Legacy], naming: ResolvedPlan) -> list[str]:
    return [_moved(legacy, node, naming) for legacy in legacies.values() for node in legacy.other]


# ---------------------------------------------------------------------------
# Imports: deduplicated and grouped (future, standard library, third party, local)
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _ImportSet:
    plain: set[tuple[str, str | None]] = field(default_factory=set)  # import x [as y]
    names: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)  # from x import

    def add(self, node: cst.Import | cst.ImportFrom, owner: ModelModule) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                self.plain.add((_code(alias.name), _asname(alias)))
            return
        module = _from_module(node, owner)
        bucket = self.names.setdefault(module, set())
        if isinstance(node.names, cst.ImportStar):
            bucket.add(("*", None))
        else:
            for alias in node.names:
                bucket.add((_code(alias.name), _asname(alias)))


def _from_module(node: cst.ImportFrom, owner: ModelModule) -> str:
    """The absolute module a ``from`` import of ``owner`` names: the unified module lives
    elsewhere, so ``from .. import db`` must become ``from pkg import db``."""
    name = _code(node.module) if node.module else ""
    level = len(node.relative)
    if not level:
        return name
    package = owner.name.split(".")
    if not owner.path.endswith("__init__.py"):
        package = package[:-1]
    if level - 1 >= len(package):
        return "." * level + name  # above the import root: keep it as written
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    name = alias.asname.name
    return _code(name)


def render_imports(root: Path, legacies: dict[str, Legacy]) -> str:
    imports = _ImportSet()
    for legacy in legacies.values():
        for stmt in legacy.imports:
            for small in stmt.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    imports.add(small, legacy.module)
    local = _local_tops(root)
    groups: dict[int, list[tuple[int, str, str]]] = {}
    for module, asname in imports.plain:
        line = f"import {module}" + (f" as {asname}" if asname else "")
        groups.setdefault(_group(module, local), []).append((0, module, line))
    for module, names in imports.names.items():
        listed = sorted(f"{n} as {a}" if a else n for n, a in names)
        line = f"from {module} import " + ", ".join(listed)
        if len(line) > 99:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in listed) + ")"
        groups.setdefault(_group(module, local), []).append((1, module, line))
    blocks = ["\n".join(line for _, _, line in sorted(groups[g])) for g in sorted(groups)]
    return "\n\n".join(blocks)


def import_clashes(legacies: dict[str, Legacy]) -> list[Finding]:
    """Names two legacy modules bind to different things by import (``apidef`` from two
    modules): one namespace cannot hold both, so the user must rename one import."""
    bound: dict[str, dict[str, str]] = {}  # name -> {what it means -> legacy module}
    for legacy in legacies.values():
        for stmt in legacy.imports:
            for small in stmt.body:
                for name, meaning in _bindings(small, legacy.module):
                    bound.setdefault(name, {}).setdefault(meaning, legacy.module.name)
    return [
        finding(
            "import-name-clash",
            "B008",
            f"{name!r} is bound to "
            + " and ".join(f"{m} (in {where})" for m, where in sorted(meanings.items()))
            + "; rename one of these imports in its legacy module before building",
            objects=(name,),
        )
        for name, meanings in sorted(bound.items())
        if len(meanings) > 1
    ]


def _bindings(node: cst.BaseSmallStatement, owner: ModelModule) -> list[tuple[str, str]]:
    if isinstance(node, cst.Import):
        return [
            (
                _asname(a) or _code(a.name).split(".")[0],
                _code(a.name) if _asname(a) else _code(a.name).split(".")[0],
            )
            for a in node.names
        ]
    if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        module = _from_module(node, owner)
        return [(_asname(a) or _code(a.name), f"{module}.{_code(a.name)}") for a in node.names]
    return []


def _group(module: str, local: set[str]) -> int:
    top = module.split(".")[0]
    if module == "__future__":
        return 0
    if module.startswith(".") or top in local:
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


def _local_tops(root: Path) -> set[str]:
    from unify.scan import describe_files, list_repo_files

    files = describe_files(root, list_repo_files(root).python)
    return {f.module.split(".")[0] for f in files}


# ---------------------------------------------------------------------------
# The compat module and the legacy stubs
# ---------------------------------------------------------------------------


def provided_names(text: str) -> set[str]:
    """Top-level names a module's text binds."""
    names: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    return names


def compat_names(
    plan: Plan, inventory: Inventory, naming: ResolvedPlan, unified: str
) -> tuple[dict[str, str], list[Finding]]:
    """``legacy name -> name in the unified module`` for every name a legacy module provided."""
    provided = provided_names(unified)
    names: dict[str, str] = {}
    findings: list[Finding] = []
    for module in _ordered_modules(inventory, plan):
        local = naming.names_in(module.name)
        modules = naming.module_aliases.get(module.name, {})
        for export in module.exports:
            if export in modules:  # a legacy module bound as a name: nothing to alias
                continue
            new = local.get(export, export)
            if new not in provided:
                if not export.startswith("_"):
                    findings.append(_missing_finding(module, export))
                continue
            if names.get(export, new) != new:
                findings.append(
                    finding(
                        "compat-name-clash",
                        "B007",
                        f"{module.name}.{export} means {new} but another legacy module's {export} means {names[export]}; the compat module keeps {names[export]}",
                        path=module.path,
                        severity=Severity.WARNING,
                        objects=(export,),
                    )
                )
                continue
            names.setdefault(export, new)
    return names, findings


def _missing_finding(module: ModelModule, export: str) -> Finding:
    return finding(
        "compat-name-missing",
        "B006",
        f"{module.name}.{export} has no counterpart in the unified module (legacy glue removed); imports of it will break",
        path=module.path,
        severity=Severity.WARNING,
        objects=(export,),
    )


def render_compat(
    plan: Plan, inventory: Inventory, naming: ResolvedPlan, unified: str
) -> tuple[str, list[Finding]]:
    names, findings = compat_names(plan, inventory, naming, unified)
    imported = sorted({new for new in names.values()} | {e for e, n in names.items() if e == n})
    aliases = sorted((e, n) for e, n in names.items() if e != n)
    lines = [
        '"""Compatibility module (temporary): every name the legacy model modules provided.',
        "",
        "Built by `unify build`.  Old imports keep working through it during the migration;",
        f"import from {plan.target_module} instead, and delete this module once nothing imports it.",
        '"""',
        "",
        f"from {plan.target_module} import (  # noqa: F401",
        *(f"    {n}," for n in imported),
        ")",
    ]
    if aliases:
        lines += ["", "# Legacy names of renamed or merged classes"]
        lines += [f"{old} = {new}" for old, new in aliases]
    return "\n".join(lines) + "\n", findings


def render_stub(plan: Plan, module: ModelModule, names: dict[str, str]) -> str:
    kept = sorted(e for e in module.exports if e in names)
    return "\n".join(
        [
            f'"""Legacy module {module.name}: a stub.  Its models now live in {plan.target_module}.',
            "",
            f"Import from {plan.target_module} instead; these names come from {plan.compat_module}.",
            '"""',
            "",
            f"from {plan.compat_module} import (  # noqa: F401",
            *(f"    {n}," for n in kept),
            ")",
            "",
        ]
    )


def module_rel(inventory: Inventory, plan: Plan, module: str) -> str:
    """Where ``module`` lives (or will live): next to the legacy modules."""
    for legacy in inventory.modules:
        if legacy.name == module:
            return legacy.path
    first = next((m for m in inventory.modules if m.name in plan.legacy_modules), None)
    root = PurePosixPath(first.root) if first and first.root else PurePosixPath()
    return str(root / (module.replace(".", "/") + ".py"))


def _files(
    root: Path, inventory: Inventory, plan: Plan, unified: str, compat: str, stubs: bool
) -> tuple[BuiltFile, ...]:
    files = [
        _built(
            root,
            module_rel(inventory, plan, plan.target_module),
            plan.target_module,
            unified,
            "unified",
        ),
        _built(
            root,
            module_rel(inventory, plan, plan.compat_module),
            plan.compat_module,
            compat,
            "compat",
        ),
    ]
    if stubs:
        naming = resolve_plan(plan, inventory)
        names, _ = compat_names(plan, inventory, naming, unified)
        for module in _ordered_modules(inventory, plan):
            if module.name != plan.target_module:
                files.append(
                    _built(root, module.path, module.name, render_stub(plan, module, names), "stub")
                )
    return tuple(files)


def _built(root: Path, rel: str, module: str, text: str, role: str) -> BuiltFile:
    path = root / rel
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    assert role in ("unified", "compat", "stub")
    return BuiltFile(rel=rel, module=module, text=text, role=role, previous=previous)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Writing: all or nothing
# ---------------------------------------------------------------------------


def write_build(dest: Path, files: Sequence[BuiltFile]) -> tuple[Path, ...]:
    """Write every file under ``dest`` (temp file + ``os.replace``); nothing is replaced
    unless every temp file was written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for built in files:
            target = dest / built.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(built.text)
            staged.append((Path(name), target))
    except OSError as exc:
        for staged_tmp, _ in staged:
            staged_tmp.unlink(missing_ok=True)
        raise InputError(
            f"{dest}: cannot write the built modules ({exc.strerror or exc})"
        ) from None
    for staged_tmp, final in staged:
        os.replace(staged_tmp, final)
    return tuple(final for _, final in staged)


# ---------------------------------------------------------------------------
# Build and check: what ``unify build`` runs
# ---------------------------------------------------------------------------


def run_build(
    root: Path,
    inventory: Inventory,
    plan: Plan,
    *,
    stubs: bool = False,
    python: str = sys.executable,
) -> BuildResult:
    """Build, then self-check the built files (only when the build found no error)."""
    from unify.selfcheck import self_check

    result = build_modules(root, inventory, plan, stubs=stubs)
    if not result.files or any(f.severity is Severity.ERROR for f in result.findings):
        return result
    unified = next(f for f in result.files if f.role == "unified")
    names, _ = compat_names(plan, inventory, resolve_plan(plan, inventory), unified.text)
    checked = self_check(root, inventory, plan, result.files, names=sorted(names), python=python)
    return BuildResult(
        files=result.files,
        findings=result.findings + checked,
        classes=result.classes,
        merged=result.merged,
    )
