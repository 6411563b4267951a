"""Pass 2, *outline*: what each file provides at its top level (classes with their bodies
read, names it binds, its imports, ``Table()`` objects) and every import statement at any
depth, as a frozen ``Outline`` that holds no syntax tree."""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from unify.inventory.classes import RawClass, read_class
from unify.inventory.exprs import decorators, dotted, last, string, string_list, target_names
from unify.inventory.parse import ParsedFile
from unify.inventory.references import NO_REFERENCES, References, read_references
from unify.inventory.tables import read_table
from unify.literals import (
    CodeString,
    is_alembic_revision,
    mentions_sql,
    quoted_names,
    sql_strings,
)
from unify.models import SourceFile, TableDef
from unify.vocabulary import TABLE_CALLS

GUARDS = frozenset({"except", "else", "finally"})


@dataclass(frozen=True, slots=True)
class TopImport:
    """``from <level><module> import name as asname`` (name None for ``import module``)."""

    module: str
    level: int
    name: str | None
    asname: str | None
    line: int
    guarded: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TopClass:
    """A top-level class: where it is, its bases and decorators as written, its body read."""

    name: str
    line: int
    end_line: int
    guarded: bool
    bases: tuple[str, ...]
    decorators: tuple[str, ...]  # the last part of each decorator (``as_declarative``)
    body: RawClass
    has_tablename: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TopAssign:
    """``name = value`` at the top level: the value only as the passes read it."""

    line: int
    guarded: bool
    name: str | None = None  # the value is this name (an alias)
    dotted: str | None = None  # the value is this attribute chain (``db.Model``)
    text: str | None = None  # the value is this string
    call: str = ""  # the value is a call of this (last part): ``declarative_base``


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportStatement:
    """An import statement anywhere in the file, with its enclosing blocks."""

    line: int
    context: tuple[str, ...]
    names: tuple[tuple[str, str | None], ...]  # (name, asname)
    module: str | None = None  # ``from`` imports only
    level: int = 0
    is_from: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicCall:
    """``import_module(arg)`` / ``__import__(arg)``: the string given, or the name given."""

    line: int
    call: str
    text: str | None
    name: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Outline:
    """What a file provides at its top level, and the imports it makes anywhere."""

    source: SourceFile
    # the text, kept only for a file whose candidate references were not read with the
    # outline (``Outlined``): it is parsed again if it turns out to import a model
    text: str | None
    classes: dict[str, TopClass]
    functions: dict[str, tuple[int, int]]  # name -> (line, end line)
    assigns: dict[str, TopAssign]
    defined: frozenset[str]
    imports: tuple[TopImport, ...]
    stars: tuple[TopImport, ...]
    tables: tuple[TableDef, ...]
    all_names: tuple[str, ...] | None
    dynamic_getattr: bool
    statements: tuple[ImportStatement, ...]
    dynamic: tuple[DynamicCall, ...]
    has_filter_by: bool = False  # the text shows ``filter_by``
    # names of ``heads`` the text shows as ``name.`` (a few: a tuple is a third of a set's size)
    dotted_heads: tuple[str, ...] = ()
    # quoted dotted names that may name a module (``"shop_models"``): the strings themselves
    # are read later, for the few files whose names resolve to a model module
    quoted: frozenset[str] = frozenset()
    # the strings that look like SQL (not in an Alembic revision: history), read now from the
    # statements where one opens; which name a model's table is known later
    sql: tuple[CodeString, ...] = ()
    # an Alembic revision file: its classes and ``Table()`` objects are the schema as it was
    # when the revision ran, history rather than models (its imports still count)
    history: bool = False


# the candidate references read with an outline, or None when they were not read (the file
# is parsed again from the outline's ``text`` if a later pass needs them); kept apart from
# the outline, which later passes hold on to, so that they are let go once matched
Outlined = tuple[Outline, References | None]


# the repository file ``from <level><written> import`` in a file names, if any
Resolves = Callable[[SourceFile, str, int], SourceFile | None]
# a model module's file path usually says so (``models.py``, ``db/models/port.py``): reading
# the references of files importing one right away saves parsing them again (a guess only:
# any other file is parsed again when it turns out to need it)
LIKELY_MODEL_PATH = "model"


def outline_file(
    parsed: ParsedFile, resolves: Resolves, stems: Collection[str] = frozenset()
) -> Outlined:
    """``stems``: the last names of the repository's modules (strings naming one are kept)."""
    draft = _Draft(parsed.source)
    for node, ctx in _top_statements(parsed.tree.body, ()):
        draft.note(node, ctx)
    text = parsed.text
    dynamic = _dynamic_calls(parsed.tree) if "import_module" in text or "__import__" in text else ()
    statements = _import_statements(parsed.tree.body)
    heads, star, likely = _heads(parsed.source, statements, resolves)
    heads |= draft.classes.keys()
    dotted_heads = tuple(h for h in heads if f"{h}." in text)
    has_filter_by = "filter_by" in text
    references: References | None = NO_REFERENCES
    if star or has_filter_by or dotted_heads:
        likely = likely or star or has_filter_by or LIKELY_MODEL_PATH in parsed.source.rel
        references = read_references(parsed.tree, heads, star=star) if likely else None
    history = is_alembic_revision(text)
    outline = Outline(
        source=parsed.source,
        text=text if references is None else None,
        classes=draft.classes,
        functions=draft.functions,
        assigns=draft.assigns,
        defined=frozenset(draft.defined),
        imports=tuple(draft.imports),
        stars=tuple(draft.stars),
        tables=tuple(draft.tables),
        all_names=draft.all_names,
        dynamic_getattr=draft.dynamic_getattr,
        statements=tuple(statements),
        dynamic=tuple(dynamic),
        has_filter_by=has_filter_by,
        dotted_heads=dotted_heads,
        quoted=quoted_names(text, stems) if stems else frozenset(),
        sql=sql_strings(parsed.tree, text) if mentions_sql(text) and not history else (),
        history=history,
    )
    return outline, references


def _heads(
    source: SourceFile, statements: list[ImportStatement], resolves: Resolves
) -> tuple[set[str], bool, bool]:
    """Names the file binds by imports of repository modules (``import a.b`` binds
    ``a.b``), whether it star-imports anything, and whether one of those modules' paths
    looks like a model module's."""
    heads: set[str] = set()
    star = likely = False
    for stmt in statements:
        if not stmt.is_from:
            for name, asname in stmt.names:
                hit = resolves(source, name, 0)
                if hit is not None:
                    heads.add(asname or name)
                    likely = likely or LIKELY_MODEL_PATH in hit.rel
            continue
        module = stmt.module or ""
        found = resolves(source, module, stmt.level)
        for name, asname in stmt.names:
            if name == "*":
                star = True
                continue
            hit = found or resolves(source, f"{module}.{name}" if module else name, stmt.level)
            if hit is not None:
                heads.add(asname or name)
                likely = likely or LIKELY_MODEL_PATH in hit.rel
    return heads, star, likely


def _top_statements(
    body: list[ast.stmt], ctx: tuple[str, ...]
) -> Iterator[tuple[ast.stmt, tuple[str, ...]]]:
    for node in body:
        yield node, ctx
        if isinstance(node, _BLOCKS):
            for sub, label in blocks(node):
                yield from _top_statements(sub, (*ctx, label))


# the statements ``blocks`` opens
_BLOCKS = (
    ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While,
    ast.Match,
)  # fmt: skip


def blocks(node: ast.stmt) -> Iterator[tuple[list[ast.stmt], str]]:
    """The statement lists nested in a block statement (not function or class bodies)."""
    if isinstance(node, ast.If):
        yield node.body, "if"
        yield node.orelse, "else"
    elif isinstance(node, (ast.Try, ast.TryStar)):
        yield node.body, "try"
        for handler in node.handlers:
            yield handler.body, "except"
        yield node.orelse, "else"
        yield node.finalbody, "finally"
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        yield node.body, "with"
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        yield node.body, "for" if not isinstance(node, ast.While) else "while"
        yield node.orelse, "else"
    elif isinstance(node, ast.Match):
        for case in node.cases:
            yield case.body, "match"


@dataclass(slots=True)
class _Draft:
    """The outline being built (local to ``outline_file``)."""

    source: SourceFile
    classes: dict[str, TopClass] = field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)
    assigns: dict[str, TopAssign] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)
    imports: list[TopImport] = field(default_factory=list)
    stars: list[TopImport] = field(default_factory=list)
    tables: list[TableDef] = field(default_factory=list)
    all_names: tuple[str, ...] | None = None
    dynamic_getattr: bool = False

    def note(self, node: ast.stmt, ctx: tuple[str, ...]) -> None:
        guarded = bool(ctx) and any(c in GUARDS for c in ctx)
        if isinstance(node, ast.ClassDef):
            if node.name not in self.classes or not guarded:
                self.classes[node.name] = _top_class(node, guarded)
            self.defined.add(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.setdefault(node.name, (node.lineno, node.end_lineno or node.lineno))
            self.defined.add(node.name)
            self.dynamic_getattr |= node.name == "__getattr__"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.note_import(node, guarded or "try" in ctx)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self.note_assign(node, guarded or "try" in ctx)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            targets = (
                [node.target]
                if isinstance(node, (ast.For, ast.AsyncFor))
                else [i.optional_vars for i in node.items if i.optional_vars is not None]
            )
            for target in targets:
                self.defined.update(target_names(target))

    def note_import(self, node: ast.Import | ast.ImportFrom, guarded: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                item = TopImport(alias.name, 0, None, alias.asname, node.lineno, guarded)
                self.imports.append(item)
                self.defined.add(alias.asname or alias.name.split(".", 1)[0])
            return
        module = node.module or ""
        for alias in node.names:
            item = TopImport(module, node.level, alias.name, alias.asname, node.lineno, guarded)
            if alias.name == "*":
                self.stars.append(item)
            else:
                self.imports.append(item)
                self.defined.add(alias.asname or alias.name)

    def note_assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, guarded: bool) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        for target in targets:
            for name in target_names(target):
                self.defined.add(name)
                if value is not None and isinstance(target, ast.Name):
                    self.assigns[name] = _top_assign(value, node.lineno, guarded)
        first = targets[0]
        if (
            isinstance(value, ast.Call)
            and last(value.func) in TABLE_CALLS
            and value.args
            and string(value.args[0]) is not None
            and isinstance(first, ast.Name)
        ):
            self.tables.append(read_table(self.source, first.id, value, node.lineno))
        if isinstance(first, ast.Name) and first.id == "__all__" and value is not None:
            names = string_list(value)
            if names is not None:
                self.all_names = names


def _top_class(node: ast.ClassDef, guarded: bool) -> TopClass:
    return TopClass(
        name=node.name,
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        guarded=guarded,
        bases=tuple(dotted(b) or "" for b in node.bases),
        decorators=tuple(last(d) for d in decorators(node)),
        body=read_class(node),
        has_tablename=any(_assigned_name(s) == "__tablename__" for s in node.body),
    )


def _assigned_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    return None


def _top_assign(value: ast.expr, line: int, guarded: bool) -> TopAssign:
    return TopAssign(
        line=line,
        guarded=guarded,
        name=value.id if isinstance(value, ast.Name) else None,
        dotted=dotted(value) if isinstance(value, ast.Attribute) else None,
        text=string(value),
        call=last(value.func) if isinstance(value, ast.Call) else "",
    )


_LEAF_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass)
_IMPORTS = (ast.Import, ast.ImportFrom)


def _import_statements(body: list[ast.stmt]) -> list[ImportStatement]:
    """Every import statement, with its enclosing blocks (functions and classes included).
    An explicit stack: this runs on every file, so it stays cheap."""
    found: list[tuple[int, int, ImportStatement]] = []
    stack: list[tuple[list[ast.stmt], tuple[str, ...]]] = [(body, ())]
    while stack:
        stmts, ctx = stack.pop()
        for node in stmts:
            if isinstance(node, _LEAF_STATEMENTS):
                continue
            if isinstance(node, _IMPORTS):
                found.append((node.lineno, node.col_offset, _statement(node, ctx)))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append((node.body, (*ctx, "function")))
            elif isinstance(node, ast.ClassDef):
                stack.append((node.body, (*ctx, "class")))
            else:
                stack.extend((sub, (*ctx, label)) for sub, label in blocks(node) if sub)
    found.sort(key=lambda item: (item[0], item[1]))
    return [statement for _, _, statement in found]


def _statement(node: ast.Import | ast.ImportFrom, ctx: tuple[str, ...]) -> ImportStatement:
    names = tuple((a.name, a.asname) for a in node.names)
    if isinstance(node, ast.Import):
        return ImportStatement(line=node.lineno, context=ctx, names=names)
    return ImportStatement(
        line=node.lineno,
        context=ctx,
        names=names,
        module=node.module,
        level=node.level,
        is_from=True,
    )


def _dynamic_calls(tree: ast.Module) -> Iterator[DynamicCall]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or last(node.func) not in ("import_module", "__import__"):
            continue
        if not node.args:
            continue
        arg = node.args[0]
        yield DynamicCall(
            line=node.lineno,
            call=dotted(node.func) or "import_module",
            text=string(arg),
            name=arg.id if isinstance(arg, ast.Name) else None,
        )
