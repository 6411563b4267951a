"""``unify example``: a copy of the bundled legacy app to try unify on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unify.cli.app import (
    Command,
    app,
    note,
    stdout,
)

if TYPE_CHECKING:
    pass


@app.command(cls=Command)
def example(
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="Folder to create with a copy of the example.")
    ],
) -> None:
    """Copy the bundled legacy example app to DEST, to try unify on."""
    from unify import bundled

    copied = bundled.copy_example(dest)
    stdout().print(str(copied), highlight=False, markup=False, soft_wrap=True)
    note(f"next: unify analyze {copied}")
