"""The app probe: run as a script (``python -c``) in the app's interpreter, never imported by
unify.

``argv[1]`` is a JSON object: ``paths`` (import roots to put first on ``sys.path``), ``root``
(the repository, to name files relative to it), ``module`` and ``factory``.  It imports the
module, calls the factory (or takes the app object itself), runs ``configure_mappers()``,
lists the blueprints and URL rules, then tries to import every module of the app's package
that lives under ``blueprints``/``routes``/``views`` and was not loaded.  A module of the
repository whose import was tried while the app started (a finder first on ``sys.meta_path``
notes them) and failed is an import error the app swallowed; a route module that fails only
when imported afterwards is reported as one nothing imports.  Warnings and errors logged while the factory
ran are kept.  The result is one line on stdout, ``UNIFY-APPCHECK {json}``; the process then
ends at once (an app may leave threads running).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

MARK = "UNIFY-APPCHECK "
ROUTE_DIRS = frozenset({"blueprints", "routes", "views"})
ROUTE_STEMS = frozenset({"routes", "views"})
SKIP_DIRS = frozenset({"tests", "test", "migrations", "__pycache__", "node_modules"})
AUTO_METHODS = frozenset({"HEAD", "OPTIONS"})
MAX_CANDIDATES = 500


class Recorder(logging.Handler):
    """Keeps every warning or error logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def main(argv: list[str]) -> None:
    args = json.loads(argv[1])
    sys.path[:0] = args["paths"]
    result = probe(args)
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)


def probe(args: dict[str, Any]) -> dict[str, Any]:
    root = Path(args["root"])
    attempts = Attempts()
    sys.meta_path.insert(0, attempts)
    try:
        module = importlib.import_module(args["module"])
    except BaseException as exc:
        return {"stage": "import", "reason": one_line(exc, root)}
    target = getattr(module, args["factory"], None)
    if target is None:
        return {"stage": "factory", "reason": f"{args['module']} has no {args['factory']}"}
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    try:
        app = target if hasattr(target, "url_map") else target()
    except BaseException as exc:
        return {"stage": "factory", "reason": one_line(exc, root)}
    finally:
        logging.getLogger().removeHandler(recorder)
        sys.meta_path.remove(attempts)
    if not hasattr(app, "url_map"):
        return {"stage": "factory", "reason": f"{args['factory']} returned {app!r:.60}, not an app"}
    problems = [*mapper_problems(), *logged_problems(recorder.records, root)]
    problems += swallowed_imports(module, root, attempts.names)
    return {
        "stage": "ok",
        "routes": routes(app),
        "blueprints": blueprints(app),
        "problems": problems,
    }


def one_line(exc: BaseException, root: Path) -> str:
    """The exception's first line (``no key 'x'`` for a KeyError), then the last place inside
    the repository it went through, ``(file:line)``."""
    text = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    if isinstance(exc, KeyError):
        text = f"no key {text}"
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        rel = relative(frame.filename, root)
        if rel:
            where = f" ({rel}:{frame.lineno})"
    if isinstance(exc, SyntaxError) and exc.filename:
        text = f"syntax error: {exc.msg}"
        rel = relative(exc.filename, root)
        where = f" ({rel or exc.filename}:{exc.lineno})"
    return f"{text or 'an exception without a message'}{where}"


def relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return ""


def mapper_problems() -> list[dict[str, Any]]:
    try:
        from sqlalchemy import orm
    except ImportError:
        return []
    try:
        orm.configure_mappers()
    except Exception as exc:
        return [{"kind": "mappers", "message": one_line(exc, Path("/nonexistent"))}]
    return []


def logged_problems(records: list[logging.LogRecord], root: Path) -> list[dict[str, Any]]:
    out = []
    for record in records:
        if record.levelno < logging.ERROR and not record.exc_info:
            continue
        message = f"{record.name}: {first_line(record.getMessage())}"
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            message += f" ({one_line(exc, root)})"
        out.append({"kind": "logged-error", "message": message, "during_factory": True})
    return out


def first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def routes(app: Any) -> list[dict[str, Any]]:
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) - AUTO_METHODS)
        out.append({"rule": str(rule.rule), "endpoint": str(rule.endpoint), "methods": methods})
    return sorted(out, key=lambda r: (r["rule"], r["endpoint"]))


def blueprints(app: Any) -> list[dict[str, Any]]:
    items = dict(getattr(app, "blueprints", {}) or {})
    return [
        {"name": str(name), "import_name": str(getattr(bp, "import_name", "") or "")}
        for name, bp in sorted(items.items())
    ]


class Attempts:
    """A finder first on ``sys.meta_path`` that only notes every module name imported."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        self.names.append(fullname)


def swallowed_imports(module: Any, root: Path, attempts: list[str]) -> list[dict[str, Any]]:
    """Modules of the repository whose import was tried while the app started and failed
    (``during_factory``), then every route module of the app's package not loaded, imported
    now: each that fails is reported."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name in dict.fromkeys(attempts):
        if name not in sys.modules:
            seen.add(name)
            out += failed_import(name, root, during_factory=True)
    for name, _path in route_modules(module)[:MAX_CANDIDATES]:
        if name not in sys.modules and name not in seen:
            out += failed_import(name, root, during_factory=False)
    return out


def failed_import(name: str, root: Path, *, during_factory: bool) -> list[dict[str, Any]]:
    """``name`` imported now: nothing when it imports, or when it is not a module of the
    repository; else its failure."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name or not in_repo(name, root):
            return []
        error: BaseException = exc
    except BaseException as exc:
        if not in_repo(name, root):
            return []
        error = exc
    else:
        return []
    return [
        {
            "kind": "swallowed-import",
            "module": name,
            "path": module_path(name, root),
            "message": one_line(error, root),
            "during_factory": during_factory,
            "missing_dependency": missing_dependency(error, root),
        }
    ]


def missing_dependency(error: BaseException, root: Path) -> bool:
    """A module that is nowhere in the repository nor installed (an optional dependency of
    the app, or a module deleted since)."""
    if not isinstance(error, ModuleNotFoundError) or not error.name:
        return False
    top = error.name.split(".")[0]
    return not any(
        (Path(p) / top).exists() or (Path(p) / f"{top}.py").exists()
        for p in [str(root), *sys.path[:3]]
    )


def in_repo(name: str, root: Path) -> bool:
    return bool(module_path(name, root))


def module_path(name: str, root: Path) -> str:
    """The module's file relative to the repository, or ``""`` when it is not in it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except BaseException:
        return ""
    origin = getattr(spec, "origin", None) if spec is not None else None
    return relative(origin, root) if origin else ""


def route_modules(module: Any) -> list[tuple[str, str]]:
    """(dotted name, file) of the modules under the app's package (or, for a top-level app
    module, under the folders beside it) that hold routes by their place or name."""
    top = module.__name__.split(".")[0]
    package = sys.modules.get(top)
    bases: list[tuple[str, Path]] = []
    if package is not None and getattr(package, "__path__", None):
        bases = [(top + ".", Path(p)) for p in package.__path__]
    elif getattr(module, "__file__", None):
        bases = [("", Path(module.__file__).parent)]
    out: list[tuple[str, str]] = []
    for prefix, base in bases:
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).parts
            if SKIP_DIRS.intersection(parts[:-1]) or any(p.startswith(".") for p in parts):
                continue
            if not prefix and not ROUTE_DIRS.intersection(parts[:-1]):
                continue
            if not (ROUTE_DIRS.intersection(parts[:-1]) or Path(parts[-1]).stem in ROUTE_STEMS):
                continue
            dotted = [*parts[:-1]] if parts[-1] == "__init__.py" else [*parts[:-1], path.stem]
            if dotted and all(p.isidentifier() for p in dotted):
                out.append((prefix + ".".join(dotted), str(path)))
    return out


if __name__ == "__main__":
    main(sys.argv)
