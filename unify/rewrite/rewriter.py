"""The transformer that rewrites one module: its import lines (planned, rendered and merged),
the uses whose names change, the string references, and the try/except fallbacks to report.

Two ways through the module: ``rebuild`` walks only the statement structure (enough when
only import lines change); ``module.visit`` is the full traversal, for uses found by scope
analysis and for string references.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from unify.models import RewriteChange, Rule, Severity
from unify.rewrite.fallbacks import check_fallbacks
from unify.rewrite.log import EditLog
from unify.rewrite.merge import merge_imports
from unify.rewrite.names import NameDecisions
from unify.rewrite.plan import FilePlan, StmtPlan
from unify.rewrite.render import render_statement
from unify.rewrite.strings import STRING_CALLS, StringRenames, call_name, rename_string_arg
from unify.rewrite.walk import StructureRebuilder

STAR_IMPORT_REPLACED = Rule(
    name="star-import-replaced",
    code="R004",
    severity=Severity.INFO,
    summary="a star import written out",
)
NAME_KEPT_BY_ALIAS = Rule(
    name="name-kept-by-alias",
    code="R005",
    severity=Severity.INFO,
    summary="a renamed class imported under its old name",
)


class ImportRewriter(cst.CSTTransformer):
    def __init__(
        self,
        plan: FilePlan,
        decisions: NameDecisions,
        strings: StringRenames | None,
        log: EditLog,
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
        self.origins: dict[int, cst.CSTNode] = {}  # of ``rebuild``: rebuilt node -> original

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
            compound=self._compound,
        )
        rebuilt = rebuilder.module(module)
        self.origins = rebuilder.origins
        return rebuilt

    def _compound(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Try):
            check_fallbacks(node, self.plan, self.log)

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
            rendered = render_statement(stmt, self.decisions, self._indent_text(), self.indent)
            self._record(stmt, rendered)
            body.append(rendered[0])
            extra.extend(rendered[1:])
        return body, extra

    def _indent_text(self) -> str:
        """The indentation of the statement being rewritten."""
        return self.indent * self.depth

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
                STAR_IMPORT_REPLACED.finding(
                    f"`{old}` supplied: {used}", path=self.log.path, line=line
                )
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
                        NAME_KEPT_BY_ALIAS.finding(message, path=self.log.path, line=line)
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
        name = call_name(original_node)
        if name not in STRING_CALLS:
            return updated_node
        args: list[cst.Arg] = []
        for index, arg in enumerate(updated_node.args):
            new, change = rename_string_arg(self.strings, name, index, arg)
            if change is not None:
                self.log.changes.append(change)
            args.append(new)
        return updated_node.with_changes(args=args)

    # -- fallbacks --------------------------------------------------------------

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        check_fallbacks(original_node, self.plan, self.log)
        return updated_node
