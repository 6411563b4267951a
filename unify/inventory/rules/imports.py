"""Rules about imports of model modules: ``import-cycle``, ``broken-import``, ``reexport``,
``star-import``, ``dynamic-import`` and ``dynamic-reference``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from unify.models import DynamicImport, Finding, ImportRecord, ModuleAttribute, Rule, Severity

IMPORT_CYCLE = Rule(
    name="import-cycle",
    code="U005",
    severity=Severity.ERROR,
    summary="model modules import in a loop",
)
BROKEN_IMPORT = Rule(
    name="broken-import", code="U006", severity=Severity.ERROR, summary="a name the module lacks"
)
STAR_IMPORT = Rule(
    name="star-import",
    code="U010",
    severity=Severity.WARNING,
    summary="from <model module> import *",
)
REEXPORT = Rule(
    name="reexport",
    code="U011",
    severity=Severity.WARNING,
    summary="a name taken from a re-exporter",
)
DYNAMIC_IMPORT = Rule(
    name="dynamic-import",
    code="U012",
    severity=Severity.WARNING,
    summary="importlib / __import__ naming a model module",
)
DYNAMIC_REFERENCE = Rule(
    name="dynamic-reference",
    code="U020",
    severity=Severity.WARNING,
    summary="a string naming a model module",
)


def check_imports(imports: Sequence[ImportRecord]) -> list[Finding]:
    """``broken-import``, ``reexport`` and ``star-import`` for each import of a model module."""
    out: list[Finding] = []
    for imp in imports:
        if imp.form == "from-star":
            out.append(_star_finding(imp))
            continue
        for name in imp.names:
            if name.status == "missing":
                out.append(
                    BROKEN_IMPORT.finding(
                        f"'{name.name}' is imported from {imp.target} which does not define it; "
                        f"import it from the module that defines it or remove the import",
                        path=imp.path,
                        line=imp.line,
                        objects=(imp.target, name.name),
                    )
                )
            elif name.status == "reexported" and name.provided_by != imp.target:
                out.append(
                    REEXPORT.finding(
                        f"'{name.name}' is imported from {imp.target}, which only re-exports it "
                        f"from {name.provided_by}; import it from {name.provided_by}",
                        path=imp.path,
                        line=imp.line,
                        objects=(imp.target, name.name, name.provided_by or ""),
                    )
                )
    return out


def _star_finding(imp: ImportRecord) -> Finding:
    used = [n.name for n in imp.names]
    silent = [n.name for n in imp.names if n.status == "reexported"]
    uses = ", ".join(used) if used else "nothing"
    extra = f"; of these {', '.join(silent)} only pass through {imp.target}" if silent else ""
    fix = f"from {imp.written} import {', '.join(used)}" if used else "remove it"
    return STAR_IMPORT.finding(
        f"'from {imp.written} import *' silently supplies {uses}{extra}; write it out: {fix}",
        path=imp.path,
        line=imp.line,
        objects=(imp.target, *used),
    )


def check_import_cycles(imports: Sequence[ImportRecord], modules: Iterable[str]) -> list[Finding]:
    """One finding per strongly connected group of model modules (Tarjan).  A module that
    imports itself inside a function (a lazy import of its own names) loops nowhere."""
    nodes = set(modules)
    edges: dict[str, dict[str, ImportRecord]] = defaultdict(dict)
    for imp in imports:
        if imp.importer == imp.target and "function" in imp.context:
            continue
        if imp.importer in nodes and imp.target in nodes:
            edges[imp.importer].setdefault(imp.target, imp)
    out = []
    for group in strongly_connected(sorted(nodes), {k: sorted(v) for k, v in edges.items()}):
        if len(group) == 1 and group[0] not in edges.get(group[0], {}):
            continue
        links = [edges[a][b] for a in group for b in sorted(edges.get(a, {})) if b in group]
        first = min(links, key=lambda i: (i.path, i.line))
        chain = "; ".join(f"{i.importer} -> {i.target} ({i.path}:{i.line})" for i in links)
        out.append(
            IMPORT_CYCLE.finding(
                f"model modules import each other: {chain}; move the shared classes into one "
                f"module (or import lazily) to break the loop",
                path=first.path,
                line=first.line,
                objects=tuple(group),
            )
        )
    return out


def strongly_connected(nodes: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; groups in discovery order, members sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            succ = edges.get(node, ())
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def check_module_attributes(attributes: Sequence[ModuleAttribute]) -> list[Finding]:
    """``module.Name`` through ``import module [as alias]``: re-exported or missing names."""
    out = []
    for attr in attributes:
        shown = f"{attr.via}.{attr.name}"
        if attr.status == "missing":
            out.append(
                BROKEN_IMPORT.finding(
                    f"{shown}: {attr.module} does not define '{attr.name}'; take it from the "
                    f"module that defines it",
                    path=attr.path,
                    line=attr.line,
                    objects=(attr.module, attr.name),
                )
            )
        elif attr.status == "reexported" and attr.provided_by != attr.module:
            out.append(
                REEXPORT.finding(
                    f"{shown}: {attr.module} only re-exports '{attr.name}' (it comes from "
                    f"{attr.provided_by}); take it from {attr.provided_by}",
                    path=attr.path,
                    line=attr.line,
                    objects=(attr.module, attr.name, attr.provided_by or ""),
                )
            )
    return out


def check_dynamic_imports(dynamic: Sequence[DynamicImport]) -> list[Finding]:
    return [
        DYNAMIC_REFERENCE.finding(
            f"the string '{d.text}' names model module {d.module} (a module path held in a "
            f"constant, passed to importlib or written in configuration); an import rewrite "
            f"leaves it as it is, so update it by hand once the module moves",
            path=d.path,
            line=d.line,
            objects=(d.module, d.text),
        )
        if not d.call
        else DYNAMIC_IMPORT.finding(
            f"{d.call}('{d.module}') loads a model module by name; an import rewrite cannot see "
            f"it, so update the string by hand (or import the module statically)",
            path=d.path,
            line=d.line,
            objects=(d.module,),
        )
        for d in dynamic
    ]
