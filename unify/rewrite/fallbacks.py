"""``try: from a import X`` / ``except ImportError: from b import X`` pairs that the rewrite
makes identical: the fallback can never help any more, so it is reported (never removed)."""

from __future__ import annotations

import libcst as cst

from unify.models import Rule, Severity
from unify.rewrite.log import EditLog
from unify.rewrite.plan import FilePlan, alias_key, dotted

DEAD_FALLBACK = Rule(
    name="dead-fallback",
    code="R003",
    severity=Severity.WARNING,
    summary="an `except` import fallback that can no longer help",
)


def check_fallbacks(node: cst.Try, plan: FilePlan, log: EditLog) -> None:
    """Report each handler of ``node`` that imports, after the rewrite, what its try block
    imports (when one of the two was rewritten)."""
    tried, planned = _signatures(node.body, plan)
    if tried:
        for handler in node.handlers:
            caught, also = _signatures(handler.body, plan)
            if caught and caught <= tried and (planned or also):
                _dead_fallback(node, handler, log)


def _signatures(block: cst.BaseSuite, plan: FilePlan) -> tuple[set[tuple[str, str, str]], bool]:
    """What the block's ``from`` imports bind after the rewrite, and whether one changed."""
    out: set[tuple[str, str, str]] = set()
    planned = False
    for stmt in _small_statements(block):
        stmt_plan = plan.statements.get(id(stmt))
        if stmt_plan is not None:
            planned = True
            for module, group in stmt_plan.groups:
                out |= {(module.text(), b.name, b.binding) for b in group}
        elif isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
            module_text = "." * len(stmt.relative) + dotted(stmt.module)
            out |= {(module_text, *_alias_key_binding(a)) for a in stmt.names}
    return out, planned


def _dead_fallback(node: cst.Try, handler: cst.ExceptHandler, log: EditLog) -> None:
    after = max((log.offsets.get(id(s), 0) for s in _small_statements(node.body)), default=0)
    stmts = [s for s in _small_statements(handler.body) if isinstance(s, cst.ImportFrom)]
    code = cst.Module(body=[]).code_for_node(stmts[0]) if stmts else "except"
    line = log.lines.get(id(stmts[0])) if stmts else None
    line = line or log.line_of(code, after)
    message = "this fallback now imports what the try block imports: it can never help; remove it"
    log.findings.append(DEAD_FALLBACK.finding(message, path=log.path, line=line))


def _alias_key_binding(alias: cst.ImportAlias) -> tuple[str, str]:
    name, asname = alias_key(alias)
    return (name, asname or name)


def _small_statements(block: cst.BaseSuite) -> list[cst.BaseSmallStatement]:
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    out: list[cst.BaseSmallStatement] = []
    for stmt in block.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
    return out
