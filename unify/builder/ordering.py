"""Laying the moved classes out: the plan's section order, and inside a section every class
after the classes it uses while it is being defined."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from unify.builder.classes import ClassBuild
from unify.errors import InputError
from unify.models import Finding, Rule, Severity

SECTION_ORDER = Rule(
    name="section-order",
    code="B009",
    severity=Severity.ERROR,
    summary="a class uses a class of a later section while it is defined; move one or use a string",
)


def order_classes(
    built: Sequence[ClassBuild], sections: Sequence[str]
) -> tuple[list[ClassBuild], list[Finding]]:
    """Section order, and inside a section every class after the classes it uses while
    being defined; a use of a class of a later section is a finding."""
    rank = {b.name: _rank(b, sections) for b in built}
    ordered: list[ClassBuild] = []
    findings: list[Finding] = []
    for index, section in enumerate(sections):
        members = [b for b in built if b.section == section]
        needs = {b.name: class_needs(b) & rank.keys() - {b.name} for b in members}
        for b in members:
            for later in sorted(n for n in needs[b.name] if rank[n] > index):
                findings.append(_order_finding(b, later, built))
        ordered += _topological(
            members, {k: {n for n in v if rank[n] == index} for k, v in needs.items()}
        )
    return ordered, findings


def _rank(built: ClassBuild, sections: Sequence[str]) -> int:
    if built.section not in sections:
        listed = ", ".join(repr(s) for s in sections)
        raise InputError(
            f"class {built.name}: section {built.section!r} is not one of the plan's sections ({listed})"
        )
    return list(sections).index(built.section)


def class_needs(built: ClassBuild) -> set[str]:
    """Names the class uses while it is being defined (bases, column and relationship
    arguments), not inside its methods."""
    node = ast.parse(built.code).body[0]
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


def _topological(members: list[ClassBuild], needs: dict[str, set[str]]) -> list[ClassBuild]:
    done: list[ClassBuild] = []
    placed: set[str] = set()
    pending = list(members)
    while pending:
        ready = [b for b in pending if needs[b.name] <= placed] or pending[:1]  # a cycle: keep order
        done.append(ready[0])
        placed.add(ready[0].name)
        pending.remove(ready[0])
    return done


def _order_finding(cls: ClassBuild, later: str, built: Sequence[ClassBuild]) -> Finding:
    section = next(b.section for b in built if b.name == later)
    return SECTION_ORDER.finding(
        f"class {cls.name} ({cls.section}) uses {later} while it is defined, but {later} is in the "
        f"later section {section!r}; move one of them in [[class]] or refer to {later} by a string",
        objects=(cls.name, later),
    )
