"""Trust under faults and odd inputs (issue 10): an interrupted rewrite is rolled back (or
completed with --resume) by the next run; --check fails on files it could not process;
symlinks are followed once or reported; CR-only line ends are kept; the plan's classes are
checked; the README's counts are the run's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clihelp import run_unify
from test_rewrite_helpers import RENAME_MAP, make_repo

from unify.errors import InputError
from unify.models import Rewritten, Skipped
from unify.report.rewrite import rewrite_exit_code, summary_lines
from unify.rewrite_imports import apply_rewrites, rewrite_repo

ROOT = Path(__file__).resolve().parents[1]
IMPORTER = "from mvp_models import MVPUser\n\n\ndef load():\n    return MVPUser()\n"
EXPECTED = "from unified import User\n\n\ndef load():\n    return User()\n"
CHANGED = 15  # files the example's final rewrite changes


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def leftovers(repo: Path) -> list[Path]:
    return [p for p in repo.rglob("*") if p.name.endswith(".unify")]


def faulty(repo: Path, at: int, signal: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNIFY_FAULT_AT": str(at), "UNIFY_FAULT_SIGNAL": signal}
    env |= {"COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "unify", "rewrite", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


# ---------------------------------------------------------------------------
# Interrupted runs, through the command line
# ---------------------------------------------------------------------------


def test_a_killed_rewrite_is_rolled_back_by_the_next_run(built_example_copy: Path) -> None:
    repo = built_example_copy
    before = snapshot(repo)
    killed = faulty(repo, CHANGED + 3, "KILL")  # the switch, then two files replaced
    assert killed.returncode == -9
    assert snapshot(repo) != before
    check = run_unify("rewrite", repo, "--check")
    assert "an interrupted rewrite run was found in .unify/" in check.stderr
    assert "rolled back: 2 file(s) restored from their backups" in check.stderr
    assert f"{CHANGED} temp file(s) removed" not in check.stderr
    assert check.returncode == 1
    assert snapshot(repo) == before
    assert not leftovers(repo) and not (repo / ".unify").exists()


def test_resume_completes_a_killed_rewrite(built_example_copy: Path) -> None:
    repo = built_example_copy
    assert faulty(repo, CHANGED + 2, "KILL").returncode == -9
    resumed = run_unify("rewrite", repo, "--resume")
    assert f"completed (--resume): {CHANGED - 1} more file(s) replaced" in resumed.stderr
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("0 file(s) changed")
    assert run_unify("rewrite", repo, "--check").returncode == 0
    assert not leftovers(repo) and not (repo / ".unify").exists()


def test_a_kill_while_staging_leaves_temp_files_the_next_run_removes(
    built_example_copy: Path,
) -> None:
    repo = built_example_copy
    before = snapshot(repo)
    assert faulty(repo, 5, "KILL").returncode == -9
    assert leftovers(repo)
    check = run_unify("rewrite", repo, "--check")
    assert "it had not replaced any file; cleaned up, 5 temp file(s) removed" in check.stderr
    assert snapshot(repo) == before
    assert not leftovers(repo)


def test_sigint_while_replacing_is_deferred_until_every_file_is_written(
    built_example_copy: Path,
) -> None:
    repo = built_example_copy
    run = faulty(repo, CHANGED + 4, "INT")
    assert run.returncode == 130
    assert run.stderr.strip() == (
        f"error: interrupted (SIGINT) while replacing files: all {CHANGED} file(s) were "
        "written first, so the repository is consistent"
    )
    assert run_unify("rewrite", repo, "--check").returncode == 0
    assert not leftovers(repo) and not (repo / ".unify").exists()


@pytest.mark.parametrize(("signal", "code"), [("TERM", 143), ("INT", 130)])
def test_a_signal_while_staging_writes_nothing(
    built_example_copy: Path, signal: str, code: int
) -> None:
    repo = built_example_copy
    before = snapshot(repo)
    run = faulty(repo, 3, signal)
    assert run.returncode == code
    assert (
        run.stderr.strip()
        == f"error: {'terminated' if signal == 'TERM' else 'interrupted'} (SIG{signal}); nothing written"
    )
    assert snapshot(repo) == before
    assert not leftovers(repo) and not (repo / ".unify").exists()


BUILD = """
import sys
from pathlib import Path
from unify.build import write_build
from unify.models import BuiltFile
files = [BuiltFile(rel=r, module=r[:-3], text="new " + r + "\\n", role="unified", previous=None)
         for r in ("a.py", "pkg/b.py", "c.py")]
write_build(Path(sys.argv[1]), files)
"""


@pytest.mark.parametrize("at", [2, 4, 5, 8])
def test_a_killed_build_write_is_rolled_back(tmp_path: Path, at: int) -> None:
    from unify import journal

    dest = tmp_path / "dest"
    (dest / "pkg").mkdir(parents=True)
    (dest / "a.py").write_text("old a\n", encoding="utf-8")
    (dest / "pkg" / "b.py").write_text("old b\n", encoding="utf-8")
    before = snapshot(dest)
    env = {**os.environ, "UNIFY_FAULT_AT": str(at), "UNIFY_FAULT_SIGNAL": "KILL"}
    proc = subprocess.run(
        [sys.executable, "-c", BUILD, str(dest)], env=env, capture_output=True, check=False
    )
    assert proc.returncode == -9
    journal.recover(dest)
    after = snapshot(dest)
    assert after == before or after == {
        "a.py": b"new a.py\n",
        "pkg/b.py": b"new pkg/b.py\n",
        "c.py": b"new c.py\n",
    }
    assert not leftovers(dest) and not (dest / ".unify").exists()


# ---------------------------------------------------------------------------
# --check and the inputs it could not process
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"import mvp_models\ndef (:\n", b"import mvp_models\n# \xff\xfe not utf-8\n"],
    ids=["syntax-error", "undecodable"],
)
def test_check_fails_on_a_file_it_could_not_process(tmp_path: Path, data: bytes) -> None:
    repo = make_repo(tmp_path, {"app/broken.py": data})
    apply_rewrites(rewrite_repo(repo, RENAME_MAP, jobs=1))
    again = rewrite_repo(repo, RENAME_MAP, jobs=1)
    assert not [o for o in again.outcomes if isinstance(o, Rewritten)]
    assert again.unprocessed == ("app/broken.py",)
    assert rewrite_exit_code(again, check=True) == 1
    assert rewrite_exit_code(again, check=False) == 0
    assert summary_lines(again, written=0, dry_run=True)[-1] == (
        "1 file(s) mentioning a legacy module could not be processed (--check fails): app/broken.py"
    )


def test_a_folder_without_python_files_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no code here\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no Python files"):
        rewrite_repo(tmp_path, RENAME_MAP, jobs=1)


def test_check_on_a_folder_without_python_files_exits_2(tmp_path: Path) -> None:
    plan = ROOT / "unify" / "examples" / "seqpt_legacy" / "unify.toml"
    run = run_unify("rewrite", tmp_path, "--plan", plan, "--check")
    assert run.returncode == 2
    assert run.stderr == f"error: {tmp_path.resolve()}: no Python files to rewrite\n"


# ---------------------------------------------------------------------------
# Symlinks
# ---------------------------------------------------------------------------


def test_a_link_inside_the_root_is_rewritten_once_through_its_target(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/real.py": IMPORTER})
    (repo / "app" / "link.py").symlink_to("real.py")
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    outcomes = {o.path: o for o in result.outcomes}
    assert isinstance(outcomes["app/real.py"], Rewritten)
    assert isinstance(outcomes["app/link.py"], Skipped)
    assert outcomes["app/link.py"].reason == "symlink to app/real.py (rewritten there)"
    apply_rewrites(result)
    assert (repo / "app" / "link.py").is_symlink()
    assert (repo / "app" / "real.py").read_text(encoding="utf-8") == EXPECTED


def test_a_link_leaving_the_root_is_reported_and_fails_check(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(IMPORTER, encoding="utf-8")
    folder = tmp_path / "vendor"
    folder.mkdir()
    (folder / "m.py").write_text("X = 1\n", encoding="utf-8")
    repo = make_repo(tmp_path)
    (repo / "app" / "linked.py").symlink_to(outside)
    (repo / "vendored").symlink_to(folder)
    result = rewrite_repo(repo, RENAME_MAP, jobs=1)
    found = {f.path: f for f in result.findings if f.rule == "symlink-outside-root"}
    assert set(found) == {"app/linked.py", "vendored"}
    assert str(outside) in found["app/linked.py"].message
    assert str(folder) in found["vendored"].message
    assert result.unprocessed == ("app/linked.py",)  # the folder's files mention nothing
    assert rewrite_exit_code(result, check=True) == 1
    apply_rewrites(result)
    assert outside.read_text(encoding="utf-8") == IMPORTER


# ---------------------------------------------------------------------------
# Line ends, the plan's classes, the README
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["docstrings", "dunder_all", "strings", "shadowing"])
def test_cr_only_line_ends_are_kept(tmp_path: Path, case: str) -> None:
    cases = Path(__file__).resolve().parent / "assets" / "rewrite" / "cases"
    text = (cases / f"{case}.py").read_text(encoding="utf-8")
    expected = (cases / f"{case}.expected.py").read_text(encoding="utf-8")
    repo = make_repo(tmp_path, {"app/a.py": text.replace("\n", "\r").encode()})
    apply_rewrites(rewrite_repo(repo, RENAME_MAP, jobs=1))
    assert (repo / "app" / "a.py").read_bytes() == expected.replace("\n", "\r").encode()


def test_a_plan_naming_a_missing_class_is_a_finding_and_nothing_is_written(
    built_example_copy: Path,
) -> None:
    repo = built_example_copy
    plan = repo / "unify.toml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace('source = "models.Assessment"', 'source = "models.Assesment"'),
        encoding="utf-8",
    )
    before = snapshot(repo)
    run = run_unify("rewrite", repo)
    assert run.returncode == 1, run.stderr
    assert "R010 [plan-unknown-class]" in run.stdout
    assert "models.Assesment" in run.stdout
    assert snapshot(repo) == before


def test_the_readme_counts_are_the_runs(built_example_copy: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"rewrites every import of the example's\s+(\d+) dependent files", readme)
    assert said is not None
    run = run_unify("rewrite", built_example_copy)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{said.group(1)} file(s) changed")


def test_recovery_removes_only_what_unify_left(tmp_path: Path) -> None:
    from unify import journal

    state = tmp_path / ".unify"
    (state / "backup-0123abcd").mkdir(parents=True)
    (state / "backup-0123abcd" / "000000").write_text("old\n", encoding="utf-8")
    (state / "journal.json.tmp").write_text("{", encoding="utf-8")
    (state / "notes.txt").write_text("the user's\n", encoding="utf-8")
    found = journal.recover(tmp_path)
    assert found is not None and found.action == "cleaned"
    assert sorted(p.name for p in state.iterdir()) == ["notes.txt"]
    assert journal.recover(tmp_path) is None


def test_a_second_writer_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    import fcntl

    from unify import journal

    state = tmp_path / ".unify"
    state.mkdir()
    with open(state / "lock", "w") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another unify run is writing in this folder"):
            journal.replace_files(
                tmp_path, [journal.FileWrite(rel="a.py", data=b"x\n")], command="t"
            )
        assert (state / "lock").exists()  # the holder's lock is left alone
    assert not (tmp_path / "a.py").exists()


def test_the_compat_module_is_named_as_such_with_what_to_do(built_example_copy: Path) -> None:
    """After the final rewrite, the compat module build wrote is not called a legacy module
    "to delete": each skipped module says what removes it."""
    run = run_unify("rewrite", built_example_copy, "--phase", "final", "--dry-run")
    skipped = [ln for ln in run.stdout.splitlines() if ln.startswith("skipped ")]
    assert (
        "skipped models_compat.py: compat module models_compat (written by unify build; once "
        "nothing imports it, `unify archive --remove-compat` deletes it)"
    ) in skipped
    assert (
        "skipped mvp_models.py: legacy module mvp_models (once nothing imports it, "
        "`unify archive` moves it)"
    ) in skipped
    assert not any("to delete" in ln for ln in skipped)
