"""Fault injection in rewrite's write phase: SIGINT and SIGKILL at seeded random points, on a
generated repository of 1,000 dependent files.  After each fault the next run (its recovery)
must leave every file all old or all new (by digests), with no temp file and no journal left.
One copy of the repository serves every point: after a point it is put back to all old by
copying the changed files from the pristine tree.

The points are hit through the test hook ``UNIFY_FAULT_AT=N`` (``unify.journal``): the
process sends itself ``UNIFY_FAULT_SIGNAL`` after the N-th step of the write phase.  The
rewrite is computed once; each point applies it to a fresh copy in a subprocess.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from unify import decisions, journal
from unify.models import Inventory, RewriteResult, Rewritten
from unify.resolve import resolve_plan
from unify.rewrite_imports import apply_rewrites, rewrite_repo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.slow

APPLY = """
import dataclasses, pickle, sys
from unify.rewrite_imports import apply_rewrites
with open(sys.argv[1], "rb") as handle:
    result = pickle.load(handle)
apply_rewrites(dataclasses.replace(result, root=sys.argv[2]), allow_dirty=True)
"""


def digests(repo: Path) -> dict[str, str]:
    return {
        p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(repo.rglob("*"))
        if p.is_file()
    }


@dataclasses.dataclass(frozen=True)
class Generated:
    pristine: Path
    result: Path  # the pickled RewriteResult of the pristine copy
    changed: int
    old: dict[str, str]
    new: dict[str, str]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    from bench_rewrite import generated_plan
    from generate_repo import generate

    work = tmp_path_factory.mktemp("faults")
    pristine = work / "pristine"
    generate(pristine, models=300, modules=30, files=1000, seed=7)
    (pristine / "app" / "models_unified.py").write_text('"""unified"""\n', encoding="utf-8")
    plan_file = work / "unify.toml"
    plan_file.write_text(generated_plan(pristine), encoding="utf-8")
    plan = decisions.load_plan(plan_file)
    empty = Inventory(
        root=str(pristine), import_roots=(), modules=(), imports=(), findings=(), files_scanned=0
    )
    renames = decisions.rename_map(resolve_plan(plan, empty), "final")
    result = rewrite_repo(pristine, renames, jobs=2)
    changed = sum(isinstance(o, Rewritten) for o in result.outcomes)
    assert changed >= 500
    pickled = work / "result.pickle"
    pickled.write_bytes(pickle.dumps(result))
    done = shutil.copytree(pristine, work / "done")
    assert apply_rewrites(_moved(result, done), allow_dirty=True) == changed
    return Generated(pristine, pickled, changed, digests(pristine), digests(done))


def _moved(result: RewriteResult, root: Path) -> RewriteResult:
    return dataclasses.replace(result, root=str(root))


def _points(changed: int) -> list[tuple[str, int, bool]]:
    """(signal, step, resume): both ends of each phase, then seeded random steps."""
    total = journal.fault_steps(changed)
    rng = random.Random(10)
    ends = [1, changed, changed + 1, changed + 2, total - 1, total]
    steps = ends + rng.sample(range(2, total), 6)
    points = [("KILL", s, i % 2 == 1) for i, s in enumerate(steps)]
    points += [
        ("INT", s, False) for s in [1, changed // 2, changed + 1, changed + 2 + changed // 3]
    ]
    points += [("TERM", s, False) for s in rng.sample(range(1, total), 4)]
    return points


def _reset(copy: Generated, repo: Path, state: dict[str, str]) -> None:
    """Back to all old: the files that differ, copied from the pristine tree."""
    for rel, digest in state.items():
        if copy.old[rel] != digest:
            shutil.copy2(copy.pristine / rel, repo / rel)


def test_faults_leave_all_old_or_all_new(generated: Generated, tmp_path: Path) -> None:
    points = _points(generated.changed)
    assert len(points) >= 20  # the floor
    outcomes: list[str] = []
    copy = shutil.copytree(generated.pristine, tmp_path / "copy")
    for sig, step, resume in points:
        env = {**os.environ, "UNIFY_FAULT_AT": str(step), "UNIFY_FAULT_SIGNAL": sig}
        proc = subprocess.run(
            [sys.executable, "-c", APPLY, str(generated.result), str(copy)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        where = f"SIG{sig} at step {step} (resume={resume})"
        if sig == "KILL":
            assert proc.returncode == -signal.SIGKILL, where + proc.stderr[-2000:]
        else:
            assert proc.returncode != 0, where
        journal.recover(copy, resume=resume)
        state = digests(copy)
        assert state in (generated.old, generated.new), where
        assert not [p for p in copy.rglob("*") if p.name.endswith(".unify")], where
        assert not (copy / ".unify").exists(), where
        outcomes.append("new" if state == generated.new else "old")
        _reset(generated, copy, state)
    assert {"old", "new"} <= set(outcomes)
