"""Shell completion through the installed ``unify`` script: ``_UNIFY_COMPLETE`` (README,
"Shell completion") prints the shell's script and completes commands and options."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _script() -> str:
    found = shutil.which("unify", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("no unify script beside this interpreter: pip install -e .")
    return found


def _complete(instruction: str, words: str = "", cword: int = 0) -> str:
    env = {**os.environ, "_UNIFY_COMPLETE": instruction, "COMP_WORDS": words}
    env["COMP_CWORD"] = str(cword)
    run = subprocess.run([_script()], env=env, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    return run.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str) -> None:
    assert "_UNIFY_COMPLETE=complete_" + shell in _complete(f"source_{shell}")


def test_commands_and_options_complete() -> None:
    assert _complete("complete_bash", "unify rew", 1).split() == ["rewrite"]
    assert _complete("complete_bash", "unify rewrite --ch", 2).split() == ["--check"]
