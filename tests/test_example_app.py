"""The bundled legacy example is a working app: its own test suite passes on a copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "unify" / "examples" / "seqpt_legacy"

LEGACY_MODULES = ("models.py", "unified_models.py", "mvp_models.py")


def _run_example_tests(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_example_suite_passes_on_a_copy(example_copy: Path) -> None:
    done = _run_example_tests(example_copy)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary


def test_example_ships_the_three_legacy_modules_and_its_spec() -> None:
    for name in (*LEGACY_MODULES, "PLANTED.md", "app/__init__.py", "tests/conftest.py"):
        assert (EXAMPLE / name).is_file(), name
    assert not (EXAMPLE / "__init__.py").exists()
    assert not (EXAMPLE.parent / "__init__.py").exists()


def test_example_suite_fails_when_a_legacy_module_is_missing(example_copy: Path) -> None:
    (example_copy / "mvp_models.py").unlink()
    done = _run_example_tests(example_copy)
    assert done.returncode != 0
    assert "mvp_models" in done.stdout + done.stderr


def _planted_rows() -> list[tuple[str, list[str], str]]:
    """(rule, ["file:line", ...], object cell) for each row of PLANTED.md's findings table."""
    text = (EXAMPLE / "PLANTED.md").read_text(encoding="utf-8")
    section = text.split("## 1. Findings", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            rows.append((cells[1], [p.strip() for p in cells[2].split(",")], cells[3]))
    return rows


def test_planted_md_points_at_the_planted_objects() -> None:
    rows = _planted_rows()
    assert len(rows) == 34
    for rule, places, obj in rows:
        names = [n.split("(")[0] for n in obj.replace("`", " ").replace(".", " ").split()]
        for place in places:
            path, _, number = place.partition(":")
            source = (EXAMPLE / path).read_text(encoding="utf-8").splitlines()
            line = source[int(number) - 1]
            assert any(n and n in line for n in names), (rule, place, obj, line)
