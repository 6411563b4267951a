"""``unify analyze``: the static inventory of a repository's model modules.

Nothing is imported or executed: every file is parsed once with :mod:`ast` and read by cheap
passes over the tree.

1. *parse*: every ``.py`` file (a syntax error or undecodable bytes becomes a
   ``parse-error`` finding; the rest is still analysed);
2. *outline*: the top-level statements of each file (classes, names it binds, its imports,
   ``Table()`` objects), descending into ``if``/``try``/``with`` blocks but not into bodies;
3. *models*: which classes are mapped (deriving from ``db.Model``, a declarative base,
   ``DeclarativeBase``, another model, or carrying ``__tablename__``), read into records;
4. *imports*: every import of a model module anywhere (function bodies and blocks too),
   with the status of each name it takes; dynamic imports naming a model module;
5. *uses*: ``Model.attr`` and ``filter_by(attr=...)`` in files that import a model;
6. *findings*: :mod:`unify.findings` turns the records into findings.
"""

from __future__ import annotations

import ast
import gc
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from unify import findings as rules
from unify.errors import InputError
from unify.models import (
    AttributeUse,
    ColumnSpec,
    DynamicImport,
    Finding,
    ForeignKeyForm,
    ForeignKeySpec,
    ImportedName,
    ImportForm,
    ImportRecord,
    Inventory,
    ModelAlias,
    ModelClass,
    ModelModule,
    ModuleAttribute,
    NameStatus,
    ReExport,
    RelationshipSpec,
    SourceFile,
    Symbol,
    TableDef,
)
from unify.scan import ModuleIndex, describe_files, list_repo_files, read_source

COLUMN_CALLS = frozenset({"Column", "mapped_column"})
RELATIONSHIP_CALLS = frozenset({"relationship", "relation"})
TABLE_CALLS = frozenset({"Table"})
DECLARATIVE_ROOTS = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
MODEL_ROOTS = frozenset({"Model", "Base", "DeclarativeBase", "DeclarativeBaseNoMeta"})
BASE_FACTORIES = frozenset({"declarative_base", "generate_base", "as_declarative"})
NOT_TYPES = frozenset(
    {"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "FetchedValue"}
)
# attributes every mapped class has, whatever its body says
MAPPED_MEMBERS = frozenset(
    {
        "query",
        "query_class",
        "metadata",
        "registry",
        "__table__",
        "__tablename__",
        "__table_args__",
        "__mapper__",
        "__mapper_args__",
        "__init__",
        "__name__",
        "__class__",
        "__dict__",
        "__doc__",
        "__module__",
        "__subclasses__",
        "__bind_key__",
        "_sa_class_manager",
        "_sa_registry",
    }
)
# well-known bases outside the repository whose members are known
EXTERNAL_MEMBERS: dict[str, frozenset[str]] = {
    "UserMixin": frozenset({"is_authenticated", "is_active", "is_anonymous", "get_id"}),
    "object": frozenset(),
}
ANNOTATION_TYPES = {
    "int": "Integer",
    "str": "String",
    "bool": "Boolean",
    "float": "Float",
    "datetime": "DateTime",
    "date": "Date",
    "time": "Time",
    "timedelta": "Interval",
    "Decimal": "Numeric",
    "bytes": "LargeBinary",
    "UUID": "Uuid",
    "dict": "JSON",
    "list": "JSON",
}


def analyze_repo(
    path: Path,
    *,
    models: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Inventory:
    """Inventory the model modules of the repository at ``path`` (static: nothing runs).

    ``models`` names the model modules (dotted names or paths) instead of finding them;
    ``progress(done, total)`` is called as files are parsed.
    Raises ``InputError`` for a missing path, a file, a symlink loop or a folder without
    Python files.
    """
    with _gc_paused():
        return _analyze(path, models, progress)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of live AST nodes make each full garbage collection slow; trees hold no
    cycles, so reference counting frees them anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze(
    path: Path, models: tuple[str, ...], progress: Callable[[int, int], None] | None
) -> Inventory:
    files = list_repo_files(path)
    if not files.python:
        raise InputError(f"{path}: no Python files found (give the repository's root folder)")
    index = ModuleIndex(describe_files(files.root, files.python))
    parsed, problems = _parse_all(files.root, index.files, progress)
    outlines = {p.source.rel: _outline(p) for p in parsed}
    repo = _Repo(index=index, outlines=outlines)
    chosen = _chosen_modules(repo, models, files.root) if models else None
    catalogue = _find_models(repo, chosen)
    modules = _model_modules(repo, catalogue)
    deps = _scan_dependents(repo, catalogue, {m.path for m in modules})
    found = _derive_findings(repo, catalogue, modules, deps)
    found += rules.check_other_python(files.other_python)
    if chosen is None:
        found += rules.check_module_names(_module_name_clashes(repo, catalogue))
    return Inventory(
        root=str(files.root),
        import_roots=index.roots,
        modules=tuple(modules),
        imports=tuple(deps.imports),
        findings=tuple(problems + found),
        files_scanned=len(index.files),
        dynamic_imports=tuple(deps.dynamic),
        other_python_files=files.other_python,
        attribute_uses=tuple(deps.uses),
        module_attributes=tuple(deps.module_attributes),
    )


# ---------------------------------------------------------------------------
# 1. parse
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedFile:
    source: SourceFile
    text: str
    tree: ast.Module


def _parse_all(
    root: Path, files: Sequence[SourceFile], progress: Callable[[int, int], None] | None = None
) -> tuple[list[ParsedFile], list[Finding]]:
    parsed: list[ParsedFile] = []
    problems: list[Finding] = []
    for done, src in enumerate(files):
        if progress is not None and done % 50 == 0:
            progress(done, len(files))
        try:
            text = read_source(root / src.rel)
            tree = ast.parse(text, filename=src.rel)
        except SyntaxError as exc:
            problems.append(_parse_error(src.rel, exc.lineno, *_syntax_reason(str(exc.msg))))
        except UnicodeDecodeError as exc:
            reason = f"cannot be decoded ({exc.encoding}: {exc.reason} at byte {exc.start})"
            problems.append(_parse_error(src.rel, None, reason, _RESAVE))
        except (OSError, ValueError) as exc:
            reason = f"cannot be read ({exc})"
            problems.append(_parse_error(src.rel, None, reason, "fix the file or remove it"))
        else:
            parsed.append(ParsedFile(src, text, tree))
    if progress is not None:
        progress(len(files), len(files))
    return parsed, problems


_RESAVE = "save it as UTF-8 (or declare its encoding in a coding line)"
_PYTHON2 = (
    "Missing parentheses in call to",
    "multiple exception types must be parenthesized",
)


def _syntax_reason(msg: str) -> tuple[str, str]:
    """The reason and the remedy that fits it: encoding, NUL bytes, Python 2 code, syntax."""
    if "encoding" in msg or "decode" in msg:
        return "is not valid UTF-8 and declares no other encoding", _RESAVE
    if "null bytes" in msg:
        return f"syntax error: {msg}", "remove the NUL bytes (is it a Python file?)"
    if any(mark in msg for mark in _PYTHON2):
        return f"syntax error: {msg}", "port it to Python 3 (it looks like Python 2)"
    return f"syntax error: {msg}", "fix the syntax"


def _parse_error(rel: str, line: int | None, reason: str, remedy: str) -> Finding:
    return rules.make_finding(
        "parse-error",
        f"{rel} {reason}; it was skipped, so {remedy} and re-run",
        path=rel,
        line=line,
        objects=(rel,),
    )


# ---------------------------------------------------------------------------
# 2. outline: the top level of each file
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopImport:
    """``from <level><module> import name as asname`` (name None for ``import module``)."""

    module: str
    level: int
    name: str | None
    asname: str | None
    line: int
    guarded: bool


@dataclass(frozen=True, slots=True)
class TopClass:
    node: ast.ClassDef
    guarded: bool
    bases: tuple[str, ...]


@dataclass(slots=True)
class Outline:
    """What a file provides at its top level (a private, per-file working record)."""

    parsed: ParsedFile
    classes: dict[str, TopClass] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    assigns: dict[str, ast.expr] = field(default_factory=dict)
    assign_lines: dict[str, tuple[int, bool]] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)
    imports: list[TopImport] = field(default_factory=list)
    stars: list[TopImport] = field(default_factory=list)
    tables: list[tuple[str, ast.Call, int]] = field(default_factory=list)
    all_names: tuple[str, ...] | None = None
    dynamic_getattr: bool = False

    @property
    def source(self) -> SourceFile:
        return self.parsed.source


GUARDS = frozenset({"except", "else", "finally"})


def _outline(parsed: ParsedFile) -> Outline:
    out = Outline(parsed)
    for node, ctx in _top_statements(parsed.tree.body, ()):
        _note_statement(out, node, ctx)
    return out


def _top_statements(
    body: list[ast.stmt], ctx: tuple[str, ...]
) -> Iterator[tuple[ast.stmt, tuple[str, ...]]]:
    for node in body:
        yield node, ctx
        for sub, label in _blocks(node):
            yield from _top_statements(sub, (*ctx, label))


def _blocks(node: ast.stmt) -> Iterator[tuple[list[ast.stmt], str]]:
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


def _note_statement(out: Outline, node: ast.stmt, ctx: tuple[str, ...]) -> None:
    guarded = any(c in GUARDS for c in ctx)
    if isinstance(node, ast.ClassDef):
        bases = tuple(_dotted(b) or "" for b in node.bases)
        if node.name not in out.classes or not guarded:
            out.classes[node.name] = TopClass(node, guarded, bases)
        out.defined.add(node.name)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out.functions.setdefault(node.name, node)
        out.defined.add(node.name)
        out.dynamic_getattr |= node.name == "__getattr__"
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        _note_import(out, node, guarded or "try" in ctx)
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        _note_assign(out, node, guarded or "try" in ctx)
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
        targets = (
            [node.target]
            if isinstance(node, (ast.For, ast.AsyncFor))
            else [i.optional_vars for i in node.items if i.optional_vars is not None]
        )
        for target in targets:
            out.defined.update(_target_names(target))


def _note_import(out: Outline, node: ast.Import | ast.ImportFrom, guarded: bool) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            out.imports.append(TopImport(alias.name, 0, None, alias.asname, node.lineno, guarded))
            out.defined.add(alias.asname or alias.name.split(".", 1)[0])
        return
    module = node.module or ""
    for alias in node.names:
        item = TopImport(module, node.level, alias.name, alias.asname, node.lineno, guarded)
        if alias.name == "*":
            out.stars.append(item)
        else:
            out.imports.append(item)
            out.defined.add(alias.asname or alias.name)


def _note_assign(
    out: Outline, node: ast.Assign | ast.AnnAssign | ast.AugAssign, guarded: bool
) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    value = node.value
    for target in targets:
        for name in _target_names(target):
            out.defined.add(name)
            if value is not None and isinstance(target, ast.Name):
                out.assigns[name] = value
                out.assign_lines[name] = (node.lineno, guarded)
    if (
        isinstance(value, ast.Call)
        and _last(value.func) in TABLE_CALLS
        and value.args
        and _string(value.args[0]) is not None
        and isinstance(targets[0], ast.Name)
    ):
        out.tables.append((targets[0].id, value, node.lineno))
    if isinstance(targets[0], ast.Name) and targets[0].id == "__all__" and value is not None:
        names = _string_list(value)
        if names is not None:
            out.all_names = names


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


# ---------------------------------------------------------------------------
# small expression readers
# ---------------------------------------------------------------------------


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain (calls and subscripts: None)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        inner = _dotted(node.func)
        return f"{inner}()" + "".join("." + p for p in reversed(parts)) if inner else None
    return None


def _last(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _string_list(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    items = [_string(e) for e in node.elts]
    return tuple(i for i in items if i is not None) if all(items) else None


def _flag(call: ast.Call, name: str) -> bool | None:
    for kw in call.keywords:
        if kw.arg == name:
            return bool(kw.value.value) if isinstance(kw.value, ast.Constant) else None
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _type_text(node: ast.expr) -> tuple[str, str]:
    """(normalised source, type name): ``db.String(36)`` -> (``String(36)``, ``String``);
    ``BigInteger().with_variant(...)`` -> the base type."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
    ):
        node = node.func.value
    func = node.func if isinstance(node, ast.Call) else node
    name = _last(func) or ast.unparse(func)
    if isinstance(node, ast.Call):
        args = [ast.unparse(a) for a in node.args]
        args += [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg]
        return (f"{name}({', '.join(args)})" if args else name), name
    return name, name


# ---------------------------------------------------------------------------
# 3. models
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Repo:
    index: ModuleIndex
    outlines: dict[str, Outline]
    _by_module: dict[str, Outline] = field(default_factory=dict)
    _resolved: dict[tuple[str, str, str, str, int], Outline | None] = field(default_factory=dict)
    _stars: dict[str, frozenset[str]] = field(default_factory=dict)
    _origins: dict[tuple[str, str], tuple[Outline, str] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for outline in self.outlines.values():
            self._by_module.setdefault(outline.source.module, outline)

    def module(self, name: str) -> Outline | None:
        return self._by_module.get(name)

    def resolve(self, importer: SourceFile, written: str, level: int) -> Outline | None:
        folder = importer.rel.rpartition("/")[0]
        key = (importer.root, folder, importer.module if level else "", written, level)
        if key not in self._resolved:
            hit = self.index.resolve(importer, written, level)
            self._resolved[key] = self.outlines.get(hit.rel) if hit else None
        return self._resolved[key]

    def star_names(self, outline: Outline) -> frozenset[str]:
        """Memoised; a star-import cycle contributes what is known when it closes."""
        rel = outline.source.rel
        cached = self._stars.get(rel)
        if cached is not None:
            return cached
        self._stars[rel] = frozenset()
        names: set[str] = set()
        for star in outline.stars:
            source = self.resolve(outline.source, star.module, star.level)
            if source is not None and source is not outline:
                names |= _public(source) | self.star_names(source)
        self._stars[rel] = frozenset(names)
        return self._stars[rel]

    def origin(self, outline: Outline, name: str, depth: int = 0) -> tuple[Outline, str] | None:
        """Where ``name`` of ``outline`` is really defined (following imports and stars);
        memoised per module and name."""
        key = (outline.source.rel, name)
        if key not in self._origins:
            self._origins[key] = self._origin(outline, name, depth)
        return self._origins[key]

    def _origin(self, outline: Outline, name: str, depth: int) -> tuple[Outline, str] | None:
        if depth > 20:
            return None
        for imp in reversed(outline.imports):
            if imp.name is not None and (imp.asname or imp.name) == name:
                source = self.resolve(outline.source, imp.module, imp.level)
                if source is None or imp.name not in source.defined | _star_names(self, source):
                    sub = self._submodule(outline, imp)
                    return (sub, "") if sub else None
                return self.origin(source, imp.name, depth + 1)
        if name in outline.defined:
            return outline, name
        for star in outline.stars:
            source = self.resolve(outline.source, star.module, star.level)
            if source is not None and name in _public(source) | _star_names(self, source):
                return self.origin(source, name, depth + 1)
        return None

    def _submodule(self, outline: Outline, imp: TopImport) -> Outline | None:
        written = f"{imp.module}.{imp.name}" if imp.module else str(imp.name)
        return self.resolve(outline.source, written, imp.level)


def _public(outline: Outline) -> frozenset[str]:
    """What ``from m import *`` takes from the module: ``__all__``, else its public names."""
    if outline.all_names is not None:
        return frozenset(outline.all_names)
    return frozenset(n for n in outline.defined if not n.startswith("_"))


def _star_names(repo: _Repo, outline: Outline) -> frozenset[str]:
    """The names ``from m import *`` statements bring into the module (chains followed)."""
    return repo.star_names(outline)


@dataclass(frozen=True, slots=True)
class _ClassRef:
    outline: Outline
    top: TopClass

    @property
    def qualname(self) -> str:
        return f"{self.outline.source.module}.{self.top.node.name}"


@dataclass(slots=True)
class _Catalogue:
    """Every model class (and mixin) found, keyed by qualified name."""

    models: dict[str, _ClassRef] = field(default_factory=dict)
    mixins: dict[str, _ClassRef] = field(default_factory=dict)
    parents: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    classes: dict[str, ModelClass] = field(default_factory=dict)
    tables: list[TableDef] = field(default_factory=list)
    chosen: set[str] | None = None
    bases: frozenset[str] = frozenset()
    provided: dict[str, dict[str, str]] = field(default_factory=dict)
    declarative: set[str] = field(default_factory=set)
    # members of each repository declarative base (None when one of its own bases is unknown)
    base_members: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def by_name(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for qual in self.models:
            out[qual.rsplit(".", 1)[-1]].append(qual)
        return out


def _chosen_modules(repo: _Repo, given: Sequence[str], root: Path) -> set[str]:
    chosen: set[str] = set()
    for item in given:
        outline = _outline_for(repo, item, root)
        if outline is None:
            raise InputError(f"--models {item}: no such module or file in {root}")
        chosen.add(outline.source.rel)
    return chosen


def _outline_for(repo: _Repo, item: str, root: Path) -> Outline | None:
    if item.endswith(".py") or "/" in item:
        candidate = Path(item)
        full = candidate if candidate.is_absolute() else (Path.cwd() / candidate)
        for rel in (item, _relative(full, root)):
            if rel and rel in repo.outlines:
                return repo.outlines[rel]
        return None
    hits = sorted(o.source.rel for o in repo.outlines.values() if o.source.module == item)
    if len(hits) > 1:
        shown = ", ".join(hits[:3]) + (", ..." if len(hits) > 3 else "")
        raise InputError(
            f"--models {item}: {len(hits)} files have that name ({shown}); give the path of one"
        )
    return repo.outlines[hits[0]] if hits else None


def _relative(full: Path, root: Path) -> str | None:
    try:
        return full.resolve().relative_to(root).as_posix()
    except (OSError, ValueError):
        return None


def _find_models(repo: _Repo, chosen: set[str] | None) -> _Catalogue:
    cat = _Catalogue(chosen=chosen, bases=_declarative_bases(repo))
    candidates = _unique_classes(repo, chosen)
    resolved = {c.qualname: _resolve_bases(repo, c) for c in candidates}
    cat.declarative = {c.qualname for c in candidates if _is_declarative_base(c, cat)}
    cat.base_members = {
        c.qualname: _declarative_members(c) for c in candidates if c.qualname in cat.declarative
    }
    changed = True
    while changed:
        changed = False
        for ref in candidates:
            qual = ref.qualname
            if qual not in cat.models and _is_model(ref, resolved[qual], cat):
                cat.models[qual] = ref
                changed = True
    all_refs = {c.qualname: c for c in candidates}
    todo = list(cat.models)
    while todo:
        qual = todo.pop()
        cat.parents[qual] = resolved[qual]
        for base in resolved[qual]:
            if (
                base
                and base not in cat.models
                and base not in cat.mixins
                and base in all_refs
                and not _is_declarative_base(all_refs[base], cat)
            ):
                cat.mixins[base] = all_refs[base]
                todo.append(base)
    return cat


def _unique_classes(repo: _Repo, chosen: set[str] | None) -> list[_ClassRef]:
    """One class per qualified name: same-named modules of separate apps
    (``examples/*/app/models.py``) would otherwise mix; a chosen file comes first."""
    outlines = sorted(
        repo.outlines.values(), key=lambda o: not chosen or o.source.rel not in chosen
    )
    found: dict[str, _ClassRef] = {}
    for outline in outlines:
        for top in outline.classes.values():
            ref = _ClassRef(outline, top)
            found.setdefault(ref.qualname, ref)
    return list(found.values())


def _module_name_clashes(repo: _Repo, cat: _Catalogue) -> dict[str, list[str]]:
    """Model module name -> the files (two or more) that define classes under it."""
    files: dict[str, list[str]] = defaultdict(list)
    for outline in repo.outlines.values():
        if outline.classes:
            files[outline.source.module].append(outline.source.rel)
    names = {qual.rsplit(".", 1)[0] for qual in cat.models}
    return {n: sorted(files[n]) for n in sorted(names) if len(files[n]) > 1}


def _declarative_bases(repo: _Repo) -> frozenset[str]:
    """Names bound to a declarative base anywhere: ``Base = declarative_base()``,
    ``class Base(DeclarativeBase)``."""
    names = set(MODEL_ROOTS)
    for outline in repo.outlines.values():
        for name, value in outline.assigns.items():
            if isinstance(value, ast.Call) and _last(value.func) in BASE_FACTORIES:
                names.add(name)
        for name, top in outline.classes.items():
            if any(b.rsplit(".", 1)[-1] in DECLARATIVE_ROOTS for b in top.bases) or any(
                _last(d) in BASE_FACTORIES for d in _decorators(top.node)
            ):
                names.add(name)
    return frozenset(names)


def _resolve_bases(repo: _Repo, ref: _ClassRef) -> tuple[str | None, ...]:
    """Each base as the qualified name of a repository class, or None."""
    out: list[str | None] = []
    for base in ref.top.bases:
        head, _, rest = base.partition(".")
        origin = repo.origin(ref.outline, head)
        if origin is None:
            out.append(None)
            continue
        target, name = origin
        if rest and not name:  # module.Class
            name = rest.split(".")[-1]
            found = repo.origin(target, name) if name in target.defined else None
            target, name = found if found else (target, name)
        out.append(f"{target.source.module}.{name}" if name in target.classes else None)
    return tuple(out)


def _is_declarative_base(ref: _ClassRef, cat: _Catalogue) -> bool:
    """``class Base(DeclarativeBase)`` or a class bound as a declarative base."""
    return ref.top.node.name in cat.bases and (
        any(b.rsplit(".", 1)[-1] in DECLARATIVE_ROOTS for b in ref.top.bases)
        or any(_last(d) == "as_declarative" for d in _decorators(ref.top.node))
    )


def _declarative_members(ref: _ClassRef) -> frozenset[str] | None:
    """What a repository declarative base gives its models: its body's names, or None when
    it also derives from something else (its members unknown)."""
    if any(b.rsplit(".", 1)[-1] not in DECLARATIVE_ROOTS for b in ref.top.bases):
        return None
    raw = _read_class(ref.top.node)
    names = {c.attr for c in raw.columns} | {r.attr for r in raw.relationships}
    return frozenset(names | set(raw.members))


def _decorators(node: ast.ClassDef) -> list[ast.expr]:
    return [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]


def _is_model(ref: _ClassRef, parents: tuple[str | None, ...], cat: _Catalogue) -> bool:
    top = ref.top
    if any(p in cat.models for p in parents if p):
        return True
    if ref.top.node.name in cat.bases and any(
        b.rsplit(".", 1)[-1] in DECLARATIVE_ROOTS for b in top.bases
    ):
        return False  # the declarative base itself
    for base, parent in zip(top.bases, parents, strict=False):
        if parent is not None and parent not in cat.declarative:
            continue  # a plain repository class that happens to be called ``Model``
        last = base.rsplit(".", 1)[-1]
        if last in cat.bases or (last.startswith("BASE") and last.isupper()):
            return True
    return any(_assigned_name(s) == "__tablename__" for s in top.node.body)


def _assigned_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    return None


# --- reading one class -----------------------------------------------------


@dataclass(slots=True)
class _RawFK:
    """A foreign key as written, before ``Model.id`` targets are turned into tables."""

    columns: tuple[str, ...]
    targets: tuple[str, ...]
    form: ForeignKeyForm
    spec: str
    line: int


@dataclass(slots=True)
class _RawClass:
    columns: list[ColumnSpec] = field(default_factory=list)
    fks: list[_RawFK] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    table: str | None = None
    table_args: list[str] = field(default_factory=list)
    extend_existing: bool = False
    abstract: bool = False


def _read_class(node: ast.ClassDef) -> _RawClass:
    raw = _RawClass()
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], ast.Name):
                _read_member(raw, stmt.targets[0].id, stmt.value, None, stmt.lineno)
            else:
                raw.members.extend(_target_names(stmt.targets[0]))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            _read_member(raw, stmt.target.id, stmt.value, stmt.annotation, stmt.lineno)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _read_function(raw, stmt)
        elif isinstance(stmt, ast.ClassDef):
            raw.members.append(stmt.name)
    return raw


def _read_member(
    raw: _RawClass, name: str, value: ast.expr | None, annotation: ast.expr | None, line: int
) -> None:
    if name == "__tablename__":
        raw.table = _string(value)
    elif name == "__table_args__" and value is not None:
        _read_table_args(raw, value, line)
    elif name == "__abstract__":
        raw.abstract = isinstance(value, ast.Constant) and bool(value.value)
    elif isinstance(value, ast.Call) and _last(value.func) in COLUMN_CALLS:
        _add_column(raw, _read_column(name, value, annotation, line))
    elif isinstance(value, ast.Call) and _last(value.func) in RELATIONSHIP_CALLS:
        raw.relationships.append(_read_relationship(name, value, annotation, line))
    elif value is None and annotation is not None and _mapped_python_type(annotation):
        _add_column(raw, _read_column(name, None, annotation, line))
    else:
        raw.members.append(name)


def _read_function(raw: _RawClass, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    declared = any(
        _last(d) == "declared_attr" or _dotted(d) == "declared_attr.directive"
        for d in node.decorator_list
    )
    returned = next((s.value for s in node.body if isinstance(s, ast.Return)), None)
    if declared and isinstance(returned, ast.Call) and _last(returned.func) in COLUMN_CALLS:
        _add_column(raw, _read_column(node.name, returned, None, node.lineno))
    elif declared and isinstance(returned, ast.Call) and _last(returned.func) in RELATIONSHIP_CALLS:
        raw.relationships.append(_read_relationship(node.name, returned, None, node.lineno))
    else:
        raw.members.append(node.name)


def _add_column(raw: _RawClass, read: tuple[ColumnSpec, _RawFK | None]) -> None:
    column, fk = read
    raw.columns.append(column)
    if fk is not None:
        raw.fks.append(fk)


def _read_column(
    attr: str, call: ast.Call | None, annotation: ast.expr | None, line: int
) -> tuple[ColumnSpec, _RawFK | None]:
    name, type_node, fk_node = attr, None, None
    args = list(call.args) if call else []
    if args and _string(args[0]) is not None:
        name = _string(args.pop(0)) or attr
    for arg in args:
        last = _last(arg.func if isinstance(arg, ast.Call) else arg)
        if last == "ForeignKey" and isinstance(arg, ast.Call) and fk_node is None:
            fk_node = arg
        elif last not in NOT_TYPES and type_node is None and not _is_none(arg):
            type_node = arg  # Column(None, ForeignKey(...)): the key's type, left empty
    if call is not None:
        type_node = _keyword(call, "type_") or type_node
        name = _string(_keyword(call, "name")) or name
    type_text, type_name = (
        _type_text(type_node) if type_node is not None else _annotation_type(annotation)
    )
    primary = bool(call and _flag(call, "primary_key"))
    nullable = _flag(call, "nullable") if call else None
    if nullable is None:
        nullable = False if primary else _annotation_optional(annotation) if annotation else True
    spec = ColumnSpec(
        attr=attr,
        name=name,
        type=type_text,
        type_name=type_name,
        line=line,
        primary_key=primary,
        nullable=nullable,
        unique=bool(call and _flag(call, "unique")),
        index=bool(call and _flag(call, "index")),
        has_default=bool(
            call
            and any(
                _keyword(call, k) is not None
                for k in ("default", "server_default", "insert_default")
            )
        ),
        style="mapped_column" if call is None or _last(call.func) == "mapped_column" else "column",
    )
    fk = _read_fk_arg(name, fk_node, line) if fk_node is not None else None
    return (spec if fk is None else _with_fk(spec, fk)), fk


def _with_fk(spec: ColumnSpec, fk: _RawFK) -> ColumnSpec:
    return replace(spec, foreign_key=fk.targets[0])


def _read_fk_arg(column: str, call: ast.Call, line: int) -> _RawFK | None:
    if not call.args:
        return None
    target = call.args[0]
    text = _string(target)
    if text is not None:
        return _RawFK((column,), (text,), "string", ast.unparse(call), line)
    dotted = _dotted(target)
    if dotted is None:
        return None
    return _RawFK((column,), (dotted,), "attribute", ast.unparse(call), line)


def _read_table_args(raw: _RawClass, value: ast.expr, line: int) -> None:
    items = list(value.elts) if isinstance(value, (ast.Tuple, ast.List)) else [value]
    for item in items:
        if isinstance(item, ast.Dict):
            for key, val in zip(item.keys, item.values, strict=False):
                if _string(key) == "extend_existing" and isinstance(val, ast.Constant):
                    raw.extend_existing = bool(val.value)
        elif isinstance(item, ast.Call):
            raw.table_args.append(_type_text(item)[0])
            if _last(item.func) == "ForeignKeyConstraint":
                fk = _read_fk_constraint(item, getattr(item, "lineno", line))
                if fk is not None:
                    raw.fks.append(fk)


def _read_fk_constraint(call: ast.Call, line: int) -> _RawFK | None:
    if len(call.args) < 2:
        return None
    cols = _string_list(call.args[0])
    targets_node = call.args[1]
    if cols is None or not isinstance(targets_node, (ast.List, ast.Tuple)):
        return None
    texts = [_string(e) or _dotted(e) for e in targets_node.elts]
    if not all(texts):
        return None
    form: ForeignKeyForm = "constraint"
    return _RawFK(cols, tuple(t for t in texts if t), form, ast.unparse(call), line)


def _read_relationship(
    attr: str, call: ast.Call, annotation: ast.expr | None, line: int
) -> RelationshipSpec:
    target = ""
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Lambda):
            first = first.body
        target = _string(first) or _last(first) or ""
    if not target and annotation is not None:
        target = _annotation_class(annotation) or ""
    backref = _keyword(call, "backref")
    if isinstance(backref, ast.Call):
        backref = backref.args[0] if backref.args else None
    secondary = _keyword(call, "secondary")
    keys = _keyword(call, "foreign_keys")
    return RelationshipSpec(
        attr=attr,
        target=target.rsplit(".", 1)[-1],
        line=line,
        backref=_string(backref),
        back_populates=_string(_keyword(call, "back_populates")),
        secondary=(_string(secondary) or ast.unparse(secondary)) if secondary is not None else None,
        foreign_keys=_foreign_key_texts(keys),
    )


def _foreign_key_texts(node: ast.expr | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_string(e) or ast.unparse(e) for e in node.elts)
    return (_string(node) or ast.unparse(node),)


# --- annotations (2.0 style) ---------------------------------------------------

_WRAPPERS = frozenset(
    {"Mapped", "WriteOnlyMapped", "DynamicMapped", "Optional", "List", "list", "Set", "set"}
)


def _annotation_inner(node: ast.expr) -> ast.expr:
    """``Mapped[Optional[int]]`` -> ``int``; string annotations are parsed."""
    text = _string(node)
    if text is not None:
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError:
            return node
    if isinstance(node, ast.Subscript) and _last(node.value) in _WRAPPERS:
        return _annotation_inner(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = node.left, node.right
        return _annotation_inner(right if _is_none(left) else left)
    return node


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _annotation_optional(node: ast.expr) -> bool:
    text = _string(node)
    source = text if text is not None else ast.unparse(node)
    return "Optional[" in source or "None" in source


def _annotation_type(node: ast.expr | None) -> tuple[str, str]:
    if node is None:
        return "", ""
    inner = _annotation_inner(node)
    name = _last(inner)
    mapped = ANNOTATION_TYPES.get(name)
    return (mapped, mapped) if mapped else (name, name)


def _mapped_python_type(node: ast.expr) -> bool:
    return _last(node.value if isinstance(node, ast.Subscript) else node) == "Mapped" and (
        _last(_annotation_inner(node)) in ANNOTATION_TYPES
    )


def _annotation_class(node: ast.expr) -> str | None:
    inner = _annotation_inner(node)
    return _string(inner) or _last(inner) or None


# --- records ----------------------------------------------------------------


def _build_classes(repo: _Repo, cat: _Catalogue) -> None:
    raws = {q: _read_class(r.top.node) for q, r in {**cat.mixins, **cat.models}.items()}
    tables = _table_names(cat, raws)
    for qual, ref in {**cat.mixins, **cat.models}.items():
        raw = raws[qual]
        columns = list(raw.columns)
        for mixin in _mixin_chain(cat, qual):
            columns += [_from_mixin(c, mixin) for c in raws[mixin].columns]
        table = tables.get(qual)
        cat.classes[qual] = ModelClass(
            name=ref.top.node.name,
            module=ref.outline.source.module,
            path=ref.outline.source.rel,
            line=ref.top.node.lineno,
            end_line=ref.top.node.end_lineno or ref.top.node.lineno,
            bases=ref.top.bases,
            table=table,
            table_explicit=raw.table is not None,
            columns=tuple(columns),
            foreign_keys=tuple(
                _resolve_fks(raw, _fk_mixins(cat, raws, qual), table, qual, ref, tables)
            ),
            relationships=tuple(raw.relationships)
            + tuple(r for m in _mixin_chain(cat, qual) for r in raws[m].relationships),
            extend_existing=raw.extend_existing,
            table_args=tuple(raw.table_args),
            abstract=raw.abstract,
            mixin=qual in cat.mixins and qual not in cat.models,
            guarded=ref.top.guarded,
            members=tuple(raw.members),
        )
    cat.tables = _read_tables(repo)


def _from_mixin(column: ColumnSpec, mixin: str) -> ColumnSpec:
    return replace(column, from_mixin=mixin.rsplit(".", 1)[-1])


def _mixin_chain(cat: _Catalogue, qual: str, depth: int = 0) -> list[str]:
    """The non-model ancestors whose columns the class inherits (mixins), nearest first."""
    out: list[str] = []
    for parent in cat.parents.get(qual, ()):
        if parent and parent in cat.mixins and parent not in cat.models and depth < 10:
            out += [parent, *_mixin_chain(cat, parent, depth + 1)]
    return list(dict.fromkeys(out))


def _fk_mixins(cat: _Catalogue, raws: Mapping[str, _RawClass], qual: str) -> list[_RawFK]:
    return [fk for m in _mixin_chain(cat, qual) for fk in raws[m].fks]


def _table_names(cat: _Catalogue, raws: Mapping[str, _RawClass]) -> dict[str, str | None]:
    """Explicit ``__tablename__``, single-table inheritance, or Flask-SQLAlchemy's default."""
    out: dict[str, str | None] = {}

    def table_of(qual: str, depth: int = 0) -> str | None:
        if qual in out or depth > 20:
            return out.get(qual)
        raw = raws[qual]
        parents = [p for p in cat.parents.get(qual, ()) if p and p in cat.models]
        own_pk = any(c.primary_key for c in raw.columns)
        inherited = next((t for p in parents if (t := table_of(p, depth + 1))), None)
        if raw.table is not None or raw.abstract or qual not in cat.models:
            result = raw.table
        elif inherited and not own_pk:
            result = inherited  # single-table inheritance
        elif _flask_style(cat, qual) and (own_pk or _mixin_pk(cat, raws, qual)):
            result = rules.snake_case(qual.rsplit(".", 1)[-1])
        else:
            result = None
        out[qual] = result
        return result

    for qual in {**cat.mixins, **cat.models}:
        table_of(qual)
    return out


def _flask_style(cat: _Catalogue, qual: str, depth: int = 0) -> bool:
    ref = cat.models.get(qual) or cat.mixins.get(qual)
    if ref is None or depth > 20:
        return False
    if any(b.rsplit(".", 1)[-1] == "Model" for b in ref.top.bases):
        return True
    return any(p and _flask_style(cat, p, depth + 1) for p in cat.parents.get(qual, ()))


def _mixin_pk(cat: _Catalogue, raws: Mapping[str, _RawClass], qual: str) -> bool:
    return any(c.primary_key for m in _mixin_chain(cat, qual) for c in raws[m].columns)


def _resolve_fks(
    raw: _RawClass,
    mixin_fks: list[_RawFK],
    table: str | None,
    qual: str,
    ref: _ClassRef,
    tables: Mapping[str, str | None],
) -> Iterator[ForeignKeySpec]:
    for fk in [*raw.fks, *mixin_fks]:
        pairs = [_fk_target(t, fk.form, qual, tables) for t in fk.targets]
        if not pairs or any(p is None for p in pairs):
            continue
        target_table = pairs[0][0] if pairs[0] else ""
        yield ForeignKeySpec(
            model=qual,
            table=table or "",
            columns=fk.columns,
            target_table=target_table,
            target_columns=tuple(p[1] for p in pairs if p),
            spec=fk.spec,
            form=fk.form,
            path=ref.outline.source.rel,
            line=fk.line,
        )


def _fk_target(
    text: str, form: ForeignKeyForm, qual: str, tables: Mapping[str, str | None]
) -> tuple[str, str] | None:
    """``'organization.id'`` -> (organization, id); ``Organization.__table__.c.id`` and
    ``Organization.id`` -> the class's table."""
    parts = text.split(".")
    if len(parts) < 2:
        return None
    head, column = parts[0], parts[-1]
    module = qual.rsplit(".", 1)[0]
    for candidate in (f"{module}.{head}", *(q for q in tables if q.rsplit(".", 1)[-1] == head)):
        if tables.get(candidate):
            return str(tables[candidate]), column
    if form == "attribute":
        return None  # a class outside the repository (or without a known table)
    return ".".join(parts[:-1]).rsplit(".", 1)[-1], column


def _read_tables(repo: _Repo) -> list[TableDef]:
    out: list[TableDef] = []
    for outline in repo.outlines.values():
        for name, call, line in outline.tables:
            out.append(_read_table(outline, name, call, line))
    return out


def _read_table(outline: Outline, name: str, call: ast.Call, line: int) -> TableDef:
    table = _string(call.args[0]) or name
    columns: list[ColumnSpec] = []
    fks: list[ForeignKeySpec] = []
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and _last(arg.func) in COLUMN_CALLS:
            column, fk = _read_column("", arg, None, getattr(arg, "lineno", line))
            column = _renamed_attr(column)
            columns.append(column)
            if fk is not None and fk.form == "string" and "." in fk.targets[0]:
                target_table, _, target_column = fk.targets[0].rpartition(".")
                fks.append(
                    ForeignKeySpec(
                        model=f"{outline.source.module}.{name}",
                        table=table,
                        columns=fk.columns,
                        target_table=target_table.rsplit(".", 1)[-1],
                        target_columns=(target_column,),
                        spec=fk.spec,
                        form=fk.form,
                        path=outline.source.rel,
                        line=fk.line,
                    )
                )
    return TableDef(
        name=name,
        table=table,
        module=outline.source.module,
        path=outline.source.rel,
        line=line,
        columns=tuple(columns),
        foreign_keys=tuple(fks),
    )


def _renamed_attr(column: ColumnSpec) -> ColumnSpec:
    return replace(column, attr=column.name)


# --- modules ----------------------------------------------------------------


def _model_modules(repo: _Repo, cat: _Catalogue) -> list[ModelModule]:
    """The files holding model classes (or those chosen with ``--models``), by path: the
    same dotted name can exist under two import roots."""
    _build_classes(repo, cat)
    by_path: dict[str, list[ModelClass]] = defaultdict(list)
    for cls in cat.classes.values():
        by_path[cls.path].append(cls)
    paths = (
        set(cat.chosen)
        if cat.chosen is not None
        else {p for p, classes in by_path.items() if any(not c.mixin for c in classes)}
    )
    out = [_model_module(repo, cat, repo.outlines[p], by_path.get(p, [])) for p in paths]
    return sorted(out, key=lambda m: (m.name, m.path))


def _model_module(
    repo: _Repo, cat: _Catalogue, outline: Outline, classes: list[ModelClass]
) -> ModelModule:
    module = outline.source.module
    mapped = {c.name for c in classes}
    aliases = _aliases(repo, cat, outline)
    alias_names = {a.name for a in aliases}
    other = [
        Symbol(
            name=n,
            kind="class",
            module=module,
            path=outline.source.rel,
            line=t.node.lineno,
            end_line=t.node.end_lineno or t.node.lineno,
        )
        for n, t in outline.classes.items()
        if n not in mapped
        and (t.guarded or n not in alias_names)
        and n not in cat.bases
        and f"{module}.{n}" not in cat.models  # a model of a same-named module's file
    ]
    functions = [
        Symbol(
            name=n,
            kind="function",
            module=module,
            path=outline.source.rel,
            line=f.lineno,
            end_line=f.end_lineno or f.lineno,
        )
        for n, f in outline.functions.items()
    ]
    return ModelModule(
        name=module,
        path=outline.source.rel,
        root=outline.source.root,
        classes=tuple(sorted(classes, key=lambda c: c.line)),
        aliases=tuple(aliases),
        other_classes=tuple(other),
        functions=tuple(functions),
        reexports=tuple(_reexports(repo, outline)),
        exports=tuple(sorted(outline.defined | _star_names(repo, outline))),
        tables=tuple(t for t in cat.tables if t.module == module),
    )


def _aliases(repo: _Repo, cat: _Catalogue, outline: Outline) -> list[ModelAlias]:
    module = outline.source.module
    out: list[ModelAlias] = []
    for imp in outline.imports:
        if imp.name and imp.asname and imp.asname != imp.name:
            origin = repo.origin(outline, imp.asname)
            target = f"{origin[0].source.module}.{origin[1]}" if origin else ""
            if target in cat.models:
                out.append(
                    ModelAlias(
                        name=imp.asname,
                        target=target,
                        module=module,
                        path=outline.source.rel,
                        line=imp.line,
                        kind="import-as",
                        guarded=imp.guarded,
                    )
                )
    for name, value in outline.assigns.items():
        if isinstance(value, ast.Name) and name != value.id:
            origin = repo.origin(outline, value.id)
            target = f"{origin[0].source.module}.{origin[1]}" if origin else ""
            if target in cat.models:
                line, guarded = outline.assign_lines[name]
                out.append(
                    ModelAlias(
                        name=name,
                        target=target,
                        module=module,
                        path=outline.source.rel,
                        line=line,
                        kind="assign",
                        guarded=guarded,
                    )
                )
    return sorted(out, key=lambda a: a.line)


def _reexports(repo: _Repo, outline: Outline) -> Iterator[ReExport]:
    module = outline.source.module
    for imp in outline.imports:
        if imp.name is None:
            continue
        source = repo.resolve(outline.source, imp.module, imp.level)
        if source is not None:
            yield ReExport(
                name=imp.asname or imp.name,
                module=module,
                source=source.source.module,
                line=imp.line,
            )


# ---------------------------------------------------------------------------
# 4-5. dependents: imports, dynamic imports and attribute uses
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Dependents:
    imports: list[ImportRecord] = field(default_factory=list)
    dynamic: list[DynamicImport] = field(default_factory=list)
    uses: list[AttributeUse] = field(default_factory=list)
    module_attributes: list[ModuleAttribute] = field(default_factory=list)


def _scan_dependents(repo: _Repo, cat: _Catalogue, model_paths: set[str]) -> _Dependents:
    """Imports of model modules (and of modules re-exporting their names), dynamic imports,
    and uses of model attributes, file by file.  Modules are matched by file path."""
    targets = model_paths | _hubs(repo, model_paths)
    short = {repo.outlines[p].source.module.rsplit(".", 1)[-1] for p in targets}
    mentions = re.compile("|".join(re.escape(s) for s in sorted(short)) or "(?!)")
    names = {repo.outlines[p].source.module for p in model_paths}
    out = _Dependents()
    for outline in repo.outlines.values():
        text = outline.parsed.text
        if not mentions.search(text):
            continue
        found = [i for i in _file_imports(repo, outline, targets) if _worth(i, model_paths, names)]
        if "import_module" in text or "__import__" in text:
            out.dynamic += _dynamic_imports(repo, outline, model_paths)
        if found or outline.source.rel in model_paths:
            scope = _Scope.build(repo, cat, outline, found)
            star = any(i.form == "from-star" for i in found)
            walked = _walk_uses(outline, scope, star=star)
            out.uses += walked.uses
            out.module_attributes += _module_attributes(repo, outline, scope, walked.refs)
            found = [_with_star_names(repo, outline, i, walked.names) for i in found]
        out.imports += found
    return out


def _hubs(repo: _Repo, model_paths: set[str]) -> set[str]:
    """Files (not model modules) that import from a model module at their top level and are
    themselves imported from: what they import, others take from them (re-exports such as a
    ``models_bridge``).  Plain dependents nobody imports from are not hubs."""
    importers: set[str] = set()
    imported: set[str] = set()
    for rel, outline in repo.outlines.items():
        for imp in outline.imports:
            if imp.name is None:
                continue
            hit = repo.resolve(outline.source, imp.module, imp.level)
            if hit is None:
                continue
            imported.add(hit.source.rel)
            if hit.source.rel in model_paths and rel not in model_paths:
                importers.add(rel)
    return importers & imported


def _worth(imp: ImportRecord, model_paths: set[str], model_names: set[str]) -> bool:
    """Imports of a model module, or names a hub passes on from one."""
    return imp.target_path in model_paths or any(
        n.provided_by in model_names for n in imp.names if n.status == "reexported"
    )


_LEAF_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass)
_IMPORTS = (ast.Import, ast.ImportFrom)


def _import_statements(body: list[ast.stmt]) -> list[tuple[ast.stmt, tuple[str, ...]]]:
    """Every import statement, with its enclosing blocks (functions and classes included).
    An explicit stack: this runs on every candidate file, so it stays cheap."""
    found: list[tuple[ast.stmt, tuple[str, ...]]] = []
    stack: list[tuple[list[ast.stmt], tuple[str, ...]]] = [(body, ())]
    while stack:
        stmts, ctx = stack.pop()
        for node in stmts:
            if isinstance(node, _LEAF_STATEMENTS):
                continue
            if isinstance(node, _IMPORTS):
                found.append((node, ctx))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append((node.body, (*ctx, "function")))
            elif isinstance(node, ast.ClassDef):
                stack.append((node.body, (*ctx, "class")))
            else:
                stack.extend((sub, (*ctx, label)) for sub, label in _blocks(node) if sub)
    found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
    return found


def _file_imports(repo: _Repo, outline: Outline, targets: set[str]) -> Iterator[ImportRecord]:
    src = outline.source
    for node, ctx in _import_statements(outline.parsed.tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                hit = repo.resolve(src, alias.name, 0)
                if hit is not None and hit.source.rel in targets:
                    form: ImportForm = "import-as" if alias.asname else "import"
                    yield ImportRecord(
                        path=src.rel,
                        line=node.lineno,
                        target=hit.source.module,
                        target_path=hit.source.rel,
                        written=alias.name,
                        form=form,
                        names=(ImportedName(name=alias.name, asname=alias.asname),),
                        context=ctx,
                        importer=src.module,
                    )
        elif isinstance(node, ast.ImportFrom):
            yield from _from_import(repo, outline, node, ctx, targets)


def _from_import(
    repo: _Repo, outline: Outline, node: ast.ImportFrom, ctx: tuple[str, ...], targets: set[str]
) -> Iterator[ImportRecord]:
    src = outline.source
    written = "." * node.level + (node.module or "")
    hit = repo.resolve(src, node.module or "", node.level)
    base = dict(
        path=src.rel,
        line=node.lineno,
        written=written,
        level=node.level,
        context=ctx,
        importer=src.module,
    )
    if hit is not None and hit.source.rel in targets:
        target = dict(target=hit.source.module, target_path=hit.source.rel)
        if any(a.name == "*" for a in node.names):
            yield ImportRecord(form="from-star", **base, **target)  # type: ignore[arg-type]
            return
        names = tuple(_name_status(repo, hit, a.name, a.asname) for a in node.names)
        yield ImportRecord(form="from", names=names, **base, **target)  # type: ignore[arg-type]
        return
    for alias in node.names:  # ``from app import models``: a model module taken as a name
        sub_written = f"{node.module}.{alias.name}" if node.module else alias.name
        sub = repo.resolve(src, sub_written, node.level)
        if sub is not None and sub.source.rel in targets:
            name = ImportedName(
                name=alias.name,
                asname=alias.asname,
                status="defined",
                provided_by=sub.source.module,
            )
            yield ImportRecord(
                target=sub.source.module,
                target_path=sub.source.rel,
                form="from",
                names=(name,),
                **base,  # type: ignore[arg-type]
            )


def _name_status(repo: _Repo, target: Outline, name: str, asname: str | None) -> ImportedName:
    status: NameStatus
    if name in target.defined and not any(
        (i.asname or i.name) == name for i in target.imports if i.name
    ):
        return ImportedName(
            name=name, asname=asname, status="defined", provided_by=target.source.module
        )
    origin = repo.origin(target, name)
    if origin is None:
        if target.dynamic_getattr or name in target.defined:
            return ImportedName(name=name, asname=asname, status="defined")
        sub = repo.resolve(target.source, f"{target.source.module}.{name}", 0)
        status = "defined" if sub is not None and target.source.is_package else "missing"
        return ImportedName(name=name, asname=asname, status=status)
    owner = origin[0].source.module
    status = "defined" if owner == target.source.module else "reexported"
    return ImportedName(name=name, asname=asname, status=status, provided_by=owner)


def _with_star_names(
    repo: _Repo, outline: Outline, imp: ImportRecord, used: set[str]
) -> ImportRecord:
    """A star import takes the names the file uses and the module provides."""
    if imp.form != "from-star":
        return imp
    target = repo.outlines.get(imp.target_path or "")
    if target is None:
        return imp
    provided = _public(target) | _star_names(repo, target)
    names = tuple(
        _name_status(repo, target, n, None) for n in sorted((used & provided) - outline.defined)
    )
    return replace(imp, names=names)


def _dynamic_imports(repo: _Repo, outline: Outline, targets: set[str]) -> list[DynamicImport]:
    out = []
    for node in ast.walk(outline.parsed.tree):
        if not isinstance(node, ast.Call) or _last(node.func) not in (
            "import_module",
            "__import__",
        ):
            continue
        if not node.args:
            continue
        arg = node.args[0]
        text = _string(arg)
        if text is None and isinstance(arg, ast.Name):
            text = _string(outline.assigns.get(arg.id))
        hit = repo.resolve(outline.source, text, 0) if text else None
        if text and hit is not None and hit.source.rel in targets:
            out.append(
                DynamicImport(
                    path=outline.source.rel,
                    line=node.lineno,
                    module=hit.source.module,
                    call=_dotted(node.func) or "import_module",
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class _Scope:
    """Local names of a file that stand for model classes or model modules."""

    classes: Mapping[str, str]
    modules: Mapping[str, Mapping[str, str]]
    module_names: Mapping[str, str]

    @staticmethod
    def build(
        repo: _Repo, cat: _Catalogue, outline: Outline, imports: Sequence[ImportRecord]
    ) -> _Scope:
        module = outline.source.module
        classes = {n: f"{module}.{n}" for n in outline.classes if f"{module}.{n}" in cat.models}
        modules: dict[str, Mapping[str, str]] = {}
        module_names: dict[str, str] = {}
        for imp in imports:
            target = repo.outlines.get(imp.target_path or "")
            if target is None:
                continue
            provided = _module_classes(repo, cat, target)
            if _binds_module(imp, target):
                name = imp.names[0]
                modules[name.asname or name.name] = provided
                module_names[name.asname or name.name] = target.source.rel
            elif imp.form == "from":
                classes.update(
                    {n.asname or n.name: provided[n.name] for n in imp.names if n.name in provided}
                )
            elif imp.form == "from-star":
                classes.update({n: q for n, q in provided.items() if n not in classes})
        return _Scope(classes, modules, module_names)


def _binds_module(imp: ImportRecord, target: Outline) -> bool:
    """``import m`` / ``import m as a`` / ``from pkg import m``: the name is the module."""
    if imp.form in ("import", "import-as"):
        return True
    first = imp.names[0] if imp.names else None
    return bool(
        imp.form == "from"
        and first is not None
        and first.name == imp.target.rsplit(".", 1)[-1]
        and first.name not in target.defined
    )


def _module_classes(repo: _Repo, cat: _Catalogue, outline: Outline) -> dict[str, str]:
    """Names of a module that stand for a model class (aliases followed); cached."""
    cached = cat.provided.get(outline.source.module)
    if cached is not None:
        return cached
    out: dict[str, str] = {}
    for name in outline.defined | _star_names(repo, outline):
        origin = repo.origin(outline, name)
        value = outline.assigns.get(name)
        if origin is not None and isinstance(value, ast.Name) and origin[0] is outline:
            origin = repo.origin(outline, value.id)
        qual = f"{origin[0].source.module}.{origin[1]}" if origin else ""
        if qual in cat.models:
            out[name] = qual
    cat.provided[outline.source.module] = out
    return out


@dataclass(slots=True)
class _Walked:
    uses: list[AttributeUse] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    refs: list[tuple[int, str, str]] = field(default_factory=list)  # (line, via, name)


def _walk_uses(outline: Outline, scope: _Scope, *, star: bool) -> _Walked:
    """One walk over the tree: names used (for star imports), ``Model.attr``,
    ``filter_by(...)`` on a query of a model, and ``module.Name`` where ``module`` is bound
    to a model module.  Skipped when the text shows none of these can occur."""
    out = _Walked()
    text = outline.parsed.text
    locals_ = (*scope.classes, *scope.module_names)
    if not star and "filter_by" not in text and not any(f"{n}." in text for n in locals_):
        return out
    for node in _nodes(outline.parsed.tree):
        kind = node.__class__
        if kind is ast.Name:
            out.names.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            _note_attribute(out, outline.source.rel, node, scope)  # type: ignore[arg-type]
        elif kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if func.__class__ is ast.Attribute and func.attr == "filter_by":
                out.uses += _filter_by_uses(outline.source.rel, node, scope)  # type: ignore[arg-type]
    return out


def _note_attribute(out: _Walked, rel: str, node: ast.Attribute, scope: _Scope) -> None:
    if node.ctx.__class__ is not ast.Load:
        return
    hit = _model_of(node.value, scope)
    if hit is not None:
        use = AttributeUse(path=rel, line=node.lineno, model=hit[0], attr=node.attr, via=hit[1])
        out.uses.append(use)
    elif scope.module_names:
        value = node.value
        if value.__class__ is ast.Name:
            via: str | None = value.id
        else:
            via = _dotted(value) if value.__class__ is ast.Attribute else None
        if via is not None and via in scope.module_names:
            out.refs.append((node.lineno, via, node.attr))


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but the ``Load``/``Store`` markers, breadth first: ``ast.walk``
    without its per-node generators (a list iterated while it grows)."""
    out: list[ast.AST] = [tree]
    node_type = ast.AST
    child_fields = _CHILD_FIELDS
    for node in out:
        kind = node.__class__
        names = child_fields.get(kind)
        if names is None:
            names = child_fields[kind] = tuple(f for f in kind._fields if f != "ctx")
        for name in names:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, node_type):
                        out.append(item)
            elif isinstance(value, node_type):
                out.append(value)
    return out


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _filter_by_uses(rel: str, node: ast.Call, scope: _Scope) -> list[AttributeUse]:
    assert isinstance(node.func, ast.Attribute)
    hit = _query_model(node.func.value, scope)
    if hit is None:
        return []
    return [
        AttributeUse(
            path=rel, line=node.lineno, model=hit[0], attr=kw.arg, via=hit[1], kind="filter_by"
        )
        for kw in node.keywords
        if kw.arg
    ]


def _module_attributes(
    repo: _Repo, outline: Outline, scope: _Scope, refs: Sequence[tuple[int, str, str]]
) -> list[ModuleAttribute]:
    out = []
    for line, via, name in sorted(set(refs)):
        target = repo.outlines.get(scope.module_names[via])
        if target is None or (name.startswith("__") and name.endswith("__")):
            continue
        module = target.source.module
        status = _name_status(repo, target, name, None)
        out.append(
            ModuleAttribute(
                path=outline.source.rel,
                line=line,
                module=module,
                via=via,
                name=name,
                status=status.status,
                provided_by=status.provided_by,
            )
        )
    return out


def _model_of(node: ast.expr, scope: _Scope) -> tuple[str, str] | None:
    """(class, name as written) when ``node`` is a name or ``module.Name`` for a model."""
    if node.__class__ is ast.Name:
        qual = scope.classes.get(node.id)
        return (qual, node.id) if qual else None
    if isinstance(node, ast.Attribute) and scope.modules:
        prefix = _dotted(node.value)
        provided = scope.modules.get(prefix) if prefix else None
        qual = provided.get(node.attr) if provided else None
        return (qual, f"{prefix}.{node.attr}") if qual else None
    return None


def _query_model(node: ast.expr, scope: _Scope) -> tuple[str, str] | None:
    """The model a query chain starts from: ``X.query...`` or ``session.query(X)...``."""
    for _ in range(30):
        if isinstance(node, ast.Attribute):
            if node.attr == "query":
                hit = _model_of(node.value, scope)
                if hit is not None:
                    return hit
            node = node.value
        elif isinstance(node, ast.Call):
            if _last(node.func) == "query" and node.args:
                return _model_of(node.args[0], scope)
            node = node.func
        else:
            return None
    return None


# ---------------------------------------------------------------------------
# 6. findings
# ---------------------------------------------------------------------------


def _derive_findings(
    repo: _Repo,
    cat: _Catalogue,
    modules: Sequence[ModelModule],
    deps: _Dependents,
) -> list[Finding]:
    in_scope = {m.name for m in modules}
    classes = [c for c in cat.classes.values() if c.module in in_scope]
    tables = [t for t in cat.tables if t.module in in_scope]
    known = _known_tables(cat, in_scope)
    everywhere = {q.rsplit(".", 1)[-1] for q in cat.models} | {
        n for o in repo.outlines.values() for n in o.classes
    }
    out: list[Finding] = []
    out += rules.check_duplicate_tables(classes)
    out += rules.check_foreign_keys(classes, tables, known, _unsure_tables(cat))
    out += rules.check_relationships(classes, everywhere)
    out += rules.check_duplicate_models(classes)
    out += rules.check_import_cycles(deps.imports, in_scope)
    out += rules.check_imports(deps.imports)
    out += rules.check_module_attributes(deps.module_attributes)
    out += rules.check_dynamic_imports(deps.dynamic)
    out += rules.check_attribute_drift(deps.uses, _members(cat))
    out += rules.check_module_contents(modules)
    return out


def _known_tables(cat: _Catalogue, in_scope: set[str]) -> dict[str, rules.KnownTable]:
    """Tables the classes define (columns merged across classes that extend one table), then
    ``Table()`` objects; columns are None when they cannot all be known."""
    known: dict[str, rules.KnownTable] = {}
    for qual, cls in sorted(cat.classes.items(), key=lambda kv: kv[1].guarded):
        if not cls.table or cls.mixin:
            continue
        columns = {c.name: c for c in cls.columns} if _bases_known(cat, qual) else None
        current = known.get(cls.table)
        if current is None:
            known[cls.table] = rules.KnownTable(cls.table, qual, columns)
        elif current.columns is not None and columns is not None:
            merged = {**columns, **current.columns}
            known[cls.table] = rules.KnownTable(cls.table, current.owner, merged)
    for tab in cat.tables:
        columns = {c.name: c for c in tab.columns} if tab.module in in_scope else None
        owner = f"{tab.module}.{tab.name}"
        known.setdefault(tab.table, rules.KnownTable(tab.table, owner, columns))
    return known


def _bases_known(cat: _Catalogue, qual: str) -> bool:
    cls = cat.classes[qual]
    parents = cat.parents.get(qual, ())
    return all(
        p is not None or b.rsplit(".", 1)[-1] in cat.bases
        for p, b in zip(parents, cls.bases, strict=False)
    )


def _unsure_tables(cat: _Catalogue) -> frozenset[str]:
    """Names a mapped class without a known table may have: a base outside the repository
    can derive ``__tablename__`` (``Router`` -> ``routers``)."""
    names: set[str] = set()
    for qual, cls in cat.classes.items():
        if cls.table or cls.mixin or cls.abstract or _bases_known(cat, qual):
            continue
        for stem in {cls.name.lower(), rules.snake_case(cls.name)}:
            names.update({stem, f"{stem}s", f"{stem}es", f"{stem[:-1]}ies"})
    return frozenset(names)


def _members(cat: _Catalogue) -> dict[str, frozenset[str] | None]:
    """Every attribute each model class is known to have, or None when a base is unknown."""
    backrefs: dict[str, set[str]] = defaultdict(set)
    by_name = cat.by_name()
    for cls in cat.classes.values():
        for rel in cls.relationships:
            for qual in by_name.get(rel.target, []):
                if rel.backref:
                    backrefs[qual].add(rel.backref)
    out: dict[str, frozenset[str] | None] = {}
    for qual in cat.models:
        out[qual] = _class_members(cat, qual, backrefs, 0)
    return out


def _class_members(
    cat: _Catalogue, qual: str, backrefs: Mapping[str, set[str]], depth: int
) -> frozenset[str] | None:
    cls = cat.classes.get(qual)
    if cls is None or depth > 20:
        return None
    names = set(MAPPED_MEMBERS) | set(cls.members) | backrefs.get(qual, set())
    names |= {c.attr for c in cls.columns} | {r.attr for r in cls.relationships}
    for parent, written in zip(cat.parents.get(qual, ()), cls.bases, strict=False):
        last = written.rsplit(".", 1)[-1]
        if parent in cat.base_members:
            from_base = cat.base_members[parent]
            if from_base is None:
                return None
            names |= from_base
        elif parent is not None:
            inherited = _class_members(cat, parent, backrefs, depth + 1)
            if inherited is None:
                return None
            names |= inherited
        elif last in EXTERNAL_MEMBERS:
            names |= EXTERNAL_MEMBERS[last]
        elif last not in cat.bases:
            return None
    return frozenset(names)
