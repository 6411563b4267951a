"""Benchmark ``unify analyze`` against a bare parse of the same files.

    python benchmarks/bench_analyze.py [--runs 5] [--libcst-runs 0] [--only neutron|generated]
                                       [--files 20000] [--profile]
                                       [--output benchmarks/RESULTS-analyze.md]

Targets: the neutron 29.0.0 sdist (downloaded once with pip into ``benchmarks/_work/``) and a
repository made by ``generate_repo.py`` (300 models in 30 modules, ``--files`` dependent
files, 20,000 by default).  For each, whole-process medians (wall, CPU and peak RSS) of

* ``python -m unify analyze REPO --format json`` (output discarded),
* a reference: a fresh interpreter that lists the files as unify does
  (``unify.scan.list_repo_files``), reads each (``unify.scan.read_source``) and ``ast.parse``s it,
* the same with ``libcst.parse_module`` (the lossless parser the rewrite stage uses), for scale.

Each command runs once untimed first (warm file cache; the analyze output is kept for the
summary).  Results go to ``benchmarks/RESULTS-analyze.md``; ``--profile`` also profiles one
analyze run of each target with cProfile into ``benchmarks/PROFILE-analyze.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DIR,
    DEFAULT_WORKDIR,
    NEUTRON_VERSION,
    REPO_ROOT,
    BenchmarkError,
    Timing,
    bench_env,
    describe_machine,
    fetch_neutron,
    fmt_seconds,
    interleaved_timings,
    machine_lines,
    markdown_table,
    write_results,
)
from generate_repo import generate, plan_repo, planted_problems

TARGET_RATIO = 1.5  # analyze / ast parse, wall medians (issue 8)
TARGET_MEMORY = 4.0  # analyze / ast parse, peak RSS medians

# Run in a fresh interpreter: ``python -c REFERENCE_PARSE ast|walk|libcst REPO``.  ``walk``
# is the ast parse plus one visit of every node, by analyze's own reference walk with nothing
# to match: the least an AST reader must do to find a model used anywhere in a file.
REFERENCE_PARSE = """
import sys
from pathlib import Path
from unify.scan import list_repo_files, read_source
mode, root = sys.argv[1], Path(sys.argv[2])
files = list_repo_files(root)
if mode == "ast":
    import ast
    def parse(text, name):
        ast.parse(text, filename=name)
    errors = (SyntaxError, ValueError, UnicodeDecodeError)
elif mode == "walk":
    import ast
    from unify.inventory.references import read_references
    def parse(text, name):
        read_references(ast.parse(text, filename=name), (), star=False)
    errors = (SyntaxError, ValueError, UnicodeDecodeError)
else:
    import libcst
    def parse(text, name):
        libcst.parse_module(text)
    errors = (libcst.ParserSyntaxError, SyntaxError, ValueError, UnicodeDecodeError)
failed = 0
for rel in files.python:
    try:
        parse(read_source(files.root / rel), rel)
    except errors:
        failed += 1
print(len(files.python), failed)
"""


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    label: str
    path: Path
    planted: tuple[tuple[str, int], ...] = ()  # (rule, count) planted by the generator
    target_ratio: float | None = None  # the goal for analyze / ast parse, if any


@dataclass(frozen=True, slots=True)
class Measure:
    times: tuple[float, ...]  # wall seconds
    cpu: tuple[float, ...]  # CPU seconds (user + system)
    rss: tuple[int, ...] = ()  # peak resident set size, KiB

    @classmethod
    def of(cls, timings: Sequence[Timing]) -> Measure:
        return cls(
            tuple(t.wall for t in timings),
            tuple(t.cpu for t in timings),
            tuple(t.max_rss_kib for t in timings),
        )

    @property
    def rss_mib(self) -> float:
        return statistics.median(self.rss) / 1024 if self.rss else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: Target
    python_files: int
    analyze: Measure
    ast_parse: Measure
    walk: Measure  # the ast parse and one walk of every node
    libcst_parse: Measure | None
    summary: str
    reported: tuple[tuple[str, int], ...]  # (rule, findings) in analyze's output

    @property
    def ratio(self) -> float:
        return self.analyze.median / self.ast_parse.median

    @property
    def cpu_ratio(self) -> float:
        return self.analyze.cpu_median / self.ast_parse.cpu_median

    @property
    def walk_ratio(self) -> float:
        """The walk reference / the ast parse (wall medians): a floor under ``ratio``."""
        return self.walk.median / self.ast_parse.median

    @property
    def rss_ratio(self) -> float:
        return self.analyze.rss_mib / (self.ast_parse.rss_mib or 1.0)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def analyze_cmd(repo: Path) -> list[str]:
    return [sys.executable, "-m", "unify", "analyze", str(repo), "--format", "json"]


def parse_cmd(mode: str, repo: Path) -> list[str]:
    return [sys.executable, "-c", REFERENCE_PARSE, mode, str(repo)]


def display(cmd: Sequence[str]) -> str:
    """A command as shown in the results, with the reference script named, not inlined."""
    shown = ["python" if c == sys.executable else c for c in cmd]
    shown = ["<reference-parse>" if c == REFERENCE_PARSE else c for c in shown]
    return " ".join(_short_path(c) for c in shown)


def _short_path(arg: str) -> str:
    try:
        return Path(arg).relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return arg


def prepare_targets(workdir: Path, only: str | None, files: int) -> list[Target]:
    targets = []
    if only in (None, "neutron"):
        path = fetch_neutron(workdir)
        label = f"neutron {NEUTRON_VERSION} sdist"
        targets.append(Target("neutron", label, path, target_ratio=TARGET_RATIO))
    if only in (None, "generated"):
        path = workdir / "generated"
        generate(path, models=300, modules=30, files=files, seed=7)
        planted = planted_problems(plan_repo(300, 30, 7), files)
        label = f"generated repo (300 models / 30 modules / {files} dependents)"
        planted_items = tuple(sorted(planted.items()))
        targets.append(Target("generated", label, path, planted_items, TARGET_RATIO))
    return targets


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def measure_target(target: Target, runs: int, libcst_runs: int) -> TargetResult:
    env = bench_env()
    summary, reported = warm_analyze(target.path, env)
    python_files = warm_parse("ast", target.path, env)
    analyze, ast_parse, walk = _measure(
        [analyze_cmd(target.path), parse_cmd("ast", target.path), parse_cmd("walk", target.path)],
        runs,
        env,
    )
    libcst_parse = None
    if libcst_runs > 0:
        (libcst_parse,) = _measure([parse_cmd("libcst", target.path)], libcst_runs, env)
    return TargetResult(
        target, python_files, analyze, ast_parse, walk, libcst_parse, summary, reported
    )


def _measure(cmds: Sequence[Sequence[str]], runs: int, env: dict[str, str]) -> list[Measure]:
    """Interleaved runs of ``cmds``; one measure per command, reported on stderr."""
    measures = [Measure.of(t) for t in interleaved_timings(cmds, runs, cwd=REPO_ROOT, env=env)]
    for cmd, m in zip(cmds, measures, strict=True):
        print(
            f"  {display(cmd)}: median {m.median:.2f} s wall, {m.cpu_median:.2f} s CPU, "
            f"{m.rss_mib:.0f} MiB peak RSS ({fmt_seconds(m.times)})",
            file=sys.stderr,
        )
    return measures


def warm_analyze(repo: Path, env: dict[str, str]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """One untimed analyze run; a one-line summary of its JSON output, findings per rule."""
    proc = subprocess.run(analyze_cmd(repo), capture_output=True, text=True, env=env, check=False)
    if proc.returncode not in (0, 1):
        tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchmarkError(f"unify analyze {repo.name} exited {proc.returncode}: {tail}")
    report = json.loads(proc.stdout)
    return summarize_report(report, proc.returncode), tuple(sorted(rule_counts(report).items()))


def rule_counts(report: dict[str, object]) -> Counter[str]:
    rules: Counter[str] = Counter()
    findings = report.get("findings")
    if isinstance(findings, list):
        rules.update(str(f.get("rule")) for f in findings if isinstance(f, dict))
    return rules


def summarize_report(report: dict[str, object], exit_code: int) -> str:
    models = report.get("models")
    imports = report.get("imports")
    rules = rule_counts(report)
    parts = [
        f"exit {exit_code}",
        f"{len(models) if isinstance(models, list) else '?'} models",
        f"{len(imports) if isinstance(imports, list) else '?'} imports",
        f"{sum(rules.values())} findings",
    ]
    by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(rules.items()))
    return "; ".join(parts) + (f" ({by_rule})" if by_rule else "")


def warm_parse(mode: str, repo: Path, env: dict[str, str]) -> int:
    """One untimed reference run; the number of Python files it parsed."""
    proc = subprocess.run(
        parse_cmd(mode, repo), capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchmarkError(f"reference parse of {repo.name} failed: {tail}")
    return int(proc.stdout.split()[0])


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def render_results(results: Sequence[TargetResult], runs: int, libcst_runs: int) -> list[str]:
    headers = [
        "repository",
        "Python files",
        "analyze (s)",
        "ast parse (s)",
        "analyze / ast",
        "CPU: analyze / ast (s)",
        "CPU ratio",
        "peak RSS: analyze / ast (MiB)",
        "RSS ratio",
        "walk / ast",
        "libcst parse (s)",
        "goals (time <= 1.5x, RSS <= 4x)",
    ]
    rows = [
        [
            r.target.label,
            r.python_files,
            r.analyze.median,
            r.ast_parse.median,
            f"{r.ratio:.2f}x",
            f"{r.analyze.cpu_median:.2f} / {r.ast_parse.cpu_median:.2f}",
            f"{r.cpu_ratio:.2f}x",
            f"{r.analyze.rss_mib:.0f} / {r.ast_parse.rss_mib:.0f}",
            f"{r.rss_ratio:.2f}x",
            f"{r.walk_ratio:.2f}x",
            f"{r.libcst_parse.median:.2f}" if r.libcst_parse else "not run",
            _verdict(r),
        ]
        for r in results
    ]
    setup = describe_machine()
    intro = [
        *machine_lines(setup),
        "- Load average (1, 5, 15 min) when written: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg()),
        f"- Runs: median of {runs} whole-process runs per command (libcst: {libcst_runs}), "
        "interpreter start-up included, after one untimed warm-up run; analyze and the ast "
        "parse alternate run by run, so that load from other processes hits both alike. "
        "Wall time is the figure; CPU time (user + system of the process) is shown because "
        "it is less disturbed by other load on the machine. Peak RSS is each process's own "
        "maximum resident set size (GNU time's `%M`), median over the runs.",
        "- Reference: a fresh interpreter lists the same files as unify "
        "(`unify.scan.list_repo_files`), reads them (`unify.scan.read_source`) and parses each. "
        "`walk / ast`: the same plus one visit of every node of every tree by analyze's own "
        "reference walk (`read_references` with no names to match), the least an AST reader "
        "does to find a model used anywhere in a file, run alternating with the other two.",
    ]
    return [
        "\n".join(intro),
        "## Medians\n\n" + markdown_table(headers, rows),
        *(_details(r) for r in results),
    ]


def _verdict(result: TargetResult) -> str:
    goal = result.target.target_ratio
    if goal is None:
        return "none set"
    time_ok = "met" if result.ratio <= goal else "missed"
    rss_ok = "met" if result.rss_ratio <= TARGET_MEMORY else "missed"
    return f"time {time_ok}, RSS {rss_ok}"


def _details(result: TargetResult) -> str:
    path = result.target.path
    lines = [f"## {result.target.label}", "", f"- analyze output: {result.summary}"]
    if result.target.planted:
        lines += ["", _planted_table(result), ""]
    measures = [
        ("analyze", analyze_cmd(path), result.analyze),
        ("ast parse", parse_cmd("ast", path), result.ast_parse),
        ("ast parse and walk", parse_cmd("walk", path), result.walk),
    ]
    if result.libcst_parse:
        measures.append(("libcst parse", parse_cmd("libcst", path), result.libcst_parse))
    for name, cmd, measure in measures:
        lines.append(
            f"- {name}: `{display(cmd)}`: median {measure.median:.2f} s wall, "
            f"{measure.cpu_median:.2f} s CPU, {measure.rss_mib:.0f} MiB peak RSS "
            f"(runs, wall: {fmt_seconds(measure.times)}; CPU: {fmt_seconds(measure.cpu)}; "
            f"RSS MiB: {', '.join(str(k // 1024) for k in measure.rss)})"
        )
    return "\n".join(lines)


def _planted_table(result: TargetResult) -> str:
    """Planted problems against analyze's findings, rule by rule."""
    reported = dict(result.reported)
    rows = [[rule, count, reported.get(rule, 0)] for rule, count in result.target.planted]
    table = markdown_table(["rule", "planted", "reported"], rows)
    return "Planted by `generate_repo.py` and found by analyze:\n\n" + table


REPRODUCE = """## Reproduce

    .venv/bin/python benchmarks/bench_analyze.py {args}

`<reference-parse>` is the `REFERENCE_PARSE` script in `benchmarks/bench_analyze.py`, run with
`python -c`."""


# ---------------------------------------------------------------------------
# Profiling
# ---------------------------------------------------------------------------


def profile_target(target: Target, top: int = 25) -> str:
    """Profile one analyze run of ``target`` with cProfile; a Markdown section of hot spots."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "analyze.prof"
        cmd = [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(out),
            "-m",
            "unify",
            "analyze",
            str(target.path),
            "--format",
            "json",
        ]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=bench_env(), check=False)
        stats = pstats.Stats(str(out))
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    raw = stats.stats  # type: ignore[attr-defined]
    by_own = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    framework = [kv for kv in raw.items() if not _is_wrapper(kv[0])]
    by_cum = sorted(framework, key=lambda kv: kv[1][3], reverse=True)[:top]
    return "\n\n".join(
        [
            f"## {target.label} (cProfile total {total:.2f} s)",
            "cProfile slows pure-Python code more than C code (the parser, json's encoder): "
            "shares matter here, not seconds.",
            "### Phases\n\n" + _phase_table(raw, total),
            "### By own time\n\n" + _profile_table(by_own, total),
            "### By cumulative time\n\n" + _profile_table(by_cum, total),
        ]
    )


# (label, file name ending, function): the stages of one analyze run, for the phase table.
PHASES = (
    ("whole command (`cli.analyze`)", "unify/cli.py", "analyze"),
    ("analysis (`analyze_repo`)", "unify/analyze.py", "analyze_repo"),
    ("- listing files (`scan.list_repo_files`)", "unify/scan.py", "list_repo_files"),
    ("- parsing (`ast.parse`)", "/ast.py", "parse"),
    ("- outlines (`inventory.outline.outline_file`)", "inventory/outline.py", "outline_file"),
    ("- reference walk (`read_references`)", "inventory/references.py", "read_references"),
    ("- dependents (`scan_dependents`)", "inventory/dependents.py", "scan_dependents"),
    ("- attribute uses (`walk_uses`)", "inventory/uses.py", "walk_uses"),
    ("- findings (`check_inventory`)", "inventory/rules/__init__.py", "check_inventory"),
    ("report (`emit_inventory`)", "unify/report/inventory.py", "emit_inventory"),
    ("- JSON (`write_json`)", "unify/report/inventory.py", "write_json"),
    ("- of which records' fields (`_record_data`)", "unify/report/inventory.py", "_record_data"),
    ("- of which encoding (`JSONEncoder.encode`)", "json/encoder.py", "encode"),
    ("- printing (`rich` `Console.print`)", "rich/console.py", "print"),
)


def _phase_table(raw: dict[tuple[str, int, str], tuple[Any, ...]], total: float) -> str:
    rows = []
    for label, suffix, name in PHASES:
        hits = [st for (f, _, n), st in raw.items() if n == name and f.endswith(suffix)]
        if hits:
            cum = sum(float(st[3]) for st in hits)
            rows.append([label, sum(int(st[1]) for st in hits), cum, f"{100 * cum / total:.1f}%"])
    return markdown_table(["phase", "calls", "cumulative (s)", "share"], rows)


# Frames every run passes through (interpreter, runpy, typer/click): hidden from the
# cumulative table so that it starts at unify's own functions.
WRAPPER_PARTS = ("/typer/", "/click/", "<frozen runpy>", "/cProfile.py", "/unify/__main__.py")


def _is_wrapper(key: tuple[str, int, str]) -> bool:
    filename, _, name = key
    if filename == "~" or filename.startswith("<string>"):
        return True
    return any(part in filename for part in WRAPPER_PARTS) or name == "main"


def _profile_table(
    entries: Sequence[tuple[tuple[str, int, str], tuple[int, int, float, float, object]]],
    total: float,
) -> str:
    rows = [
        [
            f"`{_func_name(key)}`",
            stat[1],
            stat[2],
            f"{100 * stat[2] / total:.1f}%",
            stat[3],
            f"{100 * stat[3] / total:.1f}%",
        ]
        for key, stat in entries
    ]
    return markdown_table(
        ["function", "calls", "own (s)", "own %", "cumulative (s)", "cum %"], rows
    )


def _func_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    path = Path(filename)
    for base in (REPO_ROOT, Path(sys.prefix)):
        try:
            return f"{path.relative_to(base).as_posix()}:{line}({name})"
        except ValueError:
            continue
    return f"{path.name}:{line}({name})"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        targets = prepare_targets(args.workdir, args.only, args.files)
        results = []
        for target in targets:
            print(f"{target.label}: {target.path}", file=sys.stderr)
            results.append(measure_target(target, args.runs, args.libcst_runs))
        sections = render_results(results, args.runs, args.libcst_runs)
        shown = f"--runs {args.runs} --libcst-runs {args.libcst_runs}"
        shown += f" --only {args.only}" if args.only else ""
        shown += f" --files {args.files}"
        sections.append(REPRODUCE.format(args=shown))
        write_results(args.output, "Benchmark: unify analyze", sections)
        if args.profile:
            profiles = [profile_target(t) for t in targets]
            write_results(args.profile_output, "Profile: unify analyze", profiles)
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for r in results:
        print(
            f"{r.target.name}: analyze {r.analyze.median:.2f} s, ast {r.ast_parse.median:.2f} s, "
            f"ratio {r.ratio:.2f}x"
        )
    print(f"wrote {args.output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmark unify analyze against a bare parse.")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument("--libcst-runs", type=int, default=0, help="0 skips the libcst parse")
    parser.add_argument("--only", choices=("neutron", "generated"), default=None)
    parser.add_argument("--files", type=int, default=20000, help="dependent files generated")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS-analyze.md")
    parser.add_argument("--profile", action="store_true", help="also profile analyze (cProfile)")
    parser.add_argument("--profile-output", type=Path, default=BENCH_DIR / "PROFILE-analyze.md")
    return parser


if __name__ == "__main__":
    sys.exit(main())
