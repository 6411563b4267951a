"""Rewrite one file's source: plan, decide names, transform, merge -- text in, text out.

``rewrite_source`` is pure (no file access): the runner reads, calls it, and writes.  It walks
only the statement structure unless the file needs its code touched (renamed names, module
attributes, string references), and computes scopes only when a name must be checked.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

import libcst as cst

from unify.models import Finding, RewriteChange, SourceFile
from unify.rewrite.codegen import module_text
from unify.rewrite.dynamic import dynamic_references
from unify.rewrite.log import EditLog
from unify.rewrite.map import RenameIndex
from unify.rewrite.names import NameDecisions, ScopeCache, decide_names, dotted_requests
from unify.rewrite.plan import plan_file
from unify.rewrite.reach import reaches, rewrite_reaches
from unify.rewrite.rewriter import ImportRewriter
from unify.rewrite.sideeffects import side_effect_imports
from unify.rewrite.skeleton import WholeModuleNeeded, import_skeleton
from unify.rewrite.splice import overlapping, splice, statement_edits
from unify.rewrite.sql import SqlRewrite, rewrite_sql
from unify.rewrite.stars import ExportLookup, plan_stars
from unify.rewrite.strings import string_renames
from unify.rewrite.uses import rewrite_uses, use_edits


@dataclass(frozen=True, slots=True)
class SourceRewrite:
    text: str
    changes: tuple[RewriteChange, ...]
    findings: tuple[Finding, ...]


def rewrite_source(
    text: str,
    path: str,
    importer: SourceFile,
    names: RenameIndex,
    exports: ExportLookup,
    *,
    skeleton: bool = True,
) -> SourceRewrite:
    """The file's new text, its changes and findings.  ``cst.ParserSyntaxError`` propagates
    (the runner reports the file as skipped).  libcst parses the file's import skeleton
    (``rewrite.skeleton``) first, and the whole file only when the rewrite needs more (or
    when ``skeleton`` is False: the same result, at the cost of the whole parse)."""
    sql = rewrite_sql(text, path, names)  # raw SQL first: its edits never move a line
    tree = _ast_tree(sql.text)
    outline = None if tree is None or not skeleton else import_skeleton(sql.text, tree)
    if outline is not None:
        try:
            module = cst.parse_module(outline)
        except cst.ParserSyntaxError:
            pass  # the whole file is parsed below, and its own error reported
        else:
            cache = ScopeCache(module, sql.text, tree=tree, partial=True)
            try:
                return _rewrite(text, path, sql, module, cache, importer, names, exports)
            except WholeModuleNeeded:
                pass
    cache = ScopeCache(cst.parse_module(sql.text), sql.text, tree=tree)
    return _rewrite(text, path, sql, cache.module, cache, importer, names, exports)


def _ast_tree(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _rewrite(
    original: str,
    path: str,
    sql: SqlRewrite,
    module: cst.Module,
    cache: ScopeCache,
    importer: SourceFile,
    names: RenameIndex,
    exports: ExportLookup,
) -> SourceRewrite:
    text = sql.text
    log = EditLog(path=path, text=text)
    log.findings.extend(sql.findings)
    log.changes.extend(sql.changes)
    plan = plan_file(module, importer, names)
    binds_modules = any(bound.kind != "name" for _, bound in plan.bounds())
    tree = cache.tree() if binds_modules else None  # (only imports of modules can be unused)
    if tree is not None:
        log.findings.extend(side_effect_imports(tree, path, importer, names, cache.nodes()))
    plan_stars(plan, cache, importer, names, exports, log)
    strings = string_renames(text, names)
    if not plan.statements and strings is None:
        return _finish(
            original, _reached(text, text, cache, importer, names, log), log, importer, names
        )
    decisions = decide_names(text, plan, cache) if plan.statements else NameDecisions()
    dotted_requests(plan, decisions)
    rewriter = ImportRewriter(plan, decisions, strings, log)
    if rewriter.full:
        if cache.partial:
            raise WholeModuleNeeded("the code itself changes")
        code = module.visit(rewriter).code
    else:
        rebuilt = rewriter.rebuild(module)
        spliced = _spliced(text, module, rebuilt, cache, rewriter, decisions)
        if spliced is not None:
            log.renamed.update(spliced[1])
            reached = _reached(text, spliced[0], cache, importer, names, log)
            return _finish(original, reached, log, importer, names)
        if cache.partial:
            raise WholeModuleNeeded("the rewritten module is generated whole")
        code = module_text(text, module, rebuilt, cache.tree())
    new_text, counts = rewrite_uses(code, decisions)
    log.renamed.update(counts)
    reached = _reached(text, new_text, cache, importer, names, log)
    return _finish(original, reached, log, importer, names)


def _reached(
    old: str, new: str, cache: ScopeCache, importer: SourceFile, names: RenameIndex, log: EditLog
) -> str:
    """``new`` with the names reached through module bindings renamed (or reported); the
    rewritten text is parsed again only when the original reaches one."""
    tree = cache.tree()
    if tree is None or not reaches(tree, importer, names, cache.nodes()):
        return new
    if new != old:
        tree = ast.parse(new)
    text, counts, findings = rewrite_reaches(new, tree, reaches(tree, importer, names), log.path)
    log.renamed.update(counts)
    log.findings.extend(findings)
    return text


def _spliced(
    text: str,
    module: cst.Module,
    rebuilt: cst.Module,
    cache: ScopeCache,
    rewriter: ImportRewriter,
    decisions: NameDecisions,
) -> tuple[str, Counter[tuple[str, str]]] | None:
    """The new text as edits of the original: the changed import lines (``rewrite.splice``)
    and the uses found in the original's ``ast`` tree, one parse for both; None when unsure
    (the caller generates the module and parses it again)."""
    tree = cache.tree()
    same = rebuilt is module
    lines = [] if same else statement_edits(text, module, rebuilt, tree, rewriter.origins)
    if lines is None or tree is None:
        return None
    uses, counts = use_edits(text, tree, decisions, cache.nodes())
    if overlapping(uses, lines):
        return None
    return splice(text, [*lines, *uses]), counts


def _finish(
    old: str, new: str, log: EditLog, importer: SourceFile, names: RenameIndex
) -> SourceRewrite:
    if old.endswith("\r") and not new.endswith(("\r", "\n")):
        new += "\r"  # libcst drops the final line end of a CR-only file
    for (before, after), count in sorted(log.renamed.items()):
        log.changes.append(RewriteChange(form="name", old=before, new=after, count=count))
    log.findings.extend(dynamic_references(old, log.path, importer, names))
    return SourceRewrite(text=new, changes=tuple(log.changes), findings=tuple(log.findings))
