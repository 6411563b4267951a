"""An import cycle the unified module makes, named, with the plan decisions that break it.

Apart, the legacy modules may import the app's modules in an order that never loops; once
they are one module, the unified module imports (for one legacy module) an app module that
imports (through another legacy module, now the unified module) the unified module back.
The self-check's probe reports the chain of modules being executed when the import failed
(outermost first; a legacy module served by the unified module under its own name); the
cycle is the part of that chain from the half-initialised module the error names, back to
it.  Leaving either legacy module out of the unification breaks it: the one whose import
starts the way out of the unified module, or the one the way comes back through.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from unify.models import Inventory, Plan
from unify.vocabulary import absolute_module, package_of

PARTIAL = re.compile(r"partially initialized module '([\w.]+)'")


@dataclass(frozen=True, slots=True)
class Breaker:
    """A legacy module whose leaving the unification breaks the cycle, and why."""

    module: str
    path: str
    why: str


@dataclass(frozen=True, slots=True)
class Cycle:
    """The modules of an import cycle, in order, the first named again at the end."""

    modules: tuple[str, ...]
    breakers: tuple[Breaker, ...]


def find_cycle(
    chain: Sequence[str],
    message: str,
    target: str,
    gone: Mapping[str, str],
    imports: Mapping[str, frozenset[str]],
) -> Cycle | None:
    """The cycle in ``chain`` (the modules executing at the failure) the error ``message``
    names; ``gone``: the legacy modules served by the unified module (module -> path);
    ``imports``: each legacy module's imported modules."""
    match = PARTIAL.search(message)
    if match is None or target not in chain:
        return None
    partial = match.group(1)
    start = chain.index(partial) if partial in chain else len(chain) - 1 - chain[::-1].index(target)
    loop = [m for i, m in enumerate(chain[start:]) if i == 0 or m != chain[start + i - 1]]
    modules = (*loop, partial)
    return Cycle(modules=modules, breakers=_breakers(modules, target, gone, imports))


def _breakers(
    modules: Sequence[str],
    target: str,
    gone: Mapping[str, str],
    imports: Mapping[str, frozenset[str]],
) -> tuple[Breaker, ...]:
    out: dict[str, Breaker] = {}
    for i, module in enumerate(modules[:-1]):
        if module == target:
            after = modules[i + 1]  # a package: its __init__ runs for a module under it
            for legacy, names in sorted(imports.items()):
                hit = sorted(n for n in names if n == after or n.startswith(after + "."))
                if hit and legacy in gone:
                    why = f"{gone[legacy]} imports {hit[0]}"
                    out.setdefault(legacy, Breaker(legacy, gone[legacy], why))
    for i, module in enumerate(modules):
        if module in gone and i > 0 and modules[i - 1] != target:
            why = f"{modules[i - 1]} imports it"
            out.setdefault(module, Breaker(module, gone[module], why))
    return tuple(out.values())


def describe(cycle: Cycle, gone: Mapping[str, str], target: str) -> str:
    """`` (import cycle: a -> b -> c; to break it, leave X out of the unification ...)``."""
    shown: list[str] = []
    for i, m in enumerate(cycle.modules):
        if m == target and i and cycle.modules[i - 1] in gone:
            continue  # the legacy module just before is served by it: one step
        shown.append(f"{m} (the unified module after the rewrite)" if m in gone else m)
    text = f"import cycle: {' -> '.join(shown)}"
    if cycle.breakers:
        first, *rest = cycle.breakers
        options = [f"leave {first.module} out of the unification ({first.why})"]
        options += [f"{b.module} ({b.why})" for b in rest]
        text += "; to break it, " + ", or ".join(options)
        text += " (unify plan without its --models), or import the module inside the function"
        text += " that needs it"
    return text


def legacy_imports(root: Path, inventory: Inventory, plan: Plan) -> dict[str, frozenset[str]]:
    """Each legacy module's imported modules (``from p import n``: ``p`` and ``p.n``),
    function bodies left out (they import when called, not when the module loads)."""
    out: dict[str, frozenset[str]] = {}
    for module in inventory.modules:
        if module.name not in plan.legacy_modules:
            continue
        try:
            tree = ast.parse((root / module.path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        package = package_of(module.name, module.path.endswith("__init__.py"))
        out[module.name] = frozenset(_imported(tree.body, package))
    return out


def _imported(body: Sequence[ast.stmt], package: str) -> set[str]:
    found: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Import):
            found.update(a.name for a in stmt.names)
        elif isinstance(stmt, ast.ImportFrom):
            name = absolute_module(package, stmt.module, stmt.level)
            if name is None:
                continue
            found.add(name)
            found.update(f"{name}.{a.name}" for a in stmt.names if a.name != "*")
        elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found |= _imported(_blocks(stmt), package)  # if, try, with: run at load time
    return found


def _blocks(stmt: ast.stmt) -> list[ast.stmt]:
    inner: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        value = getattr(stmt, field, None)
        if isinstance(value, list):
            inner += [s for s in value if isinstance(s, ast.stmt)]
    for handler in getattr(stmt, "handlers", None) or []:
        inner += handler.body
    return inner
