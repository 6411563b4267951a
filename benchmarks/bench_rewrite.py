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

Usage: ``python benchmarks/bench_rewrite.py [--runs 5] [--jobs 2] [--skip-libcst]``; the
libcst runner runs once (it takes minutes per module), results are written after each step.  Results go to ``benchmarks/RESULTS-rewrite.md``.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
import shutil
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
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
    write_results,
)
from benchmarks.common import (
    run_timed as common_run_timed,
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


def libcst_command(module: str, jobs: int) -> list[str]:
    return [
        sys.executable, "-m", "libcst.tool", "codemod", "--no-format",
        "rename.RenameCommand", "--old_name", module, "--new_name", TARGET,
        "-j", str(jobs), "neutron",
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Timing:
    """Whole-process times of one tool: wall seconds and CPU seconds (user + system of the
    process and its workers), one pair per run; ``note`` says what a partial run covered."""

    name: str
    wall: tuple[float, ...]
    cpu: tuple[float, ...]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def run_timed(cmd: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one process (its reaped workers included)."""
    timing = common_run_timed(cmd, cwd=cwd, env=bench_env())
    return timing.wall, timing.cpu


def time_tools(
    names: Sequence[str], runs: int, source: Path, work: Path, jobs: int
) -> tuple[dict[str, Timing], dict[str, Path]]:
    """Runs of the tools interleaved (floor, unify, floor, unify, ...), each on a fresh copy,
    so a change in the machine's load hits every tool alike."""
    times: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    copies: dict[str, Path] = {}
    for _ in range(runs):
        for name in names:
            copies[name] = fresh_copy(source, work / name)
            cmd = [sys.executable, str(SCRIPT), f"_{name}", str(copies[name]), str(jobs)]
            times[name].append(run_timed(cmd, copies[name]))
            print(
                f"{name}: {times[name][-1][0]:.2f} s wall, {times[name][-1][1]:.2f} s CPU",
                file=sys.stderr,
            )
    timings = {
        n: Timing(n, tuple(w for w, _ in t), tuple(c for _, c in t)) for n, t in times.items()
    }
    return timings, copies


def time_libcst(source: Path, work: Path, jobs: int) -> Iterator[tuple[Timing, Path]]:
    """libcst's runner, one command per legacy module, on one fresh copy; yields the
    cumulative timing after each module (the runner is slow: partial results are kept)."""
    copy = fresh_copy(source, work / "libcst")
    wall = cpu = 0.0
    for done, module in enumerate(LEGACY, 1):
        w, c = run_timed(libcst_command(module, jobs), copy)
        wall, cpu = wall + w, cpu + c
        print(f"libcst {module}: {w:.2f} s wall, {c:.2f} s CPU", file=sys.stderr)
        note = "" if done == len(LEGACY) else f"{done} of {len(LEGACY)} modules only"
        yield Timing("libcst", (wall,), (cpu,), note), copy


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
    lost_imports: tuple[str, ...] = ()  # "path: module" no longer imported (side effects lost)

    @property
    def broken(self) -> int:
        problems = self.new_undefined + self.new_unused + self.lost_imports
        return len(set(self.not_compiling) | {e.split(":")[0] for e in problems})


def check_output(source: Path, copy: Path) -> Quality:
    changed, not_compiling, undefined, unused, lost = 0, [], [], [], []
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
        (names_before, unused_before), (names_after, unused_after) = (
            _flakes(old, rel),
            _flakes(new, rel),
        )
        undefined += [f"{rel}: {n}" for n in sorted(names_after - names_before)]
        undefined += [f"{rel}: {n} (now its own {n})" for n in sorted(_captured(old, new))]
        lost += [f"{rel}: {m} no longer imported" for m in sorted(_lost_modules(old, new, source))]
        if unused_after > unused_before:
            unused.append(f"{rel}: {unused_after - unused_before} more")
    return Quality(
        changed, tuple(not_compiling), tuple(undefined), tuple(unused), legacy_left, tuple(lost)
    )


def _flakes(text: str, path: str) -> tuple[set[str], int]:
    """pyflakes' undefined names, and its count of unused (or re-imported unused) imports."""
    from pyflakes import checker  # type: ignore[import-untyped]
    from pyflakes import messages as m

    found = checker.Checker(ast.parse(text), filename=path).messages
    kinds = (m.UndefinedName, m.UndefinedLocal)  # ``Port = Port`` in a function: UndefinedLocal
    undefined = {str(x.message_args[0]) for x in found if isinstance(x, kinds)}
    unused = [x for x in found if isinstance(x, (m.UnusedImport, m.RedefinedWhileUnused))]
    return undefined, len(unused)


def _captured(old: str, new: str) -> set[str]:
    """Names the rewrite made bare (``models_v2.Port`` -> ``Port``) that the file itself
    defines at top level: those uses now reach the file's own definition, not the model."""
    new_tree = ast.parse(new)
    defined = {
        n.name
        for n in new_tree.body
        if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
    }
    defined |= {
        t.id
        for n in new_tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    return (_loads(new_tree) - _loads(ast.parse(old))) & defined


def _lost_modules(old: str, new: str, source: Path) -> set[str]:
    """Modules of the tree (not legacy) that the file bound by an import before and no longer
    does, e.g. ``from neutron.db import models  # noqa``, kept to register every model."""
    before = {m for m in _bound_modules(ast.parse(old)) if _is_module(source, m)}
    return before - _bound_modules(ast.parse(new)) - set(LEGACY)


def _bound_modules(tree: ast.AST) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _is_module(source: Path, dotted: str) -> bool:
    base = source.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _loads(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


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
        [
            t.name + (f" ({t.note})" if t.note else ""),
            f"{t.median:.2f}",
            f"{t.median_cpu:.2f}",
            len(t.wall),
            fmt_seconds(t.wall),
            fmt_seconds(t.cpu),
        ]
        for t in timings.values()
    ]
    quality_rows = [
        [
            name,
            q.changed,
            len(q.not_compiling),
            len(q.new_undefined),
            len(q.new_unused),
            len(q.lost_imports),
            q.broken,
            q.legacy_left,
        ]
        for name, q in quality.items()
    ]
    return [
        "\n".join(machine_lines(describe_machine())),
        "Task: move every name of "
        + ", ".join(f"`{m}`" for m in LEGACY)
        + f" into `{TARGET}` across neutron 29.0.0 (sdist from PyPI, {candidates} candidate files "
        f"of ~2,090), {jobs} jobs for every tool.  Whole processes, each run on a fresh copy; "
        "floor and unify runs interleaved.  CPU = user + system seconds of the process and its "
        "workers (less sensitive than wall time to other load on the machine).",
        markdown_table(["tool", "median wall s", "median CPU s", "runs", "wall s", "CPU s"], rows),
        _ratios(timings),
        markdown_table(
            [
                "tool",
                "files changed",
                "do not compile",
                "new undefined names",
                "more unused imports",
                "side-effect imports lost",
                "broken files",
                "files still importing a legacy module",
            ],
            quality_rows,
        ),
        _details(quality),
    ]


def _ratios(timings: dict[str, Timing]) -> str:
    unify, floor = timings["unify"], timings["floor"]
    lines = [
        f"- unify / floor: {unify.median / floor.median:.2f}x wall, "
        f"{unify.median_cpu / floor.median_cpu:.2f}x CPU (target: at most 2x)"
    ]
    if "libcst" in timings:
        libcst = timings["libcst"]
        partial = f" ({libcst.note})" if libcst.note else ""
        if "modules only" in libcst.note:
            partial = partial[:-1] + ", against unify doing all of them)"
        lines.append(
            f"- libcst runner / unify: {libcst.median / unify.median:.1f}x wall, "
            f"{libcst.median_cpu / unify.median_cpu:.1f}x CPU{partial} (target: at least 30x)"
        )
    return "\n".join(lines)


def _details(quality: dict[str, Quality]) -> str:
    lines = ["Problems found in each tool's output (pyflakes, compile):", ""]
    for name, q in quality.items():
        problems = [
            *(f"{p}: does not compile" for p in q.not_compiling),
            *q.new_undefined,
            *q.new_unused,
            *q.lost_imports,
        ]
        lines.append(f"- {name}: " + ("none" if not problems else "; ".join(problems[:12])))
    return "\n".join(lines) + "\n"


def store_libcst(path: Path, timing: Timing, quality: Quality) -> None:
    data: dict[str, object] = {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "timing": dataclasses.asdict(timing),
        "quality": dataclasses.asdict(quality),
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def load_libcst(path: Path) -> tuple[Timing, Quality]:
    data = json.loads(path.read_text(encoding="utf-8"))
    t, q = data["timing"], data["quality"]
    note = "; ".join(n for n in (t["note"], f"measured {data['measured']}") if n)
    timing = Timing(t["name"], tuple(t["wall"]), tuple(t["cpu"]), note)
    quality = Quality(
        changed=int(q["changed"]),
        not_compiling=tuple(q["not_compiling"]),
        new_undefined=tuple(q["new_undefined"]),
        new_unused=tuple(q["new_unused"]),
        legacy_left=int(q["legacy_left"]),
        lost_imports=tuple(q.get("lost_imports", ())),
    )
    return timing, quality


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
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-libcst", action="store_true")
    parser.add_argument(
        "--reuse-libcst",
        action="store_true",
        help="Report the libcst runner's figures saved by an earlier run (it takes minutes).",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from benchmarks.common import fetch_neutron

    source = fetch_neutron()
    work = DEFAULT_WORKDIR / "rewrite"
    work.mkdir(parents=True, exist_ok=True)
    candidates = _candidates(source)
    timings, copies = time_tools(("floor", "unify"), args.runs, source, work, args.jobs)
    quality = {"unify": check_output(source, copies["unify"])}

    def save() -> None:
        sections = report(timings, quality, args.jobs, candidates)
        write_results(args.output, "unify rewrite on neutron 29.0.0", sections)

    saved = work / "libcst.json"
    if args.reuse_libcst and saved.is_file():
        timings["libcst"], quality["libcst"] = load_libcst(saved)
        if (work / "libcst").is_dir():  # the runner's output is kept: check it again
            quality["libcst"] = check_output(source, work / "libcst")
    save()
    if not (args.skip_libcst or args.reuse_libcst):
        for timing, copy in time_libcst(source, work, args.jobs):
            timings["libcst"] = timing
            quality["libcst"] = check_output(source, copy)
            store_libcst(saved, timing, quality["libcst"])
            save()
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
