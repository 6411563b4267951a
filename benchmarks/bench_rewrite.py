"""Benchmark the ``unify rewrite`` command against the floor of a libcst tool and libcst's runner.

Two tasks, each on fresh copies (copying is not timed), at the same parallelism:

* **neutron** 29.0.0 (sdist): unify four of its model modules (``neutron.db.models_v2`` and
  three of ``neutron/db/models/*.py``) into ``neutron.db.models_unified``; every import and
  every ``module.Class`` use must follow;
* **generated** (``generate_repo.py``, 300 models in 30 modules, ``--files`` dependent files):
  unify all 30 model modules into ``app.models_unified``, renaming every third class and a
  quarter of the explicit tables -- most candidates change.

Both sides are whole processes, alternating run by run (floor, unify, floor, unify, ...):

* ``unify`` -- ``python -m unify rewrite COPY --plan PLAN --allow-dirty -j JOBS``: the whole
  command, plan parsing, rewriting, writing and the report (stdout discarded);
* ``floor`` -- the least a libcst-based tool can do: read the same plan (``tomllib``), list
  the files as unify does, the same byte prefilter, ``libcst.parse_module`` of every
  candidate in a process pool of JOBS workers;
* ``libcst`` -- ``python -m libcst.tool codemod rename.RenameCommand`` for one neutron
  module (``--libcst-module``), ``--libcst-runs`` times (it takes minutes per run), against
  unify doing all four modules.

Wall time and CPU time (user + system of the process and its workers) per run; medians.
Then unify's output on neutron (and the runner's) is checked: files changed, files that no
longer compile, pyflakes' new undefined names and unused imports, side-effect imports lost.

Usage: ``python benchmarks/bench_rewrite.py [--runs 5] [--jobs 2] [--files 5000]
[--only neutron|generated] [--libcst-runs 3] [--libcst-module M]``; results go to
``benchmarks/RESULTS-rewrite.md``, rewritten after each step.
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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import tomllib

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
TARGET_RATIO = 1.5


# ---------------------------------------------------------------------------
# The floor (run as ``bench_rewrite.py _floor ROOT PLAN JOBS``)
# ---------------------------------------------------------------------------


def _parse(path: str) -> int:
    import libcst

    libcst.parse_module(Path(path).read_bytes())
    return 1


def prefilter_words(plan: dict[str, object]) -> list[str]:
    """The words unify's prefilter looks for: legacy modules' last parts, renamed classes,
    renamed tables (the compat module is a legacy module in the final phase)."""
    head = plan["unify"]
    assert isinstance(head, dict)
    modules = [*head["legacy_modules"], head["compat_module"]]
    words = {m.rsplit(".", 1)[-1] for m in modules}
    renames = plan.get("rename", [])
    tables = plan.get("table_rename", [])
    assert isinstance(renames, list) and isinstance(tables, list)
    words |= {
        r["legacy"].rsplit(".", 1)[-1]
        for r in renames
        if r["legacy"].rsplit(".", 1)[-1] != r["name"]
    }
    words |= {t["old"] for t in tables if t["old"] != t["new"]}
    return sorted(words)


def run_floor(root: Path, plan_path: Path, jobs: int) -> None:
    from unify.scan import list_repo_files

    plan = tomllib.loads(plan_path.read_text(encoding="utf-8"))
    words = prefilter_words(plan)
    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")\b")
    files = list_repo_files(root)
    candidates = [str(root / r) for r in files.python if pattern.search((root / r).read_bytes())]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sum(pool.map(_parse, candidates, chunksize=max(1, len(candidates) // (jobs * 8))))


# ---------------------------------------------------------------------------
# Tasks, copies and timing
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    label: str
    source: Path
    plan: str  # the decisions file's text
    target_file: str  # the (empty) unified module the renames point at


def neutron_task(source: Path) -> Task:
    modules = ", ".join(f'"{m}"' for m in LEGACY)
    plan = (
        "[unify]\n"
        f'target_module = "{TARGET}"\n'
        'compat_module = "neutron.db.models_compat"\n'
        f"legacy_modules = [{modules}]\n"
    )
    label = "neutron 29.0.0 (sdist from PyPI, ~2,090 files)"
    return Task("neutron", label, source, plan, "neutron/db/models_unified.py")


def generated_task(work: Path, files: int) -> Task:
    from generate_repo import generate

    source = work / "generated-rewrite"
    generate(source, models=300, modules=30, files=files, seed=7)
    label = f"generated repo (300 models / 30 modules, {files} dependent files)"
    return Task("generated", label, source, generated_plan(source), "app/models_unified.py")


def generated_plan(root: Path) -> str:
    """Every model module into ``app.models_unified``; every third class renamed
    (``XUnified``), every fourth class's explicit table renamed (``x_unified``)."""
    paths = sorted(p for p in (root / "app" / "models").glob("*.py") if p.name != "__init__.py")
    legacy = [f"app.models.{p.stem}" for p in paths]
    lines = [
        "[unify]",
        'target_module = "app.models_unified"',
        'compat_module = "app.models_compat"',
        "legacy_modules = [" + ", ".join(f'"{m}"' for m in legacy) + "]",
        "",
    ]
    tables: set[str] = set()
    for path, module in zip(paths, legacy, strict=True):
        classes = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]
        for i, cls in enumerate(classes):
            if i % 3 == 0:
                lines += ["[[rename]]", f'legacy = "{module}.{cls.name}"']
                lines += [f'name = "{cls.name}Unified"', ""]
            if i % 4 == 1:
                tables |= set(_explicit_tables(cls))
    for table in sorted(tables):
        lines += ["[[table_rename]]", f'old = "{table}"', f'new = "{table}_unified"', ""]
    return "\n".join(lines)


def _explicit_tables(cls: ast.ClassDef) -> Iterator[str]:
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "__tablename__"
            and isinstance(stmt.value, ast.Constant)
        ):
            yield str(stmt.value.value)


def fresh_copy(task: Task, dest: Path) -> Path:
    """A copy of the task's repository with the (empty) unified module the renames point at."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(task.source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (dest / task.target_file).write_text(
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
    process and its workers), one pair per run; ``note`` says what a run covered."""

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


def commands(plan: Path, jobs: int) -> dict[str, Callable[[Path], list[str]]]:
    """The two timed commands, by tool, for a copy of the repository."""

    def floor(copy: Path) -> list[str]:
        return [sys.executable, str(SCRIPT), "_floor", str(copy), str(plan), str(jobs)]

    def unify(copy: Path) -> list[str]:
        cmd = [sys.executable, "-m", "unify", "rewrite", str(copy), "--plan", str(plan)]
        return [*cmd, "--allow-dirty", "--jobs", str(jobs)]

    return {"floor": floor, "unify": unify}


def time_tools(
    task: Task, runs: int, work: Path, jobs: int
) -> tuple[dict[str, Timing], dict[str, Path]]:
    """Runs of floor and unify interleaved (floor, unify, floor, unify, ...), each on a fresh
    copy, so a change in the machine's load hits both alike."""
    plan = work / f"{task.name}.toml"
    plan.write_text(task.plan, encoding="utf-8")
    cmds = commands(plan, jobs)
    times: dict[str, list[tuple[float, float]]] = {n: [] for n in cmds}
    copies: dict[str, Path] = {}
    for _ in range(runs):
        for name, cmd in cmds.items():
            copies[name] = fresh_copy(task, work / f"{task.name}-{name}")
            times[name].append(run_timed(cmd(copies[name]), copies[name]))
            wall, cpu = times[name][-1]
            print(f"{task.name} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
    timings = {
        n: Timing(n, tuple(w for w, _ in t), tuple(c for _, c in t)) for n, t in times.items()
    }
    return timings, copies


def time_libcst(
    task: Task, work: Path, jobs: int, module: str, runs: int
) -> Iterator[tuple[Timing, Path]]:
    """libcst's runner on ``module``, ``runs`` times, each on a fresh copy; yields the timing
    so far after each run (the runner is slow: partial results are kept)."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        copy = fresh_copy(task, work / "libcst")
        w, c = run_timed(libcst_command(module, jobs), copy)
        walls.append(w)
        cpus.append(c)
        print(f"libcst {module}: {w:.2f} s wall, {c:.2f} s CPU", file=sys.stderr)
        note = f"{module} only"
        yield Timing("libcst", tuple(walls), tuple(cpus), note), copy


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


def report_task(
    task: Task, timings: dict[str, Timing], quality: dict[str, Quality], jobs: int, candidates: int
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
    sections = [
        f"## {task.name}",
        f"{task.label}: {candidates} candidate files (prefilter), {jobs} jobs for every tool.",
        markdown_table(["tool", "median wall s", "median CPU s", "runs", "wall s", "CPU s"], rows),
        _ratios(timings),
    ]
    if quality:
        sections += [_quality_table(quality), _details(quality)]
    return sections


def _quality_table(quality: dict[str, Quality]) -> str:
    rows = [
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
    headers = [
        "tool",
        "files changed",
        "do not compile",
        "new undefined names",
        "more unused imports",
        "side-effect imports lost",
        "broken files",
        "files still importing a legacy module",
    ]
    return markdown_table(headers, rows)


def _ratios(timings: dict[str, Timing]) -> str:
    unify, floor = timings["unify"], timings["floor"]
    lines = [
        f"- unify / floor: {unify.median / floor.median:.2f}x wall, "
        f"{unify.median_cpu / floor.median_cpu:.2f}x CPU (ratio of medians; "
        f"target: at most {TARGET_RATIO}x)"
    ]
    if "libcst" in timings:
        libcst = timings["libcst"]
        lines.append(
            f"- libcst runner ({libcst.note}, {len(libcst.wall)} run(s)) / unify (all four "
            f"modules): {libcst.median / unify.median:.1f}x wall, "
            f"{libcst.median_cpu / unify.median_cpu:.1f}x CPU"
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
    note = "; ".join(n for n in (t["note"], f"an earlier run, {data['measured']}") if n)
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


def _candidates(task: Task) -> int:
    plan = tomllib.loads(task.plan)
    words = prefilter_words(plan)
    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")\b")
    return sum(1 for p in task.source.rglob("*.py") if pattern.search(p.read_bytes()))


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["_floor"]:
        run_floor(Path(argv[1]), Path(argv[2]), int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--files", type=int, default=5000, help="dependent files generated")
    parser.add_argument("--only", choices=("neutron", "generated"), default=None)
    parser.add_argument("--libcst-runs", type=int, default=3, help="0 to skip the runner")
    parser.add_argument("--libcst-module", default="neutron.db.models.external_net")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from benchmarks.common import fetch_neutron

    work = DEFAULT_WORKDIR / "rewrite"
    work.mkdir(parents=True, exist_ok=True)
    tasks = []
    if args.only in (None, "neutron"):
        tasks.append(neutron_task(fetch_neutron()))
    if args.only in (None, "generated"):
        tasks.append(generated_task(DEFAULT_WORKDIR, args.files))
    sections: dict[str, list[str]] = {}

    def save() -> None:
        body = [s for task in tasks for s in sections.get(task.name, [])]
        head = "\n".join(machine_lines(describe_machine()))
        write_results(args.output, "unify rewrite against the libcst floor", [head, *body])

    measured: dict[str, tuple[dict[str, Timing], dict[str, Quality], int]] = {}
    for task in tasks:
        candidates = _candidates(task)
        timings, copies = time_tools(task, args.runs, work, args.jobs)
        quality = {}
        if task.name == "neutron":
            quality["unify"] = check_output(task.source, copies["unify"])
        measured[task.name] = (timings, quality, candidates)
        sections[task.name] = report_task(task, timings, quality, args.jobs, candidates)
        save()
    neutron = next((task for task in tasks if task.name == "neutron"), None)
    if neutron is not None and args.libcst_runs > 0:
        timings, quality, candidates = measured["neutron"]
        runs = time_libcst(neutron, work, args.jobs, args.libcst_module, args.libcst_runs)
        for timing, copy in runs:
            timings["libcst"] = timing
            quality["libcst"] = check_output(neutron.source, copy)
            store_libcst(work / "libcst.json", timing, quality["libcst"])
            sections["neutron"] = report_task(neutron, timings, quality, args.jobs, candidates)
            save()
    earlier = work / "libcst.json"
    if neutron is not None and args.libcst_runs == 0 and earlier.exists():
        timings, quality, candidates = measured["neutron"]
        timings["libcst"], quality["libcst"] = load_libcst(earlier)  # an earlier run's figure
        sections["neutron"] = report_task(neutron, timings, quality, args.jobs, candidates)
        save()
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
