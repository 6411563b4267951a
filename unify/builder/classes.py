"""Moving one class, and merging the classes a merge absorbs into it.

The survivor's body is moved as written (rewritten by the resolved plan); each absorbed
class adds the members the survivor lacks, and a member both define differently takes the
plan's choice or is a finding.  The losing side's member is dropped (and listed, for the
build to report) or, with ``keep-both:NAME``, kept under that name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from unify.builder.legacy import Legacy
from unify.builder.moving import MovedCodeRewriter, RewriteContext, retarget_inner_imports
from unify.builder.nodes import (
    callee,
    code_of,
    fix_commas,
    is_docstring,
    same_code,
    statement_names,
)
from unify.builder.table_keys import table_statements
from unify.models import Entity, Finding, MemberChoice, ModelClass, ResolvedPlan, Rule, Severity
from unify.vocabulary import COLUMN_CALLS, IDENTIFIER, RELATIONSHIP_CALLS, TABLE_KEYS

UNRESOLVED_MERGE_CONFLICT = Rule(
    name="unresolved-merge-conflict",
    code="B001",
    severity=Severity.ERROR,
    summary="both sides of a merge define a member differently; name the winner under [merge.choices]",
)


@dataclass(frozen=True, slots=True)
class DroppedMember:
    """``member`` of legacy class ``loser`` lost to ``winner``'s; ``kept_as`` its new name
    when the plan keeps both."""

    member: str
    loser: str
    winner: str
    kept_as: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassBuild:
    """The moved class, as text, and what stopped or marked its merge."""

    name: str
    section: str
    code: str
    uses_tables: frozenset[str]  # Table variables named by ``secondary=``
    findings: tuple[Finding, ...]
    dropped: tuple[DroppedMember, ...] = ()


@dataclass(frozen=True, slots=True)
class _Member:
    names: tuple[str, ...]
    original: str  # code before rewriting (to compare)
    node: cst.BaseStatement  # rewritten
    source: str  # legacy qualname


def build_class(
    decision_name: str,
    section: str,
    entity: Entity,
    legacies: Mapping[str, Legacy],
    naming: ResolvedPlan,
    choices: Mapping[str, MemberChoice],
) -> ClassBuild:
    """Move the survivor, add each absorbed class's members, apply the choices."""
    survivor = entity.survivor
    findings: list[Finding] = []
    dropped: list[DroppedMember] = []
    nodes = {c.qualname: legacies[c.module].classes[c.name] for c in entity.classes}
    contexts = {c.qualname: _class_context(c, naming) for c in entity.classes}
    body = _members(
        legacies[survivor.module], survivor, nodes[survivor.qualname], contexts[survivor.qualname]
    )
    inherited = _inherited_members(survivor, naming, legacies)
    added: list[_Member] = []
    for cls in entity.classes[1:]:
        absorbed = _members(legacies[cls.module], cls, nodes[cls.qualname], contexts[cls.qualname])
        merged = _Merging(choices, findings, dropped, cls)
        new = _merge_members(body, inherited, absorbed, merged)
        if new:
            first = new[0]
            comment = cst.EmptyLine(comment=cst.Comment(f"# --- merged from {cls.qualname} ---"))
            new[0] = _Member(
                first.names, first.original, _with_leading(first.node, comment), first.source
            )
            added += new
    statements = table_statements(
        [m.node for m in body] + [m.node for m in added], decision_name, entity, naming
    )
    node = nodes[survivor.qualname].with_changes(
        name=cst.Name(decision_name),
        bases=_merged_bases(entity, nodes, contexts),
        body=nodes[survivor.qualname].body.with_changes(body=statements),
    )
    code = legacies[survivor.module].code(node)
    uses = frozenset(re.findall(rf"\bsecondary\s*=\s*({IDENTIFIER.pattern})", code))
    return ClassBuild(
        name=decision_name,
        section=section,
        code=code,
        uses_tables=uses,
        findings=tuple(findings),
        dropped=tuple(dropped),
    )


def _members(
    legacy: Legacy, cls: ModelClass, node: cst.ClassDef, context: RewriteContext
) -> list[_Member]:
    out: list[_Member] = []
    for stmt in node.body.body:
        rewritten = retarget_inner_imports(legacy, stmt, context.naming).visit(
            MovedCodeRewriter(context)
        )
        assert isinstance(rewritten, cst.BaseStatement)
        out.append(
            _Member(tuple(statement_names(stmt)), legacy.code(stmt), rewritten, cls.qualname)
        )
    return out


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
    cls: ModelClass, naming: ResolvedPlan, legacies: Mapping[str, Legacy]
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
                    for name in statement_names(stmt):
                        found.setdefault(name, legacies[other.module].code(stmt))
    return found


@dataclass(frozen=True, slots=True)
class _Merging:
    """What folding one absorbed class reads (the choices) and adds to (findings, drops)."""

    choices: Mapping[str, MemberChoice]
    findings: list[Finding]
    dropped: list[DroppedMember]
    cls: ModelClass


def _merge_members(
    body: list[_Member], inherited: dict[str, str], absorbed: list[_Member], merging: _Merging
) -> list[_Member]:
    """Fold one absorbed class into ``body`` (in place); return its new members."""
    new: list[_Member] = []
    cls = merging.cls
    for member in absorbed:
        if not member.names or set(member.names) & TABLE_KEYS or is_docstring(member.node):
            continue
        name = member.names[0]
        current = next((i for i, m in enumerate(body) if name in m.names), None)
        existing = body[current].original if current is not None else inherited.get(name)
        choice = merging.choices.get(name)
        if existing is None:
            new.append(member)
        elif same_code(existing, member.original):
            continue
        elif choice is None or not choice.take_from:
            merging.findings.append(_conflict_finding(cls, name))
        elif choice.take_from == cls.qualname:
            loser = body[current] if current is not None else None
            if current is not None:
                body[current] = member
            else:
                new.append(member)
            if loser is not None:
                new += _lost(loser, choice, merging, [*body, *new])
        else:
            new += _lost(member, choice, merging, [*body, *new])
    return new


def _lost(
    member: _Member, choice: MemberChoice, merging: _Merging, present: list[_Member]
) -> list[_Member]:
    """The losing side's member: dropped (and listed), or kept as ``choice.keep_as``."""
    name = member.names[0]
    if not choice.keep_as:
        merging.dropped.append(DroppedMember(name, member.source, choice.take_from))
        return []
    renamed = _renamed(member.node, choice.keep_as)
    taken = any(choice.keep_as in m.names for m in present)
    if renamed is None or taken:
        why = "is already a member" if taken else "renames methods and attributes only, not columns or relationships"
        merging.findings.append(
            UNRESOLVED_MERGE_CONFLICT.finding(
                f"{name!r} of {member.source}: keep-both:{choice.keep_as} {why}; "
                f"choose another name or one side",
                path=merging.cls.path,
                line=merging.cls.line,
                objects=(merging.cls.qualname, name),
            )
        )
        return []
    merging.dropped.append(DroppedMember(name, member.source, choice.take_from, choice.keep_as))
    return [_Member((choice.keep_as,), member.original, renamed, member.source)]


def _renamed(node: cst.BaseStatement, name: str) -> cst.BaseStatement | None:
    """A method or a plain class attribute under ``name``; None for a column or a
    relationship (another name would be another column)."""
    if isinstance(node, cst.FunctionDef):
        return node.with_changes(name=cst.Name(name))
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        small = node.body[0]
        value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
        if isinstance(value, cst.Call) and callee(value) in COLUMN_CALLS | RELATIONSHIP_CALLS:
            return None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].with_changes(target=cst.Name(name))
            return node.with_changes(body=[small.with_changes(targets=[target])])
        if isinstance(small, cst.AnnAssign):
            return node.with_changes(body=[small.with_changes(target=cst.Name(name))])
    return None


def _conflict_finding(cls: ModelClass, member: str) -> Finding:
    return UNRESOLVED_MERGE_CONFLICT.finding(
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
    seen = {code_of(b.value) for b in bases if isinstance(b, cst.Arg)}
    members = {c.name for c in entity.classes}  # a subclass absorbed by its parent
    extra: list[cst.Arg] = []
    for cls in entity.classes[1:]:
        for base in nodes[cls.qualname].bases:
            code = code_of(base.value)
            if code not in seen and code.rpartition(".")[2] not in members:
                seen.add(code)
                extra.append(base.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    args = [b for b in bases if isinstance(b, cst.Arg)]
    return fix_commas(extra + args) if extra else args
