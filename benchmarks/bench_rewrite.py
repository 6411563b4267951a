"""Benchmark ``unify rewrite`` on neutron 29.0.0 against libcst's own codemod runner.

The task: unify four of neutron's model modules (``neutron.db.models_v2`` and three of
``neutron/db/models/*.py``) into one module, ``neutron.db.models_unified``; every import and
every ``module.Class`` use must follow.  Three whole processes are timed on fresh copies of
the sdist, at the same parallelism:

* ``unify``  -- ``rewrite_repo`` + ``apply_rewrites`` (what ``unify rewrite`` runs);
* ``floor``  -- the least a libcst-based tool can do: the same text prefilter plus a bare
  ``libcst.parse_module`` of every candidate file, in a process pool;
* ``libcst`` -- ``python -m libcst.tool codemod rename.RenameCommand`` once per module.

Then each tool's output is checked: files changed, files that no longer compile, and
pyflakes' undefined names and unused imports that were not there before.

Usage: ``python benchmarks/bench_rewrite.py [--runs 5] [--libcst-runs 1] [--jobs 2]``
(``--skip-libcst`` for a quick run).  Results go to ``benchmarks/RESULTS-rewrite.md``.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    bench_env,
    describe_machine,
    fmt_seconds,
    machine_lines,
    markdown_table,
    time_once,
    write_results,
)

LEGACY = (
    "neutron.db.models_v2",
    "neutron.db.models.securitygroup",
    "neutron.db.models.address_scope",
    "neutron.db.models.external_net",
)
LEGACY_FILES = frozenset(m.replace(".", "/") + ".py" for m in LEGACY)
TARGET = "neutron.db.models_unified"
RESULTS = BENCH_DIR / "RESULTS-rewrite.md"
SCRIPT = Path(__file__).resolve()


# ---------------------------------------------------------------------------
# The timed processes (run as ``bench_rewrite.py _unify ROOT JOBS`` and ``_floor``)
# ---------------------------------------------------------------------------


def run_unify(root: Path, jobs: int) -> None:
    from unify.models import ModuleMove, RenameMap
    from unify.rewrite_imports import apply_rewrites, rewrite_repo

    rename_map = RenameMap(moves=tuple(ModuleMove(legacy=m, target=TARGET) for m in LEGACY))
    apply_rewrites(rewrite_repo(root, rename_map, jobs=jobs), allow_dirty=True)


def _parse(path: str) -> int:
    import libcst

    libcst.parse_module(Path(path).read_bytes())
    return 1


def run_floor(root: Path, jobs: int) -> None:
    from unify.scan import list_repo_files

    words = sorted({m.rsplit(".", 1)[-1] for m in LEGACY})
    pattern = re.compile(rb"\b(?:" + b"|".join(w.encode() for w in words) + rb")\b")
    files = list_repo_files(root)
    candidates = [str(root / r) for r in files.python if pattern.search((root / r).read_bytes())]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sum(pool.map(_parse, candidates, chunksize=max(1, len(candidates) // (jobs * 8))))


# ---------------------------------------------------------------------------
# Preparing copies and timing
# ---------------------------------------------------------------------------


def fresh_copy(source: Path, dest: Path) -> Path:
    """A copy of the sdist with the (empty) unified module the renames point at."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (dest / "neutron" / "db" / "models_unified.py").write_text(
        '"""The unified model module (the benchmark renames point here)."""\n', encoding="utf-8"
    )
    return dest


def libcst_commands(jobs: int) -> list[list[str]]:
    return [
        [
            sys.executable, "-m", "libcst.tool", "codemod", "--no-format",
            "rename.RenameCommand", "--old_name", module, "--new_name", TARGET,
            "-j", str(jobs), "neutron",
        ]
        for module in LEGACY
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def time_once_on_copy(name: str, source: Path, work: Path, jobs: int) -> tuple[float, Path]:
    """One whole-process run of ``name`` on a fresh copy (the copy is kept for checking)."""
    copy = fresh_copy(source, work / name)
    if name == "libcst":
        seconds = sum(time_once(c, cwd=copy, env=bench_env())[0] for c in libcst_commands(jobs))
    else:
        cmd = [sys.executable, str(SCRIPT), f"_{name}", str(copy), str(jobs)]
        seconds = time_once(cmd, cwd=copy, env=bench_env())[0]
    print(f"{name}: {seconds:.2f} s", file=sys.stderr)
    return seconds, copy


def time_tools(
    names: Sequence[str], runs: int, source: Path, work: Path, jobs: int
) -> tuple[dict[str, Timing], dict[str, Path]]:
    """Runs of the tools interleaved (floor, unify, floor, unify, ...), so a change in the
    machine's load hits every tool alike."""
    times: dict[str, list[float]] = {n: [] for n in names}
    copies: dict[str, Path] = {}
    for _ in range(runs):
        for name in names:
            seconds, copies[name] = time_once_on_copy(name, source, work, jobs)
            times[name].append(seconds)
    return {n: Timing(n, tuple(t)) for n, t in times.items()}, copies


# ---------------------------------------------------------------------------
# Checking the output
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quality:
    changed: int
    not_compiling: tuple[str, ...]
    new_undefined: tuple[str, ...]  # "path: name"
    new_unused: tuple[str, ...]
    legacy_left: int  # files still importing a legacy module

    @property
    def broken(self) -> int:
        return len(
            set(self.not_compiling)
            | {e.split(":")[0] for e in self.new_undefined + self.new_unused}
        )


def check_output(source: Path, copy: Path) -> Quality:
    changed, not_compiling, undefined, unused = 0, [], [], []
    legacy_left = 0
    for path in sorted(copy.rglob("*.py")):
        rel = path.relative_to(copy).as_posix()
        old_path = source / rel
        new = path.read_text(encoding="utf-8", errors="surrogateescape")
        if rel not in LEGACY_FILES:  # the legacy modules themselves are deleted afterwards
            legacy_left += _imports_legacy(new)
        if not old_path.exists():
            continue
        old = old_path.read_text(encoding="utf-8", errors="surrogateescape")
        if old == new:
            continue
        changed += 1
        try:
            compile(new, rel, "exec")
        except SyntaxError:
            not_compiling.append(rel)
            continue
        before, after = _flakes(old, rel), _flakes(new, rel)
        undefined += [f"{rel}: {n}" for n in sorted(after["undefined"] - before["undefined"])]
        if after["unused_count"] > before["unused_count"]:
            unused.append(f"{rel}: {after['unused_count'] - before['unused_count']} more")
    return Quality(changed, tuple(not_compiling), tuple(undefined), tuple(unused), legacy_left)


def _flakes(text: str, path: str) -> dict[str, object]:
    from pyflakes import checker
    from pyflakes import messages as m

    found = checker.Checker(ast.parse(text), filename=path).messages
    undefined = {x.message_args[0] for x in found if isinstance(x, m.UndefinedName)}
    unused = Counter(
        type(x).__name__ for x in found if isinstance(x, (m.UnusedImport, m.RedefinedWhileUnused))
    )
    return {"undefined": undefined, "unused_count": sum(unused.values())}


def _imports_legacy(text: str) -> int:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return 0
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        if any(n in LEGACY for n in names):
            return 1
    return 0


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def report(
    timings: dict[str, Timing], quality: dict[str, Quality], jobs: int, candidates: int
) -> list[str]:
    rows = [
        [t.name, f"{t.median:.2f}", len(t.times), fmt_seconds(t.times)] for t in timings.values()
    ]
    sections = [
        "\n".join(machine_lines(describe_machine())),
        "Task: move every name of "
        + ", ".join(f"`{m}`" for m in LEGACY)
        + f" into `{TARGET}` across neutron 29.0.0 (sdist from PyPI, {candidates} candidate files "
        f"of ~2,090), {jobs} jobs for every tool.  Whole-process wall times, each run on a fresh copy.",
        markdown_table(["tool", "median s", "runs", "times s"], rows),
        _ratios(timings),
        markdown_table(
            [
                "tool",
                "files changed",
                "do not compile",
                "new undefined names",
                "more unused imports",
                "broken files",
                "files still importing a legacy module",
            ],
            [
                [
                    name,
                    q.changed,
                    len(q.not_compiling),
                    len(q.new_undefined),
                    len(q.new_unused),
                    q.broken,
                    q.legacy_left,
                ]
                for name, q in quality.items()
            ],
        ),
        _details(quality),
    ]
    return sections


def _ratios(timings: dict[str, Timing]) -> str:
    unify = timings["unify"].median
    lines = [f"- unify / floor: {unify / timings['floor'].median:.2f}x (target: at most 2x)"]
    if "libcst" in timings:
        lines.append(
            f"- libcst runner / unify: {timings['libcst'].median / unify:.1f}x faster (target: at least 30x)"
        )
    return "\n".join(lines)


def _details(quality: dict[str, Quality]) -> str:
    lines = ["Problems found in each tool's output (pyflakes, compile):", ""]
    for name, q in quality.items():
        problems = [
            *(f"{p}: does not compile" for p in q.not_compiling),
            *q.new_undefined,
            *q.new_unused,
        ]
        lines.append(f"- {name}: " + ("none" if not problems else "; ".join(problems[:12])))
    return "\n".join(lines) + "\n"


def _candidates(source: Path) -> int:
    words = sorted({m.rsplit(".", 1)[-1] for m in LEGACY})
    pattern = re.compile(rb"\b(?:" + b"|".join(w.encode() for w in words) + rb")\b")
    return sum(1 for p in source.rglob("*.py") if pattern.search(p.read_bytes()))


def main(argv: Sequence[str]) -> int:
    if argv[:1] in (["_unify"], ["_floor"]):
        (run_unify if argv[0] == "_unify" else run_floor)(Path(argv[1]), int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--libcst-runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-libcst", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from benchmarks.common import fetch_neutron

    source = fetch_neutron()
    work = DEFAULT_WORKDIR / "rewrite"
    work.mkdir(parents=True, exist_ok=True)
    timings, copies = time_tools(("floor", "unify"), args.runs, source, work, args.jobs)
    if not args.skip_libcst:
        more, libcst_copy = time_tools(("libcst",), args.libcst_runs, source, work, args.jobs)
        timings |= more
        copies |= libcst_copy
    quality = {name: check_output(source, copy) for name, copy in copies.items() if name != "floor"}
    write_results(
        args.output,
        "unify rewrite on neutron 29.0.0",
        report(timings, quality, args.jobs, _candidates(source)),
    )
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
