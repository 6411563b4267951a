"""Line numbers of the decisions file: TOML parsers do not keep them, so the text is indexed
once, and each problem found while reading names the line of what it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
KEYLINE = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def index_lines(text: str) -> dict[Loc, int]:
    """Map ``("class", 2)`` (third ``[[class]]``), ``("class", 2, "name")`` and
    ``("merge", 0, "choices", "email")`` to 1-based line numbers."""
    lines: dict[Loc, int] = {}
    counts: dict[str, int] = {}
    current: Loc = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        header = HEADER.match(raw)
        if header:
            current = _header_loc(header.group(1), header.group(2), counts, current)
            lines.setdefault(current, number)
            continue
        key = KEYLINE.match(raw)
        if key:
            lines.setdefault((*current, key.group(1).strip("\"'")), number)
    return lines


def _header_loc(brackets: str, dotted: str, counts: dict[str, int], current: Loc) -> Loc:
    parts = [p.strip().strip("\"'") for p in dotted.split(".")]
    if brackets == "[[" and len(parts) == 1:
        index = counts.get(parts[0], -1) + 1
        counts[parts[0]] = index
        return (parts[0], index)
    if len(parts) == 2 and parts[0] in counts:  # [merge.choices] under the last [[merge]]
        return (parts[0], counts[parts[0]], parts[1])
    return tuple(parts)


@dataclass(slots=True)
class Problems:
    """Problems found while reading one file, each prefixed by its line."""

    lines: dict[Loc, int]
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, loc: Loc, message: str) -> None:
        self.items.append((self._line(loc), message))

    def _line(self, loc: Loc) -> int:
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.lines:
                return self.lines[loc[:cut]]
        return 0

    def keys_of(self, table: str) -> set[str]:
        """The keys written in ``[table]`` (to tell an empty list from a missing one)."""
        return {str(loc[1]) for loc in self.lines if len(loc) == 2 and loc[0] == table}

    def messages(self) -> tuple[str, ...]:
        ordered = sorted(self.items, key=lambda item: item[0])
        return tuple(f"line {line}: {msg}" if line else msg for line, msg in ordered)
