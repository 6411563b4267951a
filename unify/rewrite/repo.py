"""The repository's side of a rewrite: which files are candidates, which are skipped as
legacy or target modules, and the findings about the run as a whole."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from unify.errors import InputError
from unify.models import FileOutcome, Finding, Rule, Severity, Skipped, SourceFile
from unify.rewrite.map import RenameIndex
from unify.scan import describe_files

UNPARSABLE_FILE = Rule(
    name="unparsable-file",
    code="R001",
    severity=Severity.WARNING,
    summary="a file that cannot be read or parsed was skipped",
)
LEGACY_MODULE_MISSING = Rule(
    name="legacy-module-missing",
    code="R006",
    severity=Severity.INFO,
    summary="a legacy (or, in the final phase, compat) module with no file",
)
PYTHON_UNDER_OTHER_SUFFIX = Rule(
    name="python-under-other-suffix",
    code="R007",
    severity=Severity.INFO,
    summary="Python under another suffix, not rewritten",
)
SYMLINK_OUTSIDE_ROOT = Rule(
    name="symlink-outside-root",
    code="R011",
    severity=Severity.WARNING,
    summary="a symlink leaving the repository (or broken) was not followed",
)
TARGET_MODULE_MISSING = Rule(
    name="target-module-missing",
    code="R009",
    severity=Severity.WARNING,
    summary="the module imports should point at has no file",
)


def other_sources(rels: Iterable[str]) -> tuple[SourceFile, ...]:
    """Files kept under another suffix, named as the ``.py`` file they would be."""
    out: list[SourceFile] = []
    for rel in rels:
        p = PurePosixPath(rel)
        stem = p.name.split(".py", 1)[0] if ".py" in p.name else p.stem
        named = describe_files(Path("."), [str(p.with_name(stem + ".py"))])[0]
        out.append(SourceFile(rel=rel, module=named.module, root=named.root))
    return tuple(out)


def mentions(path: Path, pattern: re.Pattern[bytes] | None) -> bool:
    """Whether the file's bytes match the prefilter (an unreadable file is a candidate)."""
    if pattern is None:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return True  # reported as skipped when read for real
    return pattern.search(data) is not None


def same_files(
    root: Path, candidates: list[SourceFile], python: Iterable[str]
) -> tuple[list[SourceFile], list[Skipped]]:
    """A symlink to a Python file of the repository is rewritten once, through its target:
    the candidates without such links, and the links as skipped."""
    listed = set(python)
    kept: list[SourceFile] = []
    links: list[Skipped] = []
    for f in candidates:
        target = _target_rel(root, f.rel)
        if target is not None and target != f.rel and target in listed:
            links.append(Skipped(path=f.rel, reason=f"symlink to {target} (rewritten there)"))
        else:
            kept.append(f)
    return kept, links


def _target_rel(root: Path, rel: str) -> str | None:
    path = root / rel
    if not path.is_symlink():
        return None
    try:
        return path.resolve(strict=True).relative_to(root).as_posix()
    except (OSError, RuntimeError, ValueError):
        return None


def outside_links(
    root: Path, links: Iterable[str], pattern: re.Pattern[bytes] | None
) -> tuple[list[Finding], list[str]]:
    """A finding for each symlink leaving the root, and those whose files mention a legacy
    module (their imports cannot be rewritten)."""
    findings: list[Finding] = []
    mentioning: list[str] = []
    for rel in links:
        target = (root / rel).resolve()
        hit = any(mentions(p, pattern) for p in _python_under(target))
        kind = "folder" if target.is_dir() else "file" if target.exists() else "missing target"
        findings.append(
            SYMLINK_OUTSIDE_ROOT.finding(
                f"symlink to {target} ({kind}) leaves the repository: not followed, "
                + ("its legacy imports are not rewritten" if hit else "nothing in it to rewrite")
                + "; rewrite it where it lives, or replace the link by the files",
                path=rel,
                objects=(rel, str(target)),
            )
        )
        if hit:
            mentioning.append(rel)
    return findings, mentioning


def _python_under(target: Path) -> Iterator[Path]:
    if target.is_file():
        yield target
        return
    for dirpath, _, filenames in os.walk(target, followlinks=False):
        yield from (Path(dirpath) / n for n in filenames if n.endswith(".py"))


def skipped(
    candidates: list[SourceFile], names: RenameIndex, compat_module: str | None = None
) -> Iterator[FileOutcome]:
    """The legacy, compat and target modules among the candidates: never rewritten."""
    for f in candidates:
        module = names.legacy_files.get(f.rel) or names.target_files.get(f.rel)
        if f.rel in names.target_files:
            reason = f"target module {module} (written by unify build)"
        elif module is not None and module == compat_module:
            reason = (
                f"compat module {module} (written by unify build; once nothing imports it, "
                "`unify archive --remove-compat` deletes it)"
            )
        elif module in names.moves:
            reason = f"legacy module {module} (once nothing imports it, `unify archive` moves it)"
        elif module is not None:
            reason = f"module {module} keeps its file; its renamed names are written by unify build"
        else:
            continue
        yield Skipped(path=f.rel, reason=reason)


def run_findings(
    names: RenameIndex, other: tuple[str, ...], included: bool, compat: str | None
) -> list[Finding]:
    """Missing legacy and target modules, and Python left under other suffixes."""
    out = [_missing(m, m == compat) for m in names.missing]
    targets = set(names.moves.values()) | {m for m, _ in names.renames.values()}
    out += [
        TARGET_MODULE_MISSING.finding(f"target module {m} has no file yet (run unify build first)")
        for m in sorted(targets - set(names.target_files.values()))
    ]
    if not included:
        out += [
            PYTHON_UNDER_OTHER_SUFFIX.finding(
                "Python kept under another suffix; not rewritten (pass --include-other-suffixes)",
                path=rel,
            )
            for rel in other
        ]
    return out


def _missing(module: str, is_compat: bool) -> Finding:
    if is_compat:
        message = (
            f"compat module {module} has no file in the repository; "
            "imports of it are rewritten all the same"
        )
    else:
        message = f"legacy module {module} has no file in the repository"
    return LEGACY_MODULE_MISSING.finding(message)


def unprocessable(root: Path, outcomes: list[FileOutcome], legacy: Iterable[str]) -> list[str]:
    """Candidates that could not be read or parsed and name a legacy module (a file that
    names none, such as a Python 2 script, imports none: it holds nothing back)."""
    modules = tuple(legacy)
    return [
        o.path
        for o in outcomes
        if isinstance(o, Skipped) and _unreadable(o) and names_a_module(root / o.path, modules)
    ]


def names_a_module(path: Path, modules: Iterable[str]) -> bool:
    """Whether the file's text names one of ``modules``: its dotted name, ``from PARENT
    import LAST``, or a relative import of ``LAST`` (an unreadable file: yes)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    for module in modules:
        parent, _, last = module.rpartition(".")
        word = re.escape(last)
        forms = [
            rf"(?<![\w.]){re.escape(module)}\b",
            rf"from\s+\.+[\w.]*\s+import\b[^\n]*\b{word}\b",
        ]
        forms.append(rf"from\s+\.+(?:[\w.]*\.)?{word}\b")
        if parent:
            forms.append(rf"from\s+{re.escape(parent)}\s+import\b[^\n]*\b{word}\b")
        if any(re.search(f, text) for f in forms):
            return True
    return False


def _unreadable(o: Skipped) -> bool:
    return o.reason.startswith(("does not parse", "cannot read"))


def unreadable(outcomes: list[FileOutcome], holding: Iterable[str] = ()) -> Iterator[Finding]:
    """Files skipped because they cannot be read or parsed: their imports were not checked;
    ``holding``: those that name a legacy module (the others hold no ``--check`` back)."""
    held = set(holding)
    for o in outcomes:
        if isinstance(o, Skipped) and _unreadable(o):
            why = "its imports were not rewritten"
            if o.path not in held:
                why += "; it names no legacy module (--check passes)"
            yield UNPARSABLE_FILE.finding(f"{o.reason}; {why}", path=o.path)


def select_only(root: Path, rels: Iterable[str], only: Iterable[str]) -> frozenset[str]:
    """The files ``--only`` picks: each entry a file, a folder or a glob, relative to the
    repository root (or to the current folder when it names something there); an entry that
    picks no file is an ``InputError``."""
    rels = tuple(rels)
    picked: set[str] = set()
    for entry in only:
        pattern = _relative_entry(root, entry)
        hits = {r for r in rels if _picks(pattern, r)}
        if not hits:
            raise InputError(f"--only {entry}: no Python file of {root} matches it")
        picked |= hits
    return frozenset(picked)


def _relative_entry(root: Path, entry: str) -> str:
    path = Path(entry)
    full = path if path.is_absolute() else Path.cwd() / path
    if path.is_absolute() or full.exists():
        try:
            return full.resolve().relative_to(root.resolve()).as_posix()
        except (OSError, ValueError):
            pass
    return entry.replace("\\", "/").removeprefix("./")


def _picks(pattern: str, rel: str) -> bool:
    folder = pattern.rstrip("/")
    return rel == folder or rel.startswith(f"{folder}/") or fnmatch.fnmatchcase(rel, pattern)
