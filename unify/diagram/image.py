"""SVG and PNG through Graphviz's ``dot`` program (Debian: ``apt-get install graphviz``)."""

from __future__ import annotations

import shutil
import subprocess

from unify.errors import UnifyError

IMAGE_FORMATS = ("svg", "png")
DOT_TIMEOUT = 120


class GraphvizMissing(UnifyError):
    """Graphviz ``dot`` is not installed (exit 2)."""


def require_graphviz(fmt: str) -> str:
    """The ``dot`` program, or a one-line error naming the package to install."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            f"--format {fmt} needs Graphviz `dot` on PATH (Debian: apt-get install graphviz); "
            "--format mermaid or dot need nothing"
        )
    return program


def render_image(dot_text: str, fmt: str) -> bytes:
    """``dot_text`` laid out and drawn by ``dot -T<fmt>``."""
    program = require_graphviz(fmt)
    proc = subprocess.run(
        [program, f"-T{fmt}"],
        input=dot_text.encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise UnifyError(f"dot -T{fmt} failed: {last[0]}")
    return proc.stdout
