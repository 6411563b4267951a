"""Repository layout: which Python files exist, their import roots and module names.

Shared by ``analyze`` and ``rewrite_imports`` so that both resolve ``models``,
``app.models`` and ``.models`` to the same file.

An *import root* is a folder Python would have on ``sys.path`` for a file: the nearest
ancestor folder that is not a package (has no ``__init__.py``).  A repository usually has
several (``src/backend`` for scripts run there, ``tests`` for pytest, ...), and the same file
may be reachable under several names; resolution prefers the roots that contain the
importing file, so a same-named ``models.py`` under another root is never confused with it.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tokenize
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from unify.errors import InputError
from unify.models import SourceFile

EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        ".tox",
        ".nox",
        "site-packages",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        ".unify",  # unify's own journal and backups while it writes
    }
)

# Where `unify archive` puts the retired legacy modules (under the repository root), and the
# names it gives them: later scans skip both, so an archived module is never analysed,
# rewritten or taken for a live one.
ARCHIVE_DIR = "archives"
ARCHIVED_FILE = re.compile(r"_pre_merge_\d{8}\.py$")

# Python kept under another suffix: models.py.unused, routes.py.bak, app.backup, ...
OTHER_PYTHON = re.compile(r"\.py\.[A-Za-z0-9_~-]+$|\.py~$|\.(backup|bak|orig|old)$")


@dataclass(frozen=True, slots=True)
class RepoFiles:
    """The files of a repository: Python sources and Python kept under other suffixes."""

    root: Path
    python: tuple[str, ...]
    other_python: tuple[str, ...]
    outside_links: tuple[str, ...] = ()  # symlinks (files, folders) leaving the root or broken


def list_repo_files(root: Path) -> RepoFiles:
    """List the repository's files (posix, relative), sorted.

    Inside a git work tree, git's view is used (tracked plus untracked files that are not
    ignored).  Elsewhere the tree is walked.  Virtualenvs, site-packages and caches are
    excluded either way; symlinks are never followed out of the root.
    """
    root = _checked_root(root)
    rels = _git_files(root)
    if rels is None:
        rels = list(_walk(root))
    python: list[str] = []
    other: list[str] = []
    outside: list[str] = []
    for rel in rels:
        parts = PurePosixPath(rel).parts
        if any(p in EXCLUDED_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if _archived(parts):
            continue
        full = root / rel
        if full.is_symlink() and not _inside(full, root):
            outside.append(rel)
            continue
        if rel.endswith(".py"):
            python.append(rel)
        elif OTHER_PYTHON.search(rel):
            other.append(rel)
    return RepoFiles(
        root=root,
        python=tuple(sorted(python)),
        other_python=tuple(sorted(other)),
        outside_links=tuple(sorted(outside)),
    )


def _archived(parts: tuple[str, ...]) -> bool:
    """A file ``unify archive`` moved away: under the archive folder, or named as archived."""
    return (len(parts) > 1 and parts[0] == ARCHIVE_DIR) or bool(ARCHIVED_FILE.search(parts[-1]))


def _checked_root(root: Path) -> Path:
    try:
        resolved = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on older Pythons
        reason = "a symlink loop" if "loop" in str(exc).lower() else "no such file or folder"
        raise InputError(f"{root}: {reason}") from None
    if not resolved.is_dir():
        raise InputError(f"{root}: not a folder (give the repository's root folder)")
    return resolved


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    # paths come relative to ``root`` even when it is a sub-folder of the work tree
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    if not names:
        # an ignored folder inside a work tree (a vendored or downloaded tree): git lists
        # nothing, so walk it instead
        return None
    return [n for n in names if (root / n).exists() or (root / n).is_symlink()]


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            d for d in dirnames if d not in EXCLUDED_DIRS and not d.endswith(".egg-info")
        )
        base = Path(dirpath)
        links = [d for d in dirnames if (base / d).is_symlink()]  # listed, never entered
        for name in [*filenames, *links]:
            yield (base / name).relative_to(root).as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return False
    return True


def read_source(path: Path) -> str:
    """Decode a Python file as Python would (PEP 263 cookie, BOM); ``UnicodeDecodeError`` or
    ``SyntaxError`` when it cannot be decoded."""
    data = path.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


# ---------------------------------------------------------------------------
# Module names and resolution
# ---------------------------------------------------------------------------


def describe_files(root: Path, rels: Iterable[str]) -> tuple[SourceFile, ...]:
    """Name every file as a module of its import root (``rels``: posix paths as listed)."""
    rel_list = list(rels)
    package_dirs = {_parent(r) for r in rel_list if r.rpartition("/")[2] == "__init__.py"}
    package_dirs.discard(".")  # the repository root is always an import root
    out: list[SourceFile] = []
    for rel in rel_list:
        folder, _, name = rel.rpartition("/")
        folder = folder or "."
        parts = [_stem(name)] if name != "__init__.py" else []
        while folder in package_dirs:
            parts.insert(0, folder.rpartition("/")[2])
            folder = _parent(folder)
        module = ".".join(parts) if parts else (_name(folder) or root.name)
        out.append(
            SourceFile(
                rel=rel,
                module=module,
                root="" if folder == "." else folder,
                is_package=name == "__init__.py",
            )
        )
    return tuple(out)


# ``PurePosixPath``'s parent, name and stem, on the listed (normalised) paths as strings:
# thousands of files are named at every start


def _parent(path: str) -> str:
    return path.rpartition("/")[0] or "."


def _name(path: str) -> str:
    return "" if path == "." else path.rpartition("/")[2]


def _stem(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


class ModuleIndex:
    """Resolves written module names to repository files, from the importer's point of view."""

    def __init__(self, files: Iterable[SourceFile]) -> None:
        self.files: tuple[SourceFile, ...] = tuple(files)
        self.by_rel: dict[str, SourceFile] = {f.rel: f for f in self.files}
        self._by_root_module: dict[tuple[str, str], SourceFile] = {}
        self._by_module: dict[str, list[SourceFile]] = {}
        for f in self.files:
            self._by_root_module[(f.root, f.module)] = f
            self._by_module.setdefault(f.module, []).append(f)
        self.roots: tuple[str, ...] = tuple(sorted({f.root for f in self.files}))
        # the repository folder itself a package (``server/`` with ``__init__.py``): its
        # modules are also imported as ``server.models`` by code that has its parent on
        # ``sys.path`` (migrations, tests), while the app imports them bare
        top = self.by_rel.get("__init__.py")
        self.root_package: str | None = top.module if top is not None else None
        self._resolved: dict[tuple[str, str, str, str, int], SourceFile | None] = {}

    def resolve(self, importer: SourceFile, written: str, level: int = 0) -> SourceFile | None:
        """The file that ``from <level dots><written> import ...`` in ``importer`` names
        (memoised: the answer depends on the importer's root, folder and, for relative
        imports, its module)."""
        folder = importer.rel.rpartition("/")[0]
        key = (importer.root, folder, importer.module if level else "", written, level)
        try:
            return self._resolved[key]
        except KeyError:
            hit = self._resolved[key] = self._resolve(importer, written, level)
            return hit

    def _resolve(self, importer: SourceFile, written: str, level: int) -> SourceFile | None:
        if level:
            return self._resolve_relative(importer, written, level)
        # 1. the importer's own root, and the importer's folder (scripts run from there)
        for root in self._roots_for(importer):
            hit = self._lookup(root, written)
            if hit is not None:
                return hit
        # 2. ``server.models`` when the repository folder is the package ``server``
        hit = self._in_root_package(written)
        if hit is not None:
            return hit
        # 3. any root, when exactly one defines it
        candidates = self._by_module.get(written, [])
        if len(candidates) == 1:
            return candidates[0]
        return None

    def resolve_string(
        self, importer: SourceFile, written: str, imported: Collection[str] = ()
    ) -> SourceFile | None:
        """The file a string in ``importer`` names as a module path.  A dotted name resolves
        as an import of it would (``resolve``); a bare name through the import roots only (the
        file's own root, the repository's package, the one root that defines it), and through
        the enclosing folders a package file's imports may also come from only when the file
        imports a module by that bare name itself (``imported``: ``import person`` says the
        folder is on its ``sys.path``).  Without that, a word such as ``'person'`` in a file
        beside ``person.py`` is a column, a key or a choice far more often than a module."""
        if "." in written or written in imported:
            return self.resolve(importer, written, 0)
        hit = self._lookup(importer.root, written) or self._in_root_package(written)
        if hit is None:
            candidates = self._by_module.get(written, [])
            hit = candidates[0] if len(candidates) == 1 else None
        return hit

    def resolve_name(self, importer: SourceFile, written: str, level: int = 0) -> str | None:
        """Canonical dotted name of the module written, or None outside the repository."""
        hit = self.resolve(importer, written, level)
        return hit.module if hit else None

    def _in_root_package(self, written: str) -> SourceFile | None:
        package = self.root_package
        if package is None or not written.startswith(package):
            return None
        if written == package:
            return self.by_rel["__init__.py"]
        if written[len(package)] != ".":
            return None
        return self._lookup("", written[len(package) + 1 :])

    def _roots_for(self, importer: SourceFile) -> list[str]:
        roots = [importer.root]
        folder = importer.rel.rpartition("/")[0]  # "" for a file at the repository root
        # a package file: its folder is also the script folder when run directly, and each
        # enclosing package folder is a candidate sys.path entry in messy apps (an app run
        # with ``server/`` on ``sys.path`` imports ``server/models.py`` as ``models`` from
        # ``server/views/tickets.py``), nearest first
        while folder != importer.root and folder:
            roots.append(folder)
            folder = folder.rpartition("/")[0]
        # a script folder inside a package (``server/migrations/env.py`` run with ``server/``
        # on ``sys.path``): the enclosing package folders too
        folder = importer.root.rpartition("/")[0]
        while folder and f"{folder}/__init__.py" in self.by_rel:
            roots.append(folder)
            folder = folder.rpartition("/")[0]
        return roots

    def _lookup(self, root: str, dotted: str) -> SourceFile | None:
        hit = self._by_root_module.get((root, dotted))
        if hit is not None:
            return hit
        # a module under a root that is itself inside a package folder
        for f in self._by_module.get(dotted.rsplit(".", 1)[-1], []):
            if f.root == root and f.module == dotted:
                return f
        # the file path as strings (empty parts dropped, as pathlib would)
        rel = "/".join(part for part in dotted.split(".") if part)
        rel = (f"{root}/{rel}" if rel else root) if root else (rel or ".")
        for cand in (f"{rel}.py", f"{rel}/__init__.py"):
            hit = self.by_rel.get(cand)
            if hit is not None:
                return hit
        return None

    def _resolve_relative(
        self, importer: SourceFile, written: str, level: int
    ) -> SourceFile | None:
        package = importer.module if importer.is_package else importer.module.rpartition(".")[0]
        parts = package.split(".") if package else []
        if level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (level - 1)]
        dotted = ".".join([*base, *([written] if written else [])])
        if not dotted:
            return None
        return self._by_root_module.get((importer.root, dotted))


def module_index(root: Path, rels: Iterable[str]) -> ModuleIndex:
    return ModuleIndex(describe_files(root, rels))
