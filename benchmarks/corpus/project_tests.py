"""A corpus project's own tests, before and after the rewrite.

The test files run are those of the project's test folders that import one of the model
modules (``import pkg.models``, ``from pkg import models``, ``from pkg.models import X``):
the tests a unification can break.  They run with pytest in a venv of their own
(``benchmarks/_work/venvs/NAME-tests``: the project's dependencies and its test dependencies),
offline (the proxies point at a closed port), without writing caches into the tree.  The
counts come from pytest's summary line.

    python benchmarks/corpus/project_tests.py ROOT --python PY --tests DIR --models PATH ...

prints the files chosen and the counts.  The corpus gate calls ``choose_test_files`` and
``run_tests`` before the build and after the rewrite.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 1800
OFFLINE_PROXY = "http://127.0.0.1:9"  # the discard port: nothing answers
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
# the last line of a run: "=== 3 failed, 569 passed in 158.04s (0:02:38) ===" (the "=" left
# out with -q; "seconds" in pytest of 2018)
_SUMMARY = re.compile(
    r"^=*\s*((?:\d+ \w+|no tests ran)(?:, \d+ \w+)*\s+in [\d.]+ ?s(?:econds)?\b.*?)\s*=*$"
)


@dataclass(frozen=True, slots=True)
class Suite:
    """Where a project's tests are and what they need beyond the project's own dependencies.

    ``as_of``: the requirements are resolved as they were on that date (the project's
    release), through ``uv pip install --exclude-newer``; ``ignore``: test files left out,
    with ``why``."""

    folders: tuple[str, ...]
    deps: tuple[str, ...]
    as_of: str = ""
    ignore: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    dirs: tuple[str, ...] = ()  # folders the tests expect that the sdist leaves out
    why: str = ""


# The corpus projects whose sdist ships its tests (superset's, zou's, mlflow's and fittrackee's
# do not).  keystone's python-ldap builds against libldap2-dev and libsasl2-dev (apt).
SUITES = {
    "keystone": Suite(
        folders=("keystone/tests/unit",),
        deps=(
            "pytest", "freezegun", "oslo.db[fixtures]", "fixtures", "lxml", "oslotest",
            "WebTest", "testtools", "requests", "python-ldap", "ldappool",
        ),
        as_of="2024-10-05",  # keystone 26.0.0 (2024.2): oslo.context 5.6, SQLAlchemy 2.0
    ),
    "Flask-AppBuilder": Suite(
        folders=("tests",),
        deps=(
            "pytest", "parameterized", "hiro", "freezegun", "jmespath", "authlib",
            "email_validator<2",
        ),
        as_of="2024-06-01",
        ignore=("tests/security/test_auth_ldap.py",),
        why="tests/security/test_auth_ldap.py left out (it needs an LDAP server); as many "
        "tests fail after the rewrite as before, 12 to 18 by run: tests/test_security_api.py's "
        "UserAPITestCase (12) logs in as the admin user other test modules create in the "
        "shared SQLite file; the other failures of some runs were not examined",
    ),
    "FlaskBB": Suite(
        folders=("tests",),
        # pytest of 2018 (its pluggy pin, 0.6); the venv is the project's (Python 3.8)
        deps=("pytest<3.7", "pytest-mock<1.11", "freezegun<0.4", "more-itertools<6", "py<1.6"),
        dirs=("logs",),  # its logging config writes logs/*.log
        why="tests/unit/utils/test_helpers.py's test_get_image_info and test_check_image fail "
        "before and after: they fetch an image over the network",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PytestCounts:
    """pytest's summary line as counts (``errors``: errors collecting or in fixtures)."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    line: str = ""  # the summary line as printed ("" when there was none)

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.errors} errors"


@dataclass(frozen=True, slots=True)
class PytestRun:
    """One pytest run: the files, the counts, the exit code and the time."""

    files: tuple[str, ...]
    counts: PytestCounts
    exit_code: int
    seconds: float
    tail: str = ""  # the last line of the output when pytest printed no summary


def module_name(path: str) -> str:
    """``pkg/sub/models.py`` -> ``pkg.sub.models``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = list(Path(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str) -> set[str]:
    """Every module an import statement of ``source`` may name: ``import a.b`` -> ``a.b``;
    ``from a.b import c`` -> ``a.b`` and ``a.b.c`` (``c`` may be a module)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def is_test_file(path: Path) -> bool:
    return path.suffix == ".py" and (path.name.startswith("test_") or path.stem.endswith("_test"))


def choose_test_files(
    root: Path, folders: Iterable[str], models: Sequence[str], ignore: Iterable[str] = ()
) -> list[str]:
    """The test files under ``folders`` (relative to ``root``) that import one of the model
    modules (``models``: their paths relative to ``root``), but those of ``ignore``;
    relative to ``root``, sorted."""
    wanted = {module_name(m) for m in models}
    left_out = set(ignore)
    chosen: set[str] = set()
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if not is_test_file(path) or path.relative_to(root).as_posix() in left_out:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if imported_modules(text) & wanted:
                chosen.add(path.relative_to(root).as_posix())
    return sorted(chosen)


def parse_summary(output: str) -> PytestCounts:
    """The counts of pytest's last summary line (``3 failed, 569 passed, 2 skipped, 1
    warning in 12.30s``, between ``=`` or not); all zero when there is none."""
    lines = [m.group(1) for m in map(_SUMMARY.match, output.splitlines()) if m]
    if not lines:
        return PytestCounts()
    line = lines[-1]
    counts = {kind: int(n) for n, kind in _COUNT.findall(line)}
    return PytestCounts(
        passed=counts.get("passed", 0) + counts.get("xpassed", 0),
        failed=counts.get("failed", 0),
        errors=counts.get("errors", 0) + counts.get("error", 0),
        skipped=counts.get("skipped", 0) + counts.get("xfailed", 0),
        line=line,
    )


def offline_env(extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The environment the tests run in: no network through the proxies, no bytecode
    written, the project's own variables."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env[key] = OFFLINE_PROXY
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(dict(extra))
    return env


def run_tests(
    python: str,
    root: Path,
    files: Sequence[str],
    *,
    env: Iterable[tuple[str, str]] = (),
    timeout: int = TIMEOUT,
) -> PytestRun:
    """``python -m pytest FILES`` in ``root`` (the tree's own code first on ``sys.path``)."""
    cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *files]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=root,
            env={**offline_env(env), "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        seconds = round(time.perf_counter() - start, 1)
        return PytestRun(tuple(files), PytestCounts(), -1, seconds, f"took longer than {timeout}s")
    seconds = round(time.perf_counter() - start, 1)
    counts = parse_summary(proc.stdout)
    tail = (
        "" if counts.line else ([*proc.stdout.splitlines(), *proc.stderr.splitlines()] or [""])[-1]
    )
    return PytestRun(tuple(files), counts, proc.returncode, seconds, tail.strip())


def make_venv(venv: Path, base_python: str, requirements: Sequence[str], as_of: str = "") -> str:
    """The venv's interpreter, the venv made from ``base_python`` with ``requirements`` when
    it is missing: through uv (``--exclude-newer AS_OF``) when ``as_of`` is given and uv is
    on the PATH, else pip."""
    python = venv / "bin" / "python"
    if python.exists():
        return str(python)
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT)
    uv = shutil.which("uv")
    if as_of and uv:
        cmd = [uv, "pip", "install", "-q", "--python", str(python), "--exclude-newer", as_of]
    else:
        cmd = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*cmd, *requirements], check=False, timeout=TIMEOUT)
    return str(python)


def compare_counts(before: PytestCounts, after: PytestCounts) -> str:
    """Why the run after the rewrite is worse than the one before ("" when it is not); a run
    without a summary line did not run."""
    if not before.line:
        return "the tests did not run before the rewrite"
    if not after.line:
        return "the tests did not run after the rewrite"
    worse = []
    if after.passed < before.passed:
        worse.append(f"{before.passed - after.passed} fewer passed")
    if after.failed > before.failed:
        worse.append(f"{after.failed - before.failed} more failed")
    if after.errors > before.errors:
        worse.append(f"{after.errors - before.errors} more errors")
    return "; ".join(worse)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--tests", action="append", default=[], help="a test folder")
    parser.add_argument("--models", action="append", default=[], help="a model module's path")
    args = parser.parse_args(argv)
    files = choose_test_files(args.root, args.tests, args.models)
    print("\n".join(files))
    run = run_tests(args.python, args.root, files)
    print(f"{len(files)} files: {run.counts.line or run.tail} ({run.seconds}s)")
    return 0 if run.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
