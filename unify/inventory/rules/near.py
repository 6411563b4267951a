"""The near name for a did-you-mean: singular/plural forms first, then difflib's closest."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The near name: singular/plural forms first, then difflib's closest match."""
    pool = list(candidates)
    if not pool:
        return None
    for form in _number_forms(name):
        if form in pool:
            return form
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.8)
    return close[0] if close else None


def _number_forms(name: str) -> list[str]:
    forms = []
    if name.endswith("ies"):
        forms.append(name[:-3] + "y")
    if name.endswith("es"):
        forms.append(name[:-2])
    if name.endswith("s"):
        forms.append(name[:-1])
    if name.endswith("y"):
        forms.append(name[:-1] + "ies")
    forms += [name + "s", name + "es"]
    return forms
