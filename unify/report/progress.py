"""One progress bar for every long step, on stderr, shown only on a terminal.

Stages take an optional ``progress(done, total)`` callback and never print; the command line
opens a bar here and hands its ``tick`` to the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

Tick = Callable[[int, int], None]


@contextmanager
def progress_bar(console: Console, label: str, *, quiet: bool = False) -> Iterator[Tick | None]:
    """A bar ``label  ━━━━  done/total`` on ``console`` (stderr) while the block runs, removed
    at its end; ``None`` (no bar) when ``console`` is not a terminal or with ``quiet``."""
    if quiet or not console.is_terminal:
        yield None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    # no refresh thread: a stage may fork worker processes while the bar is shown
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=True)

        yield tick
