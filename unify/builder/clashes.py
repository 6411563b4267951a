"""Names two legacy modules bind differently, made to live in one namespace.

An import name two modules bind through two paths (``flask.Markup`` and
``markupsafe.Markup``) is one object when the app's interpreter says so: both imports stay,
nothing changes.  Otherwise (``json`` and ``simplejson`` as ``json``) the meaning most
modules use keeps the plain name and the others are imported under an alias
(``json__simplejson``).  A module constant two modules define with different values
(``TYPES``) keeps its name in the first module and is carried as ``NOTIFICATION_TYPES`` from
the others.  The moved code of each renamed module reads the new name: a rename is made
only when the name is never bound again inside that module (a parameter, a local), so a
plain rename of its uses is exact.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider

from unify.builder.imports import IMPORT_NAME_CLASH, bindings
from unify.builder.legacy import Legacy
from unify.builder.moving import moved
from unify.builder.nodes import same_code
from unify.models import CompatName, Finding, ImportRecord, ResolvedPlan, Rule, Severity

IMPORT_NAME_ALIASED = Rule(
    name="import-name-aliased",
    code="B018",
    severity=Severity.INFO,
    summary="two legacy modules import different things under one name; one is imported under an alias",
)
HELPER_NAME_RENAMED = Rule(
    name="helper-name-renamed",
    code="B019",
    severity=Severity.WARNING,
    summary="two legacy modules define one constant differently; the later ones are carried renamed",
)

IDENTITY_TIMEOUT = 60

# Runs with the app's interpreter: argv[1] is a JSON object (paths, names); prints, for
# each dotted name, a key equal for the same object (or null when it does not import).
IDENTITY = r"""
import importlib, json, sys
args = json.loads(sys.argv[1])
sys.path[:0] = args["paths"]
out = {}
for dotted in args["names"]:
    try:
        try:
            value = importlib.import_module(dotted)
        except ImportError:
            module, _, attr = dotted.rpartition(".")
            value = getattr(importlib.import_module(module), attr)
        out[dotted] = str(id(value))
    except BaseException:
        out[dotted] = None
print("UNIFY-IDENTITY " + json.dumps(out))
"""


@dataclass(frozen=True, slots=True)
class Renames:
    """``legacy module -> {name there -> new name}`` and what was reported."""

    by_module: Mapping[str, Mapping[str, str]]
    findings: tuple[Finding, ...]


def resolve_clashes(
    legacies: Mapping[str, Legacy],
    naming: ResolvedPlan,
    *,
    paths: Sequence[Path],
    python: str,
    records: Sequence[ImportRecord] = (),
) -> tuple[ResolvedPlan, Renames]:
    """The plan with each legacy module's renames among its local names (so its moved code
    reads them), its compat entries pointing at the renamed constants; and the renames.
    ``records``: the inventory's imports of model modules (a legacy module importing a
    renamed constant from another reads the new name too)."""
    imports = _import_renames(legacies, paths, python)
    helpers = _helper_renames(legacies, naming, imports.by_module)
    importers = _importer_renames(legacies, helpers.by_module, records)
    by_module: dict[str, dict[str, str]] = {}
    for part in (imports, helpers, importers):
        for module, renames in part.by_module.items():
            by_module.setdefault(module, {}).update(renames)
    if not by_module:
        return naming, Renames({}, imports.findings + helpers.findings)
    local = {m: dict(n) for m, n in naming.local_names.items()}
    for module, renames in by_module.items():
        local.setdefault(module, {}).update(renames)
    compat = tuple(
        CompatName(module=c.module, name=c.name, final=helper)
        if (helper := helpers.by_module.get(c.module, {}).get(c.name))
        else c
        for c in naming.compat
    )
    return replace(naming, local_names=local, compat=compat), Renames(
        by_module, imports.findings + helpers.findings
    )


def _import_renames(legacies: Mapping[str, Legacy], paths: Sequence[Path], python: str) -> Renames:
    bound: dict[str, dict[str, list[str]]] = {}  # name -> {meaning -> legacy modules}
    plain_dotted: set[tuple[str, str]] = set()  # (module, name) bound by ``import a.b``
    for legacy in legacies.values():
        for stmt in legacy.imports:
            for small in stmt.body:
                for name, meaning, dotted in bindings(small, legacy.module):
                    users = bound.setdefault(name, {}).setdefault(meaning, [])
                    if legacy.module.name not in users:
                        users.append(legacy.module.name)
                    if dotted:
                        plain_dotted.add((legacy.module.name, name))
    clashing = {n: m for n, m in sorted(bound.items()) if len(m) > 1}
    if not clashing:
        return Renames({}, ())
    ids = _identities(sorted({m for ms in clashing.values() for m in ms}), paths, python)
    taken = set(bound) | {n for lg in legacies.values() for n, _ in lg.helpers}
    by_module: dict[str, dict[str, str]] = {}
    findings: list[Finding] = []
    for name, meanings in clashing.items():
        groups: dict[str, list[str]] = {}  # identity -> meanings (unknown: each its own)
        for meaning in meanings:
            groups.setdefault(ids.get(meaning) or f"?{meaning}", []).append(meaning)
        if len(groups) == 1:
            continue  # one object reached through several paths: the imports agree
        ordered = sorted(groups.values(), key=lambda g: -len({u for m in g for u in meanings[m]}))
        renames: dict[str, dict[str, str]] = {}
        blocked: list[str] = []
        for group in ordered[1:]:
            alias = _fresh(f"{name}__{_slug(group[0])}", taken)
            for meaning in group:
                for module in meanings[meaning]:
                    if (module, name) in plain_dotted or _rebound(legacies[module], name):
                        blocked.append(module)
                    renames.setdefault(module, {})[name] = alias
        if blocked:
            findings.append(_clash_finding(name, meanings, blocked))
            continue
        for module, pair in renames.items():
            by_module.setdefault(module, {}).update(pair)
        findings.append(
            IMPORT_NAME_ALIASED.finding(
                f"{name!r} is bound to "
                + " and ".join(f"{m} (in {', '.join(meanings[m])})" for m in sorted(meanings))
                + f"; {name!r} keeps {ordered[0][0]}, "
                + ", ".join(
                    f"{m} is imported as {renames[meanings[m][0]][name]}"
                    for g in ordered[1:]
                    for m in g
                ),
                objects=(name,),
            )
        )
    return Renames(by_module, tuple(findings))


def _clash_finding(name: str, meanings: Mapping[str, list[str]], blocked: list[str]) -> Finding:
    return IMPORT_NAME_CLASH.finding(
        f"{name!r} is bound to "
        + " and ".join(f"{m} (in {', '.join(w)})" for m, w in sorted(meanings.items()))
        + f"; {', '.join(sorted(set(blocked)))} also binds it otherwise (a parameter, a local,"
        " a dotted import), so it cannot be aliased: rename one of these imports in its"
        " legacy module before building",
        objects=(name,),
    )


def _helper_renames(
    legacies: Mapping[str, Legacy],
    naming: ResolvedPlan,
    taken_by_imports: Mapping[str, Mapping[str, str]],
) -> Renames:
    """Module constants (plain assignments) of one name and different code: the first
    module's keeps the name, each other one gets ``MODULE_NAME``."""
    first: dict[str, tuple[str, str]] = {}  # name -> (module, code)
    later: list[tuple[str, Legacy]] = []
    for legacy in legacies.values():
        for name, node in legacy.helpers:
            if not _is_constant(node):
                continue
            code = moved(legacy, node, naming)
            if name not in first:
                first[name] = (legacy.module.name, code)
            elif not same_code(first[name][1], code):
                later.append((name, legacy))
    taken = {n for lg in legacies.values() for n, _ in lg.helpers} | set(naming.table_of)
    taken |= {a for renames in taken_by_imports.values() for a in renames.values()}
    by_module: dict[str, dict[str, str]] = {}
    findings: list[Finding] = []
    for name, legacy in later:
        if _rebound(legacy, name):
            continue  # left to the helper-name-clash check
        stem = legacy.module.name.rpartition(".")[2]
        wanted = f"{stem.upper()}_{name}" if name.isupper() else f"{stem}_{name}"
        new = _fresh(wanted, taken)
        by_module.setdefault(legacy.module.name, {})[name] = new
        findings.append(
            HELPER_NAME_RENAMED.finding(
                f"{name!r} is defined by {first[name][0]} and differently by"
                f" {legacy.module.name}: the unified module carries the second as {new}"
                f" (its moved code reads {new}); the compat module's {name} is"
                f" {first[name][0]}'s, so code reading {legacy.module.name}.{name} must read"
                f" {new}",
                path=legacy.module.path,
                objects=(f"{legacy.module.name}.{name}",),
            )
        )
    return Renames(by_module, tuple(findings))


def _importer_renames(
    legacies: Mapping[str, Legacy],
    renamed: Mapping[str, Mapping[str, str]],
    records: Sequence[ImportRecord],
) -> Renames:
    """A legacy module importing a renamed constant (``from shop import TYPES as KINDS``)
    reads the new name under the name it binds."""
    by_path = {lg.module.path: lg for lg in legacies.values()}
    by_module: dict[str, dict[str, str]] = {}
    for record in records:
        importer = by_path.get(record.path)
        news = renamed.get(record.target, {})
        if importer is None or not news or importer.module.name == record.target:
            continue
        own = {n for n, _ in importer.helpers}
        for imported in record.names:
            bound = imported.asname or imported.name
            if imported.name in news and bound not in own and not _rebound(importer, bound):
                by_module.setdefault(importer.module.name, {})[bound] = news[imported.name]
    return Renames(by_module, ())


def _is_constant(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Assign | cst.AnnAssign)
    )


def _rebound(legacy: Legacy, name: str) -> bool:
    """``name`` is bound somewhere else than the module's top level (a parameter, a local,
    a class attribute, a comprehension variable): renaming every use would be wrong."""
    wrapper = MetadataWrapper(legacy.tree, unsafe_skip_copy=True)
    scopes = {s for s in wrapper.resolve(ScopeProvider).values() if s is not None}
    for scope in scopes:
        if isinstance(scope, GlobalScope):
            continue
        if any(a.name == name for a in scope.assignments if a.scope is scope):
            return True
    return False


def _identities(dotted: Sequence[str], paths: Sequence[Path], python: str) -> dict[str, str]:
    """``dotted name -> identity`` as the app's interpreter sees them (missing: unknown)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    args = {"paths": [str(p) for p in paths], "names": list(dotted)}
    try:
        proc = subprocess.run(
            [python, "-c", IDENTITY, json.dumps(args)],
            cwd=paths[0] if paths else None,
            capture_output=True,
            text=True,
            timeout=IDENTITY_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    for line in proc.stdout.splitlines():
        if line.startswith("UNIFY-IDENTITY "):
            found = json.loads(line.removeprefix("UNIFY-IDENTITY "))
            return {k: v for k, v in found.items() if isinstance(v, str)}
    return {}


def _slug(meaning: str) -> str:
    parts = meaning.split(".")
    return "_".join(parts[:-1] if len(parts) > 1 else parts).strip("_") or "import"


def _fresh(wanted: str, taken: set[str]) -> str:
    new, index = wanted, 2
    while new in taken:
        new, index = f"{wanted}{index}", index + 1
    taken.add(new)
    return new
