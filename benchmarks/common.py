"""Helpers shared by the benchmark scripts: the neutron sdist, wall-time medians, result tables.

Benchmarks time whole processes (interpreter start-up included), because that is what a
user waits for.  Downloads and generated repositories live under ``benchmarks/_work/``
(git-ignored) and are reused between runs.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_WORKDIR = BENCH_DIR / "_work"
NEUTRON_VERSION = "29.0.0"


class BenchmarkError(RuntimeError):
    """A benchmark cannot run (download failed, command failed); one-line message."""


# ---------------------------------------------------------------------------
# The neutron sdist
# ---------------------------------------------------------------------------


def fetch_neutron(workdir: Path = DEFAULT_WORKDIR, version: str = NEUTRON_VERSION) -> Path:
    """Download (once) and extract (once) the neutron sdist; return the extracted folder."""
    target = workdir / f"neutron-{version}"
    if (target / "neutron" / "db" / "models_v2.py").is_file():
        return target
    archive = _download_sdist(workdir / "sdist", "neutron", version)
    _extract(archive, workdir)
    if not (target / "neutron").is_dir():
        raise BenchmarkError(f"{archive.name} did not extract to {target}")
    return target


def _download_sdist(dest: Path, name: str, version: str) -> Path:
    found = sorted(dest.glob(f"{name}-{version}.tar.gz"))
    if found:
        return found[0]
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    cmd += [f"{name}=={version}", "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(dest.glob(f"{name}-{version}.tar.gz"))
    if proc.returncode != 0 or not found:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkError(f"pip download {name}=={version} failed: {last}")
    return found[0]


def _extract(archive: Path, workdir: Path) -> None:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name.startswith("/") or ".." in Path(member.name).parts:
                raise BenchmarkError(f"{archive.name}: unsafe member {member.name}")
        tar.extractall(workdir)


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timing:
    """One whole-process run: wall seconds, CPU seconds (user + system) and exit code."""

    wall: float
    cpu: float
    code: int
    max_rss_kib: int = 0  # peak resident set size of the process (ru_maxrss, KiB on Linux)


def run_timed(
    cmd: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Timing:
    """Run ``cmd`` once, output discarded; exit codes other than 0 and 1 raise.  CPU time
    is the process's own (``os.wait4``), not summed over earlier children.  Peak memory comes
    from GNU time when installed: Linux carries a forked child's high-water mark across
    ``exec``, so the child of a large benchmark process would report the parent's size."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME else list(cmd)
        timing = _run_waited(wrapped, cmd, cwd, env)
        if GNU_TIME and rss_file.exists():
            text = rss_file.read_text().strip().splitlines()
            if text and text[-1].isdigit():
                timing = replace(timing, max_rss_kib=int(text[-1]))
    return timing


GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def _run_waited(
    wrapped: Sequence[str],
    cmd: Sequence[str],
    cwd: Path | None,
    env: Mapping[str, str] | None,
) -> Timing:
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(wrapped),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no stderr"]
        raise BenchmarkError(f"{' '.join(cmd)} exited {proc.returncode}: {tail[0]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Timing(wall=wall, cpu=cpu, code=proc.returncode, max_rss_kib=usage.ru_maxrss)


def time_once(
    cmd: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> tuple[float, int]:
    """Wall time of one whole process, and its exit code; output is discarded."""
    timing = run_timed(cmd, cwd=cwd, env=env)
    return timing.wall, timing.code


def interleaved_timings(
    cmds: Sequence[Sequence[str]],
    runs: int,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[list[Timing]]:
    """``runs`` rounds, each running every command once in turn, so that a change of load
    on the machine hits all commands alike; one list of timings per command."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    out: list[list[Timing]] = [[] for _ in cmds]
    for _ in range(runs):
        for timings, cmd in zip(out, cmds, strict=True):
            timings.append(run_timed(cmd, cwd=cwd, env=env))
    return out


def median_seconds(
    cmd: Sequence[str],
    runs: int,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[float, list[float]]:
    """Median wall time of ``runs`` whole-process runs of ``cmd`` (exit 0 or 1 accepted)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    times = [time_once(cmd, cwd=cwd, env=env)[0] for _ in range(runs)]
    return statistics.median(times), times


def bench_env() -> dict[str, str]:
    """The environment for timed runs: this checkout importable, no bytecode writes."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Machine:
    cpus: int
    python: str
    platform: str
    date: str


def describe_machine() -> Machine:
    return Machine(
        cpus=os.cpu_count() or 1,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} {platform.machine()}",
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def machine_lines(machine: Machine) -> list[str]:
    return [
        f"- Machine: {machine.cpus} CPUs (nproc), {machine.platform}",
        f"- Python: {machine.python}",
        f"- Date: {machine.date}",
    ]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; cells are rendered with ``str``."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).replace("|", "\\|")


def fmt_seconds(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def write_results(path: Path, title: str, sections: Sequence[str]) -> Path:
    """Write a Markdown results file: a title, then the sections separated by blank lines."""
    text = f"# {title}\n\n" + "\n\n".join(s.rstrip() for s in sections) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
