"""Running the probe in the app's interpreter, and what its result says as findings."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

from unify.errors import reason
from unify.models import (
    AppBlueprint,
    AppProbe,
    AppRoute,
    Finding,
    ProbeProblem,
    Rule,
    Severity,
)

TIMEOUT_SECONDS = 180
MARK = "UNIFY-APPCHECK "

APP_IMPORT = Rule(
    name="app-import",
    code="A001",
    severity=Severity.ERROR,
    summary="the app's module does not import",
)
APP_FACTORY = Rule(
    name="app-factory",
    code="A002",
    severity=Severity.ERROR,
    summary="the app factory raises or returns no app",
)
APP_MAPPERS = Rule(
    name="app-mappers",
    code="A003",
    severity=Severity.ERROR,
    summary="configure_mappers() fails once the app is up",
)
SWALLOWED_IMPORT = Rule(
    name="swallowed-import",
    code="A004",
    severity=Severity.ERROR,
    summary="a route module of the app does not import",
)
LOGGED_ERROR = Rule(
    name="logged-error",
    code="A005",
    severity=Severity.WARNING,
    summary="the factory logged an error",
)
CHECK_CRASHED = Rule(
    name="app-check-crashed",
    code="A006",
    severity=Severity.ERROR,
    summary="the check process could not run",
)


def probe_source() -> str:
    """The probe script's text (package data: never imported by unify)."""
    return resources.files("unify.apps").joinpath("probe.py").read_text(encoding="utf-8")


def run_probe(root: Path, paths: list[str], app: str, python: str) -> AppProbe:
    """Start the app ``module:factory`` of ``root`` in a subprocess of ``python``."""
    module, factory = app.split(":", 1)
    args = {"paths": paths, "root": str(root), "module": module, "factory": factory}
    try:
        proc = subprocess.run(
            [python, "-c", probe_source(), json.dumps(args)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        why = (
            f"took longer than {TIMEOUT_SECONDS}s"
            if isinstance(exc, subprocess.TimeoutExpired)
            else f"did not run: {reason(exc)}"
        )
        return AppProbe(app=app, stage="crashed", reason=f"the check process {why}")
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            return _probe_record(app, json.loads(line.removeprefix(MARK)))
    tail = ([ln for ln in proc.stderr.splitlines() if ln.strip()] or ["no output"])[-1].strip()
    return AppProbe(
        app=app, stage="crashed", reason=f"the check process ended with {proc.returncode}: {tail}"
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _probe_record(app: str, raw: dict[str, Any]) -> AppProbe:
    return AppProbe(
        app=app,
        stage=raw["stage"],
        reason=raw.get("reason", ""),
        routes=tuple(route_record(r) for r in raw.get("routes", ())),
        blueprints=tuple(blueprint_record(b) for b in raw.get("blueprints", ())),
        problems=tuple(
            ProbeProblem(
                kind=p["kind"],
                message=p["message"],
                module=p.get("module", ""),
                path=p.get("path", ""),
                during_factory=bool(p.get("during_factory")),
                missing_dependency=bool(p.get("missing_dependency")),
            )
            for p in raw.get("problems", ())
        ),
    )


def route_record(raw: dict[str, Any]) -> AppRoute:
    return AppRoute(rule=raw["rule"], endpoint=raw["endpoint"], methods=tuple(raw["methods"]))


def blueprint_record(raw: dict[str, Any]) -> AppBlueprint:
    return AppBlueprint(name=raw["name"], import_name=raw.get("import_name", ""))


def probe_findings(probe: AppProbe, broken_before: frozenset[str] | None) -> tuple[Finding, ...]:
    """What the probe met: the step that stopped the app, or the problems of a running one.
    ``broken_before``: the modules that did not import when the snapshot was taken (None:
    no snapshot yet)."""
    stopped = {"import": APP_IMPORT, "factory": APP_FACTORY, "crashed": CHECK_CRASHED}
    if probe.stage in stopped:
        rule = stopped[probe.stage]
        return (rule.finding(f"{rule.summary}: {probe.app}: {probe.reason}", objects=(probe.app,)),)
    return tuple(_problem_finding(p, broken_before) for p in probe.problems)


def _problem_finding(problem: ProbeProblem, broken_before: frozenset[str] | None) -> Finding:
    if problem.kind == "mappers":
        return APP_MAPPERS.finding(f"{APP_MAPPERS.summary}: {problem.message}")
    if problem.kind == "logged-error":
        return LOGGED_ERROR.finding(f"{LOGGED_ERROR.summary}: {problem.message}")
    return _swallowed(problem, broken_before)


def _swallowed(problem: ProbeProblem, broken_before: frozenset[str] | None) -> Finding:
    """An error when the app tried the import and went on, unless it failed already when
    the snapshot was taken, or (first run) only for a dependency found nowhere; a warning
    for a route module nothing imported."""
    how = (
        "the app went on without it"
        if problem.during_factory
        else "nothing imported it while the app started; is it still used?"
    )
    error = problem.during_factory
    if broken_before is not None and problem.module in broken_before:
        how += " (it did not import when the snapshot was taken either)"
        error = False
    elif broken_before is None and problem.missing_dependency:
        how += " (a dependency the interpreter lacks: optional, or pass --python)"
        error = False
    return SWALLOWED_IMPORT.finding(
        f"{problem.module} does not import: {problem.message}; {how}",
        severity=Severity.ERROR if error else Severity.WARNING,
        path=problem.path or None,
        objects=(problem.module,),
    )
