"""Part of pass 2 (*outline*): the references a file makes that may turn out to be uses of a
model, read while its tree is at hand so that no file is parsed twice.

Which local names stand for models is known only once every file is outlined, so this walk
keeps every candidate: attribute reads whose head is a name the file imports from the
repository (or any name, when the file star-imports), ``filter_by()`` calls with the query
chain before them, and, for star imports, every name used.  :mod:`unify.inventory.uses`
later matches them against the file's scope, in the walk's (breadth-first) order."""

from __future__ import annotations

import ast
import marshal
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from operator import attrgetter
from sys import intern
from typing import Any

from unify.inventory.exprs import dotted, last
from unify.syntax import NOT_NODE_FIELDS

# a model candidate as ``_model_of`` reads it: (None, name) for a name, (prefix, attr) for
# ``prefix.attr``; None for anything else
Candidate = tuple[str | None, str] | None


@dataclass(frozen=True, slots=True)
class FilterByCall:
    """``<chain>.filter_by(k=...)``: the query chain's steps as ``_query_model`` reads them:
    (candidate, final) where a final step ends the search."""

    line: int
    steps: tuple[tuple[Candidate, bool], ...]
    keywords: tuple[str, ...]


# One reference as four consecutive items of the flat list ``References.events`` packs (no
# object per reference: a file may hold thousands, and every file's are kept until the models
# are known):
# - ``value.attr`` read (Load), ``value`` a name or a dotted ``prefix.name``:
#   (line, attr, prefix or None, name);
# - a ``filter_by()`` call: (line, None, None, (steps, keywords)) (see ``FilterByCall``).
Item = int | str | tuple[Any, ...] | None
ITEMS_PER_REFERENCE = 4


def pack(events: list[Item]) -> bytes:
    """The events as ``marshal`` bytes: about a quarter of the memory of the tuple they
    were, which held for every file of a large repository is most of analyze's peak."""
    return marshal.dumps(tuple(events))


_NONE = pack([])


@dataclass(frozen=True, slots=True, kw_only=True)
class References:
    events: bytes = _NONE  # ``pack``ed: ``ITEMS_PER_REFERENCE`` items a reference, in walk order
    names: frozenset[str] = frozenset()  # every name used (kept for star-importing files)


NO_REFERENCES = References()


def each_reference(events: bytes) -> Iterator[tuple[int, str | None, str | None, Any]]:
    """The references of packed ``events`` as (line, attr or None, prefix, name or
    FilterByCall)."""
    items = iter(marshal.loads(events))
    for line, attr, prefix, name in zip(items, items, items, items, strict=True):
        if attr is None:
            yield line, None, None, FilterByCall(line, *name)
        else:
            yield line, attr, prefix, name


def read_references(tree: ast.Module, heads: Collection[str], *, star: bool) -> References:
    """One breadth-first walk; ``heads``: names the file binds by repository imports or
    class statements (with ``star``, any name may stand for a model)."""
    roots = {h.split(".", 1)[0] for h in heads}
    events: list[Item] = []
    add = events.extend
    names: set[str] = set()
    name_kind, attribute_kind, call_kind, load = ast.Name, ast.Attribute, ast.Call, ast.Load
    kinds = _KINDS
    queue: list[ast.AST] = [tree]
    append, extend = queue.append, queue.extend
    for node in queue:  # breadth first: the list grows while it is read
        kind = node.__class__
        if kind is name_kind:
            if star:
                names.add(node.id)  # type: ignore[attr-defined]
            continue
        if kind is attribute_kind:
            value = node.value  # type: ignore[attr-defined]
            if value.__class__ is name_kind:
                if star:
                    append(value)
                    if node.ctx.__class__ is load:  # type: ignore[attr-defined]
                        add((node.lineno, node.attr, None, value.id))  # type: ignore[attr-defined]
                elif value.id in heads and node.ctx.__class__ is load:  # type: ignore[attr-defined]
                    add((node.lineno, node.attr, None, value.id))  # type: ignore[attr-defined]
                continue  # (a name alone holds no reference)
            if value.__class__ is attribute_kind and node.ctx.__class__ is load:  # type: ignore[attr-defined]
                read = _dotted_read(node, value, roots, heads)  # type: ignore[arg-type]
                if read is not None:
                    add(read)
            append(value)
            continue
        if kind is call_kind:
            func = node.func  # type: ignore[attr-defined]
            if func.__class__ is attribute_kind and func.attr == "filter_by":
                add((node.lineno, None, None, _filter_by(node)))  # type: ignore[attr-defined, arg-type]
        children, many = kinds.get(kind) or _kind_entry(kind)
        if children is None:
            continue
        if many:
            for value in children(node):
                if value.__class__ is list:
                    extend(value)
                elif value is not None:
                    append(value)
        else:
            value = children(node)
            if value.__class__ is list:
                extend(value)
            elif value is not None:
                append(value)
    return References(events=pack(events), names=frozenset(names))


# per node class: a getter of the fields that may hold nodes with references (names,
# attributes, calls) and whether it returns several fields (a tuple)
_Entry = tuple[Callable[[ast.AST], Any] | None, bool]
_KINDS: dict[type, _Entry] = {type(None): (None, False)}
# fields that hold no nodes (``syntax.NOT_NODE_FIELDS``: identifiers, numbers, flags, ``ctx``),
# or only nodes without references: operator markers, ``import`` aliases, type-ignore comments
_NOT_NODES = NOT_NODE_FIELDS | {"names", "op", "ops", "type_ignores"}
_NO_CHILDREN = (ast.Constant, ast.MatchSingleton)


def _kind_entry(kind: type) -> _Entry:
    fields = () if issubclass(kind, _NO_CHILDREN) else kind._fields  # type: ignore[attr-defined]
    fields = tuple(f for f in fields if f not in _NOT_NODES)
    getter = attrgetter(*fields) if fields else None
    entry = _KINDS[kind] = (getter, len(fields) > 1)
    return entry


def _dotted_read(
    node: ast.Attribute, value: ast.Attribute, roots: Collection[str], heads: Collection[str]
) -> tuple[int, str, str, str] | None:
    """``prefix.name.attr`` where ``prefix`` or ``prefix.name`` is a head: only then can
    the read be a model's (``prefix`` bound to a model module) or a model module's
    (``prefix.name`` is one); a longer chain is read again at its inner nodes."""
    base = value.value
    while base.__class__ is ast.Attribute:
        base = base.value
    if base.__class__ is ast.Name and base.id not in roots:
        return None  # (the common case, told without building the prefix)
    prefix = dotted(value.value)
    if prefix is None or prefix.split(".", 1)[0] not in roots:
        return None
    name = value.attr
    if prefix in heads or f"{prefix}.{name}" in heads:
        return node.lineno, node.attr, intern(prefix), name
    return None


def _filter_by(node: ast.Call) -> tuple[Any, ...]:
    """A ``FilterByCall``'s fields after its line (an event holds plain values)."""
    assert isinstance(node.func, ast.Attribute)
    keywords = tuple(kw.arg for kw in node.keywords if kw.arg)
    return _query_steps(node.func.value), keywords


def _query_steps(node: ast.expr) -> tuple[tuple[Candidate, bool], ...]:
    """The places ``X.query...`` / ``session.query(X)...`` may name the model, in order."""
    steps: list[tuple[Candidate, bool]] = []
    for _ in range(30):
        if isinstance(node, ast.Attribute):
            if node.attr == "query":
                steps.append((candidate(node.value), False))
            node = node.value
        elif isinstance(node, ast.Call):
            if last(node.func) == "query" and node.args:
                steps.append((candidate(node.args[0]), True))
                break
            node = node.func
        else:
            break
    return tuple(steps)


def candidate(node: ast.expr) -> Candidate:
    if node.__class__ is ast.Name:
        return None, node.id
    if isinstance(node, ast.Attribute):
        prefix = dotted(node.value)
        return (prefix, node.attr) if prefix else None
    return None
