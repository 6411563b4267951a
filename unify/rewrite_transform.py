"""Rewrite one file's source: plan, decide names, transform, merge -- text in, text out.

``rewrite_source`` is pure (no file access): the runner reads, calls it, and writes.  It walks
only the statement structure unless the file needs its code touched (renamed names, module
attributes, string references), and computes scopes only when a name must be checked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from unify.models import Finding, RewriteChange, Rule, Severity, SourceFile, rule_catalogue
from unify.rewrite_map import RenameIndex, Written
from unify.rewrite_names import NameDecisions, ScopeCache, decide_names, dotted_requests
from unify.rewrite_plan import (
    Bound,
    FilePlan,
    StmtPlan,
    dotted,
    plan_file,
    plan_star,
)
from unify.rewrite_uses import rewrite_uses
from unify.rewrite_walk import StructureRebuilder

ExportLookup = Callable[[str], "frozenset[str] | None"]

RULES: dict[str, Rule] = rule_catalogue(
    Rule(
        name="unparsable-file",
        code="R001",
        severity=Severity.WARNING,
        summary="a file that cannot be read or parsed was skipped",
    ),
    Rule(
        name="dynamic-legacy-reference",
        code="R002",
        severity=Severity.WARNING,
        summary="a string names a legacy module",
    ),
    Rule(
        name="dead-fallback",
        code="R003",
        severity=Severity.WARNING,
        summary="an `except` import fallback that can no longer help",
    ),
    Rule(
        name="star-import-replaced",
        code="R004",
        severity=Severity.INFO,
        summary="a star import written out",
    ),
    Rule(
        name="name-kept-by-alias",
        code="R005",
        severity=Severity.INFO,
        summary="a renamed class imported under its old name",
    ),
    Rule(
        name="legacy-module-missing",
        code="R006",
        severity=Severity.INFO,
        summary="a legacy (or, in the final phase, compat) module with no file",
    ),
    Rule(
        name="python-under-other-suffix",
        code="R007",
        severity=Severity.INFO,
        summary="Python under another suffix, not rewritten",
    ),
    Rule(
        name="unknown-star-exports",
        code="R008",
        severity=Severity.WARNING,
        summary="a star import whose names cannot be listed",
    ),
    Rule(
        name="target-module-missing",
        code="R009",
        severity=Severity.WARNING,
        summary="the module imports should point at has no file",
    ),
)


def finding(rule: str, message: str, path: str | None = None, line: int | None = None) -> Finding:
    return RULES[rule].finding(message, path=path, line=line)


@dataclass(frozen=True, slots=True)
class SourceRewrite:
    text: str
    changes: tuple[RewriteChange, ...]
    findings: tuple[Finding, ...]


@dataclass(slots=True)
class _Log:
    path: str
    text: str
    cursor: int = 0
    changes: list[RewriteChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)  # id(import node) -> line
    offsets: dict[int, int] = field(default_factory=dict)  # id(import node) -> offset
    renamed: Counter[tuple[str, str]] = field(default_factory=Counter)

    def line_of(self, code: str, start: int | None = None) -> int | None:
        at = self.text.find(code.strip(), self.cursor if start is None else start)
        if at < 0:
            return None
        if start is None:
            self.cursor = at + 1
        return self.text.count("\n", 0, at) + 1


def rewrite_source(
    text: str, path: str, importer: SourceFile, names: RenameIndex, exports: ExportLookup
) -> SourceRewrite:
    """The file's new text, its changes and findings.  ``cst.ParserSyntaxError`` propagates
    (the runner reports the file as skipped)."""
    module = cst.parse_module(text)
    log = _Log(path=path, text=text)
    plan = plan_file(module, importer, names)
    cache = ScopeCache(module)
    _plan_stars(plan, cache, importer, names, exports, log)
    strings = _string_renames(text, names)
    if not plan.statements and strings is None:
        return _finish(text, text, log, names)
    decisions = decide_names(text, plan, cache) if plan.statements else NameDecisions()
    dotted_requests(plan, decisions)
    rewriter = _Rewriter(plan, decisions, strings, log)
    new_module = module.visit(rewriter) if rewriter.full else rewriter.rebuild(module)
    new_text, counts = rewrite_uses(new_module.code, decisions)
    log.renamed.update(counts)
    return _finish(text, new_text, log, names)


def _finish(old: str, new: str, log: _Log, names: RenameIndex) -> SourceRewrite:
    for (before, after), count in sorted(log.renamed.items()):
        log.changes.append(RewriteChange(form="name", old=before, new=after, count=count))
    log.findings.extend(_dynamic_references(old, log.path, names))
    return SourceRewrite(text=new, changes=tuple(log.changes), findings=tuple(log.findings))


def _plan_stars(
    plan: FilePlan,
    cache: ScopeCache,
    importer: SourceFile,
    names: RenameIndex,
    exports: ExportLookup,
    log: _Log,
) -> None:
    if not plan.stars:
        return
    unresolved = cache.unresolved()
    claimed: set[str] = set()
    for node, legacy, written in reversed(plan.stars):
        provided = exports(legacy)
        if provided is None:
            log.findings.append(
                finding(
                    "unknown-star-exports", f"cannot list the names {legacy} provides", log.path
                )
            )
            continue
        used = sorted((set(unresolved) & provided) - claimed)
        claimed |= set(used)
        plan.statements[id(node)] = plan_star(node, legacy, written, used, importer, names)


# ---------------------------------------------------------------------------
# String references in relationship(), backref(), ForeignKey()
# ---------------------------------------------------------------------------

RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader", "backref"})
CLASS_KEYWORDS = frozenset(
    {"foreign_keys", "primaryjoin", "secondaryjoin", "order_by", "remote_side", "argument"}
)


@dataclass(frozen=True, slots=True)
class _StringRenames:
    classes: dict[str, str]
    tables: dict[str, str]
    class_pattern: re.Pattern[str] | None


def _string_renames(text: str, names: RenameIndex) -> _StringRenames | None:
    words = list(names.class_renames) + list(names.tables)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    if not re.search(rf"""["'][^"'\n]*\b(?:{alternatives})\b""", text):
        return None
    classes = names.class_renames
    pattern = (
        re.compile(r"(?<![\w.])(" + "|".join(re.escape(c) for c in classes) + r")\b")
        if classes
        else None
    )
    return _StringRenames(classes=classes, tables=names.tables, class_pattern=pattern)


def _call_name(node: cst.Call) -> str:
    func = node.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


# ---------------------------------------------------------------------------
# The transformer
# ---------------------------------------------------------------------------


class _Rewriter(cst.CSTTransformer):
    def __init__(
        self,
        plan: FilePlan,
        decisions: NameDecisions,
        strings: _StringRenames | None,
        log: _Log,
    ) -> None:
        super().__init__()
        self.plan = plan
        self.decisions = decisions
        self.strings = strings
        self.log = log
        self.full = decisions.touches_code or strings is not None
        self.produced: set[int] = set()  # lines written by the rewrite
        self.mergeable: set[int] = set()  # those of them that import names (not modules)
        self.depth = 0
        self.indent = "    "

    # -- traversal --------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return False  # replaced whole by their line
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> None:
        self.indent = node.default_indent

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        self.depth -= 1
        merged = merge_imports(updated_node.body, self.produced, self.mergeable)
        return updated_node if merged is None else updated_node.with_changes(body=merged)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        merged = merge_imports(updated_node.body, self.produced, self.mergeable)
        return updated_node if merged is None else updated_node.with_changes(body=merged)

    def rebuild(self, module: cst.Module) -> cst.Module:
        """The same edits without a full traversal: only the statement structure is walked."""
        self.indent = module.default_indent
        rebuilder = StructureRebuilder(
            line=lambda node: self._line(node, node),
            suite=lambda node: self._suite(node, node),
            body=lambda body: merge_imports(body, self.produced, self.mergeable),
            enter=self._enter,
            compound=lambda node: self._try(node) if isinstance(node, cst.Try) else None,
        )
        return rebuilder.module(module)

    def _enter(self, node: cst.CSTNode, entering: bool) -> None:
        self.depth += 1 if entering else -1

    # -- import statements ------------------------------------------------------

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        return self._line(original_node, updated_node) or updated_node

    def _line(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | None:
        if not any(id(s) in self.plan.statements for s in original_node.body):
            return None
        body, extra = self._replace_small(original_node.body, updated_node.body)
        first = updated_node.with_changes(body=body)
        lines = [first, *(cst.SimpleStatementLine(body=[s]) for s in extra)]
        self.produced.update(id(line) for line in lines)
        forms = {
            self.plan.statements[id(s)].form
            for s in original_node.body
            if id(s) in self.plan.statements
        }
        if forms <= {"from", "from-star"}:
            self.mergeable.update(id(line) for line in lines)
        return cst.FlattenSentinel(lines) if len(lines) > 1 else first

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        return self._suite(original_node, updated_node) or updated_node

    def _suite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite | None:
        if not any(id(s) in self.plan.statements for s in original_node.body):
            return None
        body, extra = self._replace_small(original_node.body, updated_node.body)
        return updated_node.with_changes(body=[*body, *extra])

    def _replace_small(
        self, originals: Sequence[cst.BaseSmallStatement], updated: Sequence[cst.BaseSmallStatement]
    ) -> tuple[list[cst.BaseSmallStatement], list[cst.BaseSmallStatement]]:
        body: list[cst.BaseSmallStatement] = []
        extra: list[cst.BaseSmallStatement] = []
        for orig, new in zip(originals, updated, strict=True):
            stmt = self.plan.statements.get(id(orig))
            if stmt is None:
                body.append(new)
                continue
            rendered = render_statement(stmt, self.decisions, self._indent_text())
            self._record(stmt, rendered)
            body.append(rendered[0])
            extra.extend(rendered[1:])
        return body, extra

    def _indent_text(self) -> str:
        return self.indent * (self.depth + 1)

    def _record(self, stmt: StmtPlan, rendered: list[cst.BaseSmallStatement]) -> None:
        empty = cst.Module(body=[])
        old = empty.code_for_node(stmt.node)
        new = "\n".join(empty.code_for_node(s) for s in rendered)
        line = self.log.line_of(old)
        if line is not None:
            self.log.lines[id(stmt.node)] = line
            self.log.offsets[id(stmt.node)] = self.log.cursor
        self.log.changes.append(
            RewriteChange(form=stmt.form, old=old, new=new, line=line, names=stmt.star_names)
        )
        if stmt.form == "from-star":
            used = ", ".join(stmt.star_names) or "none"
            self.log.findings.append(
                finding("star-import-replaced", f"`{old}` supplied: {used}", self.log.path, line)
            )
        for _, group in stmt.groups:
            for bound in group:
                if (
                    id(stmt.node),
                    bound.binding,
                ) in self.decisions.kept and bound.binding != bound.wanted:
                    message = (
                        f"{bound.name} imported as {bound.binding}: renaming its uses would "
                        f"shadow or be shadowed (another {bound.wanted} or {bound.binding} here, "
                        "or a string naming it)"
                    )
                    self.log.findings.append(
                        finding("name-kept-by-alias", message, self.log.path, line)
                    )

    # -- uses -------------------------------------------------------------------

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.decisions.node_names.get(id(original_node))
        if new is None:
            return updated_node
        self.log.renamed[(original_node.value, new)] += 1
        return updated_node.with_changes(value=new)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        attrs = self.decisions.node_attrs.get(id(original_node.value))
        new_attr = attrs.get(original_node.attr.value) if attrs else None
        if new_attr is None:
            return updated_node
        self.log.renamed[(original_node.attr.value, new_attr)] += 1
        return updated_node.with_changes(attr=updated_node.attr.with_changes(value=new_attr))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if self.strings is None:
            return updated_node
        name = _call_name(original_node)
        if name in RELATIONSHIP_CALLS or name == "ForeignKey":
            return updated_node.with_changes(
                args=[self._string_arg(name, i, a) for i, a in enumerate(updated_node.args)]
            )
        return updated_node

    def _string_arg(self, call: str, index: int, arg: cst.Arg) -> cst.Arg:
        assert self.strings is not None
        value = arg.value
        if not isinstance(value, cst.SimpleString):
            return arg
        keyword = arg.keyword.value if arg.keyword else None
        body = value.raw_value
        new = body
        if call == "ForeignKey" and index == 0 and keyword is None:
            table, dot, column = body.rpartition(".")
            new = f"{self.strings.tables.get(table, table)}{dot}{column}" if dot else body
        elif call != "ForeignKey" and index == 0 and keyword is None and call != "backref":
            new = self.strings.classes.get(body, body)
        elif keyword == "secondary":
            new = self.strings.tables.get(body, body)
        elif keyword in CLASS_KEYWORDS and self.strings.class_pattern is not None:
            new = self.strings.class_pattern.sub(lambda m: self.strings.classes[m.group(1)], body)  # type: ignore[union-attr]
        if new == body:
            return arg
        self.log.changes.append(RewriteChange(form="string", old=body, new=new))
        quote = value.quote
        return arg.with_changes(
            value=value.with_changes(value=f"{value.prefix}{quote}{new}{quote}")
        )

    # -- fallbacks --------------------------------------------------------------

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        self._try(original_node)
        return updated_node

    def _try(self, node: cst.Try) -> None:
        tried, planned = self._signatures(node.body)
        if tried:
            for handler in node.handlers:
                caught, also = self._signatures(handler.body)
                if caught and caught <= tried and (planned or also):
                    self._dead_fallback(node, handler)

    def _signatures(self, block: cst.BaseSuite) -> tuple[set[tuple[str, str, str]], bool]:
        """What the block's ``from`` imports bind after the rewrite, and whether one changed."""
        out: set[tuple[str, str, str]] = set()
        planned = False
        for stmt in _small_statements(block):
            plan = self.plan.statements.get(id(stmt))
            if plan is not None:
                planned = True
                for module, group in plan.groups:
                    out |= {(module.text(), b.name, b.binding) for b in group}
            elif isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
                module_text = "." * len(stmt.relative) + dotted(stmt.module)
                out |= {(module_text, *_alias_key_binding(a)) for a in stmt.names}
        return out, planned

    def _dead_fallback(self, node: cst.Try, handler: cst.ExceptHandler) -> None:
        after = max(
            (self.log.offsets.get(id(s), 0) for s in _small_statements(node.body)), default=0
        )
        stmts = [s for s in _small_statements(handler.body) if isinstance(s, cst.ImportFrom)]
        code = cst.Module(body=[]).code_for_node(stmts[0]) if stmts else "except"
        line = self.log.lines.get(id(stmts[0])) if stmts else None
        line = line or self.log.line_of(code, after)
        message = (
            "this fallback now imports what the try block imports: it can never help; remove it"
        )
        self.log.findings.append(finding("dead-fallback", message, self.log.path, line))


def _alias_key_binding(alias: cst.ImportAlias) -> tuple[str, str]:
    name, asname = _alias_key(alias)
    return (name, asname or name)


def _small_statements(block: cst.BaseSuite) -> list[cst.BaseSmallStatement]:
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    out: list[cst.BaseSmallStatement] = []
    for stmt in block.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
    return out


# ---------------------------------------------------------------------------
# Rendering new import statements
# ---------------------------------------------------------------------------


def render_statement(
    stmt: StmtPlan, decisions: NameDecisions, indent: str
) -> list[cst.BaseSmallStatement]:
    """The statements ``stmt`` becomes: the original node edited for its first group (so
    comments and layout stay), fresh statements for the others."""
    out: list[cst.BaseSmallStatement] = []
    for i, (module, bounds) in enumerate(stmt.groups):
        aliases = [(b, _final_asname(stmt, b, decisions)) for b in bounds]
        # ``from app import legacy`` whose target is top-level becomes ``import unified``
        fresh_import = isinstance(stmt.node, cst.ImportFrom) and module == Written("")
        is_import = isinstance(stmt.node, cst.Import) or fresh_import
        if i == 0 and stmt.form != "from-star" and not fresh_import:
            out.append(_edit_original(stmt.node, module, aliases))
        else:
            out.append(_fresh(module, aliases, indent, is_import=is_import))
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
    module: Written, aliases: list[tuple[Bound, str | None]], indent: str, is_import: bool
) -> cst.BaseSmallStatement:
    parts = _alias_texts(aliases)
    if is_import:
        text = "import " + ", ".join(parts)
    elif not parts:
        text = _plain_import(module)
    else:
        head = f"from {module.text()} import "
        text = head + ", ".join(parts)
        if len(indent) + len(text) > 99:
            inner = "".join(f"{indent}    {p},\n" for p in parts)
            text = f"{head}(\n{inner}{indent})"
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


# ---------------------------------------------------------------------------
# Merging the resulting imports: one statement per module in a run of imports
# ---------------------------------------------------------------------------


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
    for stmt in body:
        if not _is_import_line(stmt):
            first, seen = {}, set()
            out.append(stmt)
            continue
        if stmt.leading_lines:  # type: ignore[attr-defined]  # a blank line starts a new group
            first, seen = {}, set()
        key = _merge_key(stmt)
        if id(stmt) in produced and _bare_code(stmt) in seen and not _leading_comment(stmt):
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
        seen.add(_bare_code(stmt))
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
    assert isinstance(stmt, cst.SimpleStatementLine)
    return cst.Module(body=[]).code_for_node(stmt.with_changes(leading_lines=())).strip()


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
    have = {_alias_key(a) for a in into.names}
    added = [a for a in more.names if _alias_key(a) not in have]
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


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    asname = dotted(alias.asname.name) if alias.asname else None
    return (dotted(alias.name), asname)


# ---------------------------------------------------------------------------
# Dynamic references: reported, never changed
# ---------------------------------------------------------------------------


def _dynamic_references(text: str, path: str, names: RenameIndex) -> list[Finding]:
    pattern = names.dynamic
    if pattern is None or not pattern.search(text):
        return []
    out: list[Finding] = []
    for match in pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        module = match.group(2)
        message = (
            f"a string names legacy module {module} (importlib, __import__ or configuration); "
            "not changed: update it by hand"
        )
        out.append(finding("dynamic-legacy-reference", message, path, line))
    return out
