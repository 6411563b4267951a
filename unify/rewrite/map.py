"""The rename map resolved against one repository: which files are legacy, what names become.

Module names in a ``RenameMap`` are canonical (as ``unify.scan`` names files).  An import
is legacy when the module it writes resolves, from the importing file's point of view, to a
legacy file; so ``models``, ``app.models`` and ``.models`` are recognised exactly as
``analyze`` recognises them, and a same-named module under another root is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from unify.models import RenameMap, SourceFile
from unify.scan import ModuleIndex


@dataclass(frozen=True, slots=True)
class Written:
    """A module as an import statement writes it: ``level`` dots then ``dotted``."""

    dotted: str
    level: int = 0

    def text(self) -> str:
        return "." * self.level + self.dotted


@dataclass(frozen=True, slots=True)
class RenameIndex:
    """The rename map plus the repository's module index, built once per run."""

    index: ModuleIndex
    moves: dict[str, str]
    renames: dict[tuple[str, str], tuple[str, str]]
    tables: dict[str, str]
    class_renames: dict[str, str]
    legacy_files: dict[str, str]  # rel -> legacy module
    target_files: dict[str, str]  # rel -> target module
    missing: tuple[str, ...] = ()  # legacy modules with no file in the repository
    tokens: tuple[str, ...] = field(default=())
    dynamic: re.Pattern[str] | None = None  # strings that may name a legacy module
    dynamic_modules: frozenset[str] = frozenset()  # legacy modules that leave (moves only)
    sql_tables: dict[str, str] = field(default_factory=dict)  # tables raw SQL must not name
    edit_sql: bool = False  # edit those table names in raw SQL ([unify] rewrite_sql)

    # -- names ---------------------------------------------------------------

    def target_of(self, legacy: str, name: str) -> tuple[str, str] | None:
        """Where ``legacy.name`` now lives, or None when it stays."""
        hit = self.renames.get((legacy, name))
        if hit is not None:
            return hit
        module = self.moves.get(legacy)
        return (module, name) if module is not None else None

    def module_target(self, legacy: str) -> str | None:
        return self.moves.get(legacy)

    # -- modules -------------------------------------------------------------

    def legacy_module(self, importer: SourceFile, written: Written) -> str | None:
        """The legacy module that ``written`` names from ``importer``, if it names one."""
        if not written.dotted and not written.level:
            return None
        hit = self.index.resolve(importer, written.dotted, written.level)
        if hit is None:
            # a legacy module already deleted: its imports still count as legacy
            return None if written.level else self._missing_named(importer, written.dotted)
        return self.legacy_files.get(hit.rel)

    def legacy_module_named(
        self, importer: SourceFile, dotted: str, imported: Collection[str]
    ) -> str | None:
        """The legacy module a string names (``ModuleIndex.resolve_string``: a bare name
        through the import roots, or the folders of the file's own bare imports)."""
        if "." in dotted or dotted in imported:
            return self.legacy_module(importer, Written(dotted))
        hit = self.index.resolve_string(importer, dotted, imported)
        if hit is None:
            return dotted if dotted in self.missing else None
        return self.legacy_files.get(hit.rel)

    def _missing_named(self, importer: SourceFile, dotted: str) -> str | None:
        """The deleted legacy module ``dotted`` names: as written, qualified with the
        repository's own package name (``server.old_models``), or bare from inside the
        package that held it (``old_models`` for ``server.old_models``)."""
        if dotted in self.missing:
            return dotted
        package = self.index.root_package
        if package and dotted.startswith(package + "."):
            inner = dotted[len(package) + 1 :]
            if inner in self.missing:
                return inner
        for module in self.missing:
            folder = module.rpartition(".")[0].replace(".", "/")
            if module.endswith("." + dotted) and importer.rel.startswith(folder + "/"):
                return module
        return None

    def written_target(
        self, importer: SourceFile, written: Written, legacy: str, target: str
    ) -> Written:
        """How ``importer`` should write ``target``, keeping the form it used for ``legacy``."""
        for candidate in _candidates(importer, written, legacy, target):
            hit = self.index.resolve(importer, candidate.dotted, candidate.level)
            if hit is not None and self.target_files.get(hit.rel) == target:
                return candidate
        return _candidates(importer, written, legacy, target)[0]


def _candidates(importer: SourceFile, written: Written, legacy: str, target: str) -> list[Written]:
    out: list[Written] = []
    if written.level:
        package = _package_of(importer, written.level)
        if package is not None and (not package or target.startswith(package + ".")):
            out.append(Written(target[len(package) + 1 :] if package else target, written.level))
    elif written.dotted == legacy:
        out.append(Written(target))
    elif legacy.endswith("." + written.dotted):
        prefix = legacy[: -len(written.dotted)]
        if target.startswith(prefix):
            out.append(Written(target[len(prefix) :]))
    elif written.dotted.endswith("." + legacy):
        out.append(Written(written.dotted[: -len(legacy)] + target))
    out.append(Written(target))
    return out


def _package_of(importer: SourceFile, level: int) -> str | None:
    package = importer.module if importer.is_package else importer.module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    return ".".join(parts[: len(parts) - (level - 1)])


def build_rename_index(
    rename_map: RenameMap,
    index: ModuleIndex,
    legacy_paths: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
) -> RenameIndex:
    """Resolve the map's modules to files; same-named modules under other roots are not legacy
    unless no root holds the target module.  ``legacy_paths`` (the plan's files) pins a legacy
    module to exactly those files: another file of the same name is never legacy.  ``absent``:
    those of them no longer on disk (in the index all the same)."""
    moves = {m.legacy: m.target for m in rename_map.moves if m.legacy != m.target}
    renames = {(r.legacy_module, r.legacy_name): (r.module, r.name) for r in rename_map.renames}
    targets = set(moves.values()) | {module for module, _ in renames.values()}
    legacy = set(moves) | {module for module, _ in renames}
    target_files = _files_for(index, targets, preferred_roots=set())
    target_roots = {index.by_rel[rel].root for rel in target_files}
    pinned = _pinned_files(index, legacy, legacy_paths)
    unpinned = legacy - set(pinned.values())
    legacy_files = pinned | _files_for(index, unpinned, preferred_roots=target_roots)
    found = {module for rel, module in legacy_files.items() if rel not in absent}
    class_renames = {
        old: new for (_, old), (_, new) in renames.items() if old != new and old[:1].isupper()
    }
    tables = {t.old: t.new for t in rename_map.tables if t.old != t.new}
    moved = tables | {m.legacy: m.unified for m in rename_map.table_moves}
    sql_tables = {old: new for old, new in moved.items() if old != new}
    return RenameIndex(
        index=index,
        moves=moves,
        renames=renames,
        tables=tables,
        class_renames=class_renames,
        legacy_files=legacy_files,
        target_files=target_files,
        missing=tuple(sorted(legacy - found)),
        tokens=_tokens(legacy, class_renames, sql_tables),
        dynamic=_dynamic_pattern(set(moves) - targets),
        dynamic_modules=frozenset(set(moves) - targets),
        sql_tables=sql_tables,
        edit_sql=rename_map.rewrite_sql,
    )


def _dynamic_pattern(modules: set[str]) -> re.Pattern[str] | None:
    """A quoted name ending in a legacy module's last name: ``"old_models"``,
    ``'a.models:User'``, ``"a.models.X"``, ``"server.old_models"`` (a prefilter: which module
    the string names is resolved from the file that holds it)."""
    if not modules:
        return None
    alternatives = "|".join(re.escape(m) for m in sorted({m.rpartition(".")[2] for m in modules}))
    return re.compile(rf"""(["'])(?:[A-Za-z_][\w.]*\.)?({alternatives})(?=["':.])""")


def _pinned_files(index: ModuleIndex, legacy: set[str], paths: tuple[str, ...]) -> dict[str, str]:
    """The plan's legacy files (rel -> legacy module) that the repository holds."""
    out: dict[str, str] = {}
    for rel in paths:
        source = index.by_rel.get(rel)
        if source is not None and source.module in legacy:
            out[rel] = source.module
    return out


def _files_for(index: ModuleIndex, modules: set[str], preferred_roots: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for module in modules:
        files = [f for f in index.files if f.module == module]
        preferred = [f for f in files if f.root in preferred_roots]
        for f in preferred or files:
            out[f.rel] = module
    return out


def _tokens(
    legacy: set[str], class_renames: dict[str, str], tables: dict[str, str]
) -> tuple[str, ...]:
    words = {m.rsplit(".", 1)[-1] for m in legacy}
    words |= set(class_renames) | set(tables)
    return tuple(sorted(words))


def prefilter(tokens: tuple[str, ...]) -> re.Pattern[bytes] | None:
    """A byte pattern matching any file that could import a legacy module or name a renamed
    class or table: a file that mentions none of the tokens cannot."""
    if not tokens:
        return None
    alternatives = b"|".join(re.escape(t.encode()) for t in tokens)
    return re.compile(rb"\b(?:" + alternatives + rb")\b")
