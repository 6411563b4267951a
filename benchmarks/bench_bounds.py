"""The least any single-process analyzer must spend to produce ``unify analyze``'s output.

``bench_analyze.py`` compares analyze with an ``ast.parse`` floor.  This script measures, on
the same repositories, the parts of that comparison no design can remove, to tell a goal that
work can reach from one that it cannot:

* **time**: every file parsed (the floor), every node of every tree visited once (``walk``:
  analyze's own reference walk with nothing to match, the least an AST reader does to find a
  model used anywhere in a file), the finished inventory written as JSON (the same writer and
  bytes as ``unify analyze --format json``), and the extra start-up of the command's modules
  over the floor's.  Their sum over the floor is the *bound*: analyze's ratio cannot go below
  it, whatever its passes cost, unless the output or the parse changes.
* **memory**: the resident size of a fresh interpreter once the command's modules are
  imported, and the size of the finished ``Inventory`` record itself (every object reachable
  from it counted once: ``sys.getsizeof``).  Holding the inventory as records, as the stages
  read it, costs at least their sum.

Whole processes, alternating run by run (ast, walk, bound), medians of ``--runs``.  The
``bound`` process runs analyze in-process once (not the figure), then times the JSON writer
three times and measures the records.

Usage: ``python benchmarks/bench_bounds.py [--runs 5] [--files 20000] [--only
neutron|generated]``; results go to ``benchmarks/RESULTS-bounds.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_analyze import Measure, Target, parse_cmd, prepare_targets
from benchmarks.common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    REPO_ROOT,
    BenchmarkError,
    bench_env,
    describe_machine,
    interleaved_timings,
    machine_lines,
    markdown_table,
    write_results,
)

TIME_GOAL = 1.5
MEMORY_GOAL = 4.0

# Run in a fresh interpreter: ``python -c BOUND REPO``; prints one JSON object.
BOUND = """
import io, json, resource, statistics, sys, time
from pathlib import Path
start = time.perf_counter()
import unify.scan
floor_modules = time.perf_counter() - start
start = time.perf_counter()
import unify.cli.app, unify.cli.analysis, unify.analyze, unify.report.inventory
modules = time.perf_counter() - start
modules_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from unify.analyze import analyze_repo
from unify.report.inventory import write_json
inventory = analyze_repo(Path(sys.argv[1]))

class Sink(io.TextIOBase):
    written = 0
    def write(self, text):
        self.written += len(text)
        return len(text)

writes = []
for _ in range(3):
    sink = Sink()
    start = time.perf_counter()
    write_json(inventory, sink)
    writes.append(time.perf_counter() - start)

def deep_size(root):
    seen, stack, total = set(), [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)
        else:
            for cls in type(obj).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if hasattr(obj, slot):
                        stack.append(getattr(obj, slot))
    return total

fields = {}
for name in ("attribute_uses", "imports", "module_attributes", "findings", "modules"):
    fields[name] = [len(getattr(inventory, name)), deep_size(getattr(inventory, name))]
print(json.dumps({
    "modules_s": modules,
    "floor_modules_s": floor_modules,
    "modules_kib": modules_kib,
    "json_s": statistics.median(writes),
    "json_chars": sink.written,
    "records_bytes": deep_size(inventory),
    "fields": fields,
}))
"""


@dataclass(frozen=True, slots=True)
class Bound:
    target: Target
    ast: Measure
    walk: Measure
    modules_s: float  # the command's modules' import, beyond the floor's ``unify.scan``
    modules_mib: float  # resident size once they are imported
    json_s: float
    json_mib: float
    records_mib: float
    fields: dict[str, tuple[int, float]]  # field -> (records, MiB)

    @property
    def time_bound(self) -> float:
        """(walk + JSON + start-up beyond the floor's) / floor, CPU time."""
        return (self.walk.cpu_median + self.json_s + self.modules_s) / self.ast.cpu_median

    @property
    def memory_bound(self) -> float:
        return (self.modules_mib + self.records_mib) / self.ast.rss_mib


def bound_cmd(repo: Path) -> list[str]:
    return [sys.executable, "-c", BOUND, str(repo)]


def measure(target: Target, runs: int) -> Bound:
    env = bench_env()
    cmds = [parse_cmd("ast", target.path), parse_cmd("walk", target.path)]
    ast_timings, walk_timings = interleaved_timings(cmds, runs, cwd=REPO_ROOT, env=env)
    figures = [_bound_once(target.path, env) for _ in range(runs)]

    def median(key: str) -> float:
        return statistics.median(float(f[key]) for f in figures)

    last = figures[-1]
    return Bound(
        target=target,
        ast=Measure.of(ast_timings),
        walk=Measure.of(walk_timings),
        modules_s=max(0.0, median("modules_s")),
        modules_mib=median("modules_kib") / 1024,
        json_s=median("json_s"),
        json_mib=float(last["json_chars"]) / 2**20,
        records_mib=float(last["records_bytes"]) / 2**20,
        fields={k: (int(v[0]), v[1] / 2**20) for k, v in last["fields"].items()},
    )


def _bound_once(repo: Path, env: dict[str, str]) -> dict[str, object]:
    proc = subprocess.run(
        bound_cmd(repo), capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchmarkError(f"bound script on {repo.name} exited {proc.returncode}: {tail}")
    figures: dict[str, object] = json.loads(proc.stdout)
    print(f"  {repo.name}: {figures}", file=sys.stderr)
    return figures


def render(bounds: Sequence[Bound], runs: int) -> list[str]:
    headers = [
        "repository",
        "ast parse CPU (s)",
        "walk / ast",
        "JSON write (s)",
        "start-up beyond the floor's (s)",
        f"time bound (goal {TIME_GOAL}x)",
        "modules RSS (MiB)",
        "inventory records (MiB)",
        "ast RSS (MiB)",
        f"memory bound (goal {MEMORY_GOAL:.0f}x)",
    ]
    rows = [
        [
            b.target.label,
            f"{b.ast.cpu_median:.2f}",
            f"{b.walk.cpu_median / b.ast.cpu_median:.2f}x",
            f"{b.json_s:.2f} ({b.json_mib:.0f} MiB of text)",
            f"{b.modules_s:.2f}",
            f"{b.time_bound:.2f}x",
            f"{b.modules_mib:.0f}",
            f"{b.records_mib:.0f}",
            f"{b.ast.rss_mib:.0f}",
            f"{b.memory_bound:.2f}x",
        ]
        for b in bounds
    ]
    fields = [
        [b.target.label, name, count, f"{mib:.1f}"]
        for b in bounds
        for name, (count, mib) in b.fields.items()
    ]
    intro = [
        *machine_lines(describe_machine()),
        "- Load average (1, 5, 15 min) when written: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg()),
        f"- Runs: medians of {runs} whole-process runs each; the ast parse and the walk "
        "alternate run by run (CPU time: user + system); then the bound script's runs.",
        "- time bound = (walk CPU + JSON write + start-up beyond the floor's) / ast parse CPU;"
        " memory bound = (modules RSS + inventory records) / ast parse peak RSS.",
    ]
    return [
        "\n".join(intro),
        "## Bounds\n\n" + markdown_table(headers, rows),
        "## The inventory's largest fields\n\n"
        + markdown_table(["repository", "field", "records", "MiB"], fields),
        "## Reproduce\n\n    .venv/bin/python benchmarks/bench_bounds.py --runs 5 --files 20000",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    targets = prepare_targets(args.workdir, args.only, args.files)
    bounds = []
    for target in targets:
        print(f"{target.label}:", file=sys.stderr)
        bounds.append(measure(target, args.runs))
        write_results(args.output, "Lower bounds of unify analyze", render(bounds, args.runs))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Lower bounds of unify analyze's ratios.")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (median)")
    parser.add_argument("--only", choices=("neutron", "generated"), default=None)
    parser.add_argument("--files", type=int, default=20000, help="dependent files generated")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS-bounds.md")
    return parser


if __name__ == "__main__":
    sys.exit(main())
