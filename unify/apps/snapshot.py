"""The "before" snapshot of an app's routes and blueprints: where it lives, its JSON, and
what changed since it was taken."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from unify.apps.run import blueprint_record, route_record
from unify.errors import InputError, reason
from unify.journal import STATE_DIR
from unify.models import AppBlueprint, AppProbe, AppRoute, AppSnapshot, Finding, Rule, Severity

VERSION = 1

ROUTE_LOST = Rule(
    name="route-lost",
    code="A101",
    severity=Severity.ERROR,
    summary="a route of the snapshot is gone",
)
BLUEPRINT_LOST = Rule(
    name="blueprint-lost",
    code="A102",
    severity=Severity.ERROR,
    summary="a blueprint of the snapshot is gone",
)
ROUTE_NEW = Rule(
    name="route-new",
    code="A103",
    severity=Severity.INFO,
    summary="a route the snapshot did not have",
)
BLUEPRINT_NEW = Rule(
    name="blueprint-new",
    code="A104",
    severity=Severity.INFO,
    summary="a blueprint the snapshot did not have",
)


def snapshot_rel(app: str) -> str:
    """``.unify/app-MODULE-FACTORY.json``: one snapshot per app of the repository."""
    return f"{STATE_DIR}/app-{re.sub(r'[^A-Za-z0-9_.]+', '-', app)}.json"


def snapshot_of(probe: AppProbe) -> AppSnapshot:
    taken = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    broken = tuple(sorted({p.module for p in probe.problems if p.kind == "swallowed-import"}))
    return AppSnapshot(
        app=probe.app,
        taken=taken,
        routes=merged(probe.routes),
        blueprints=probe.blueprints,
        broken=broken,
    )


def snapshot_json(snapshot: AppSnapshot) -> str:
    data = {
        "version": VERSION,
        "app": snapshot.app,
        "taken": snapshot.taken,
        "routes": [
            {"rule": r.rule, "endpoint": r.endpoint, "methods": list(r.methods)}
            for r in snapshot.routes
        ],
        "blueprints": [{"name": b.name, "import_name": b.import_name} for b in snapshot.blueprints],
        "broken": list(snapshot.broken),
    }
    return json.dumps(data, indent=2) + "\n"


def read_snapshot(path: Path) -> AppSnapshot | None:
    """The snapshot at ``path``, ``None`` when there is none; unreadable: an input error."""
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return AppSnapshot(
            app=data["app"],
            taken=data["taken"],
            routes=tuple(route_record(r) for r in data["routes"]),
            blueprints=tuple(blueprint_record(b) for b in data["blueprints"]),
            broken=tuple(data.get("broken", ())),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a snapshot unify can read ({reason(exc)}); take it again with --update"
        ) from None


def compare(before: AppSnapshot, probe: AppProbe) -> tuple[Finding, ...]:
    """Each route (rule and endpoint, or one of its methods) and blueprint of ``before`` the
    running app lost is an error; each it gained is info."""
    return (
        *_routes_lost(before.routes, probe.routes),
        *_blueprints_changed(before.blueprints, probe.blueprints),
        *_routes_new(before.routes, probe.routes),
    )


def _key(route: AppRoute) -> tuple[str, str]:
    return (route.rule, route.endpoint)


def merged(routes: tuple[AppRoute, ...]) -> tuple[AppRoute, ...]:
    """One route per rule and endpoint, with the methods of every registration of it (an app
    may register one rule once per method)."""
    methods: dict[tuple[str, str], set[str]] = {}
    for route in routes:
        methods.setdefault(_key(route), set()).update(route.methods)
    return tuple(
        AppRoute(rule=rule, endpoint=endpoint, methods=tuple(sorted(found)))
        for (rule, endpoint), found in methods.items()
    )


def _routes_lost(before: tuple[AppRoute, ...], now: tuple[AppRoute, ...]) -> list[Finding]:
    current = {_key(r): r for r in merged(now)}
    out = []
    for route in merged(before):
        found = current.get(_key(route))
        if found is None:
            out.append(
                ROUTE_LOST.finding(
                    f"{route.rule} (endpoint {route.endpoint}, {_methods(route.methods)}) is no "
                    "longer served; find the blueprint or view that stopped registering it",
                    objects=(route.rule, route.endpoint),
                )
            )
            continue
        missing = sorted(set(route.methods) - set(found.methods))
        if missing:
            out.append(
                ROUTE_LOST.finding(
                    f"{route.rule} (endpoint {route.endpoint}) no longer answers "
                    f"{_methods(tuple(missing))}",
                    objects=(route.rule, route.endpoint),
                )
            )
    return out


def _routes_new(before: tuple[AppRoute, ...], now: tuple[AppRoute, ...]) -> list[Finding]:
    known = {_key(r) for r in before}
    return [
        ROUTE_NEW.finding(
            f"{r.rule} (endpoint {r.endpoint}, {_methods(r.methods)}) is new since the snapshot",
            objects=(r.rule, r.endpoint),
        )
        for r in merged(now)
        if _key(r) not in known
    ]


def _blueprints_changed(
    before: tuple[AppBlueprint, ...], now: tuple[AppBlueprint, ...]
) -> list[Finding]:
    old = {b.name: b for b in before}
    new = {b.name: b for b in now}
    lost = [
        BLUEPRINT_LOST.finding(
            f"blueprint {name} ({old[name].import_name or 'unknown module'}) is no longer "
            "registered; its routes are gone with it",
            objects=(name,),
        )
        for name in old
        if name not in new
    ]
    gained = [
        BLUEPRINT_NEW.finding(f"blueprint {name} is new since the snapshot", objects=(name,))
        for name in new
        if name not in old
    ]
    return [*lost, *gained]


def _methods(methods: tuple[str, ...]) -> str:
    return ", ".join(methods) if methods else "no method"
