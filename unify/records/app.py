"""What the app smoke check saw of a running app, and what it found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from unify.records.findings import Finding

# how the probe ended: the app came up, or the step that stopped it
ProbeStage = Literal["ok", "import", "factory", "crashed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AppRoute:
    """One URL rule of the app: ``rule`` (``/users/<int:id>``), its endpoint and methods."""

    rule: str
    endpoint: str
    methods: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AppBlueprint:
    """A registered blueprint: its name (dotted when nested) and the module that made it."""

    name: str
    import_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeProblem:
    """A problem the probe met: ``kind`` is mappers, swallowed-import or logged-error;
    ``module`` the module concerned (a blueprint module that does not import)."""

    kind: str
    message: str
    module: str = ""
    path: str = ""
    during_factory: bool = False
    missing_dependency: bool = False  # a module found nowhere (not in the repo, not installed)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppProbe:
    """What the subprocess saw: ``stage`` ``ok`` with the routes and blueprints, or the step
    that stopped it and why (one line)."""

    app: str
    stage: ProbeStage
    reason: str = ""
    routes: tuple[AppRoute, ...] = ()
    blueprints: tuple[AppBlueprint, ...] = ()
    problems: tuple[ProbeProblem, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AppSnapshot:
    """The routes and blueprints of the app when the "before" snapshot was taken."""

    app: str
    taken: str
    routes: tuple[AppRoute, ...]
    blueprints: tuple[AppBlueprint, ...]
    broken: tuple[str, ...] = ()  # the modules that did not import then (swallowed imports)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppCheckResult:
    """One ``unify check``: the probe, the snapshot compared with (``None``: none yet),
    whether this run wrote the snapshot (and where), and the findings."""

    probe: AppProbe
    snapshot: AppSnapshot | None
    snapshot_rel: str
    snapshot_written: bool
    findings: tuple[Finding, ...]
