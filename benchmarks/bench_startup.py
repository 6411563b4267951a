"""Benchmark unify's start-up: ``unify --help`` and ``unify COMMAND --help`` for every command.

Reference: ``python -c "import typer, rich"``, the least a typer + rich CLI can import.  The
target is a ratio of medians (unify / reference) of at most 1.5 for every command.

Each round runs, for every unify command in turn, the reference and then the command (so the
reference is measured beside each command, and a change of load on the machine hits both
alike); one untimed warm-up round comes first.  Every run is a whole process; its wall time and
CPU time (user + system) are recorded, medians reported.

Bytecode: the timed processes may write and read ``.pyc`` files, kept in a temporary
``PYTHONPYCACHEPREFIX`` folder (filled by the warm-up round), as an installed unify would have
them.  ``--no-bytecode`` times the other case (every unify module compiled on each start).

Usage: ``python benchmarks/bench_startup.py [--runs 9] [--no-bytecode]``; results go to
``benchmarks/RESULTS-startup.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    BENCH_DIR,
    BenchmarkError,
    Timing,
    bench_env,
    describe_machine,
    fmt_seconds,
    machine_lines,
    markdown_table,
    run_timed,
    write_results,
)

RESULTS = BENCH_DIR / "RESULTS-startup.md"
TARGET = 1.5
REFERENCE = (sys.executable, "-c", "import typer, rich")


def command_names() -> list[str]:
    """Every command the CLI registers, in ``unify --help``'s order (so none is left out)."""
    import typer

    from unify.cli import app

    return list(getattr(typer.main.get_command(app), "commands", {}))


def unify_commands() -> list[tuple[str, list[str]]]:
    """(label, argv) of ``unify --help`` and of ``unify COMMAND --help`` for each command."""
    base = [sys.executable, "-m", "unify"]
    out = [("unify --help", [*base, "--help"])]
    out += [(f"unify {c} --help", [*base, c, "--help"]) for c in command_names()]
    return out


@dataclass(frozen=True, slots=True)
class Pair:
    """The timings of one unify command and of the reference runs made beside it."""

    label: str
    unify: tuple[Timing, ...]
    reference: tuple[Timing, ...]

    @property
    def ratio(self) -> float:
        return _median_wall(self.unify) / _median_wall(self.reference)

    @property
    def cpu_ratio(self) -> float:
        return _median_cpu(self.unify) / _median_cpu(self.reference)


def _median_wall(timings: Sequence[Timing]) -> float:
    return statistics.median(t.wall for t in timings)


def _median_cpu(timings: Sequence[Timing]) -> float:
    return statistics.median(t.cpu for t in timings)


def time_commands(runs: int, env: dict[str, str]) -> list[Pair]:
    """One warm-up round, then ``runs`` rounds of (reference, command) for every command."""
    commands = unify_commands()
    unify: dict[str, list[Timing]] = {label: [] for label, _ in commands}
    reference: dict[str, list[Timing]] = {label: [] for label, _ in commands}
    for label, cmd in commands:  # warm-up: fills the bytecode cache, untimed
        _checked(run_timed(REFERENCE, env=env), "reference")
        _checked(run_timed(cmd, env=env), label)
    for _ in range(runs):
        for label, cmd in commands:
            reference[label].append(_checked(run_timed(REFERENCE, env=env), "reference"))
            unify[label].append(_checked(run_timed(cmd, env=env), label))
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return [Pair(label, tuple(unify[label]), tuple(reference[label])) for label, _ in commands]


def _checked(timing: Timing, label: str) -> Timing:
    if timing.code != 0:
        raise BenchmarkError(f"{label} exited {timing.code}")
    return timing


def timing_env(bytecode: bool, cache: Path) -> dict[str, str]:
    """``bench_env()`` (this checkout importable), with a private bytecode cache if asked."""
    env = bench_env()
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def render(pairs: Sequence[Pair], runs: int, bytecode: bool) -> list[str]:
    machine = describe_machine()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cache = "warm `.pyc` cache (private PYTHONPYCACHEPREFIX)" if bytecode else "no bytecode"
    setup = [
        "## Setup",
        *machine_lines(machine),
        f"- Load average after the runs: {load}",
        f"- Runs: {runs} rounds after one warm-up round; {cache}",
        f'- Reference: `python -c "{REFERENCE[2]}"` run just before each command, every round',
        "- Commands: `python -m unify ...` (the interpreter of this run)",
        f"- Target: median(unify) / median(reference) <= {TARGET}",
    ]
    rows = [
        (
            f"`{p.label}`",
            f"{_median_wall(p.unify) * 1000:.0f}",
            f"{_median_wall(p.reference) * 1000:.0f}",
            f"{p.ratio:.2f}",
            f"{_median_cpu(p.unify) * 1000:.0f}",
            f"{_median_cpu(p.reference) * 1000:.0f}",
            f"{p.cpu_ratio:.2f}",
            "yes" if p.ratio <= TARGET else "NO",
        )
        for p in pairs
    ]
    headers = (
        "command", "wall ms", "reference wall ms", "ratio", "CPU ms", "reference CPU ms",
        "CPU ratio", f"<= {TARGET}",
    )  # fmt: skip
    runs_lines = [
        f"- `{p.label}`: {fmt_seconds([t.wall for t in p.unify])}; reference "
        f"{fmt_seconds([t.wall for t in p.reference])}"
        for p in pairs
    ]
    return [
        "\n".join(setup),
        "## Medians\n\n" + markdown_table(headers, rows),
        "## Each run (wall seconds)\n\n" + "\n".join(runs_lines),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (default 9)")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="time without a .pyc cache for any module"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    bytecode = not args.no_bytecode
    try:
        with tempfile.TemporaryDirectory(prefix="unify-pycache-") as cache:
            pairs = time_commands(args.runs, timing_env(bytecode, Path(cache)))
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    title = "Start-up: unify --help against import typer, rich"
    write_results(args.output, title, render(pairs, args.runs, bytecode))
    for p in pairs:
        print(f"{p.label}: {_median_wall(p.unify) * 1000:.0f} ms, ratio {p.ratio:.2f}")
    print(f"wrote {args.output}")
    return 0 if all(p.ratio <= TARGET for p in pairs) else 1


if __name__ == "__main__":
    sys.exit(main())
