"""The decisions file as commented TOML: every decision pre-filled and explained, loading
back to the same ``Plan``."""

from __future__ import annotations

import re
from pathlib import Path

from unify.decisions.entities import model_classes
from unify.decisions.members import column_source
from unify.decisions.sections import SECTIONS_COMMENT
from unify.errors import InputError
from unify.models import Inventory, MergeDecision, ModelClass, Plan
from unify.vocabulary import is_dotted_name


def render_plan_toml(plan: Plan, inventory: Inventory) -> str:
    """The decisions file: every decision pre-filled and explained in a comment."""
    classes = {c.qualname: c for c in model_classes(inventory)}
    parts = [
        _render_head(plan, inventory),
        _render_tables(plan),
        _render_classes(plan, classes),
        _render_merges(plan, inventory, classes),
        _render_column_types(plan),
        _render_renames(plan),
        _render_backrefs(plan),
    ]
    return "\n".join(p for p in parts if p).rstrip() + "\n"


def _toml(value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml(name)


def _legacy_paths(plan: Plan) -> list[str]:
    if not plan.legacy_paths:
        return []
    return [
        "# Their files (picked with --models); the build analyses only these.",
        f"legacy_paths = {_toml(plan.legacy_paths)}",
    ]


def _retired(plan: Plan) -> list[str]:
    if not plan.retired_modules:
        return []
    return [
        "# Dead copies (analyze's unimported-duplicate-module): nothing imports them and they",
        "# define the classes of another module on the same tables.  Not sources of the unified",
        "# module; `unify archive` moves them away with the legacy modules.",
        f"retired_modules = {_toml(plan.retired_modules)}",
    ]


def _left_out(inventory: Inventory) -> list[str]:
    names = [m.name for m in inventory.modules if not is_dotted_name(m.name)]
    if not names:
        return []
    return [f"# Left out (no import statement can name them): {', '.join(names)}."]


def _rewrite_sql(plan: Plan) -> list[str]:
    if not plan.rewrite_sql:
        return []
    return [
        "# rewrite edits the table names of raw SQL strings (exact identifiers only).",
        "rewrite_sql = true",
    ]


def _sections(plan: Plan) -> list[str]:
    if not plan.sections:
        return []
    return [*SECTIONS_COMMENT, f"sections = {_toml(plan.sections)}"]


def _app(plan: Plan) -> list[str]:
    if not plan.app:
        return []
    return ["# The app factory `unify check` starts (MODULE:FACTORY).", f"app = {_toml(plan.app)}"]


def _package_hint(plan: Plan) -> list[str]:
    """For a top-level target while every legacy module lives inside one package: where a
    module inside the package would go (a top-level one imports only with the repository
    root on ``sys.path``, which an installed app does not have)."""
    if "." in plan.target_module or not plan.legacy_modules:
        return []
    packages = [m.split(".")[:-1] for m in plan.legacy_modules]
    common: list[str] = []
    for parts in zip(*packages, strict=False):  # (up to the shortest)
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return []
    package = ".".join(common)
    return [
        f"# Every legacy module is inside package {package}: a top-level {plan.target_module}",
        "# imports only with the repository root on sys.path. For modules inside it, write",
        f"#   target_module = {_toml(package + '.models_unified')}",
        f"#   compat_module = {_toml(package + '.models_compat')}",
        "# (or run unify plan again with --target and --compat).",
    ]


def _render_head(plan: Plan, inventory: Inventory) -> str:
    counts = ", ".join(f"{m.name} ({len(m.classes)} classes)" for m in inventory.modules)
    return "\n".join(
        [
            "# unify decisions file: written by `unify plan`, read by `unify build` and `unify rewrite`.",
            "# Every value below is a proposal; change what you decide otherwise, then run",
            "#   unify build PATH --plan THIS_FILE --dry-run",
            f"# Model modules found: {counts or 'none'}.",
            *_left_out(inventory),
            "",
            "[unify]",
            "# The unified module (dotted name, next to the legacy modules) and the temporary",
            "# compatibility module that keeps every legacy name importable during the migration.",
            f"target_module = {_toml(plan.target_module)}",
            f"compat_module = {_toml(plan.compat_module)}",
            *_package_hint(plan),
            "# Legacy model modules to retire once every import points at the unified module.",
            f"legacy_modules = {_toml(plan.legacy_modules)}",
            *_retired(plan),
            *_legacy_paths(plan),
            *_sections(plan),
            *_rewrite_sql(plan),
            *_app(plan),
            "",
        ]
    )


def _render_tables(plan: Plan) -> str:
    lines = [
        "# Canonical table names: plural and singular spellings of one entity compete, so the",
        "# singular one (the plan's convention) wins; every ForeignKey('old.x') becomes 'new.x'.",
    ]
    for rename in plan.tables:
        lines += [
            "[[table_rename]]",
            f"old = {_toml(rename.old)}",
            f"new = {_toml(rename.new)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.tables else []))


def _render_classes(plan: Plan, classes: dict[str, ModelClass]) -> str:
    lines = [
        "# One entry per unified class: the legacy class moved (source), its final name and",
        "# table, and its section (one of [unify] sections).",
    ]
    for decision in plan.classes:
        legacy = classes.get(decision.source)
        if legacy is not None:
            lines.append(
                f"# {decision.source} ({legacy.path}:{legacy.line}, table {legacy.table or '-'})"
            )
        lines += [
            "[[class]]",
            f"source = {_toml(decision.source)}",
            f"name = {_toml(decision.name)}",
            f"table = {_toml(decision.table)}",
            f"section = {_toml(decision.section)}",
            "",
        ]
    return "\n".join(lines)


def _render_merges(plan: Plan, inventory: Inventory, classes: dict[str, ModelClass]) -> str:
    if not plan.merges:
        return "# No merges: no two legacy classes stand for the same entity.\n"
    lines = [
        "# Merges: the absorbed classes' columns, relationships and methods are added to the",
        "# survivor.  A member both sides define differently is listed under choices: the side",
        '# named wins (set "" to leave it undecided: the build then stops and lists it).  The',
        "# other side's method or attribute is dropped (the build lists the files that call it);",
        '# to keep it too under another name, add keep-both:NEW_NAME to the side that wins:',
        '#   to_dict = "module.Class keep-both:legacy_to_dict"',
    ]
    for merge in plan.merges:
        lines += _merge_comment(merge, classes)
        lines += [
            "[[merge]]",
            f"survivor = {_toml(merge.survivor)}",
            f"absorbed = {_toml(merge.absorbed)}",
            f"survivor_table = {_toml(merge.survivor_table)}",
            f"absorbed_tables = {_toml(merge.absorbed_tables)}",
        ]
        if merge.choices:
            lines.append("[merge.choices]")
            for choice in merge.choices:
                lines += _choice_comment(merge, choice.member, classes, Path(inventory.root))
                value = choice.take_from + (f" keep-both:{choice.keep_as}" if choice.keep_as else "")
                lines.append(f"{_key(choice.member)} = {_toml(value)}")
        lines.append("")
    return "\n".join(lines)


def _merge_comment(merge: MergeDecision, classes: dict[str, ModelClass]) -> list[str]:
    lines: list[str] = []
    taken: set[str] = set()
    for qualname in (merge.survivor, *merge.absorbed):
        cls = classes.get(qualname)
        if cls is None:
            continue
        members = [
            *(c.attr for c in cls.columns),
            *(r.attr for r in cls.relationships),
            *cls.members,
        ]
        new = [m for m in members if m not in taken and not m.startswith("__")]
        taken |= set(members)
        lines.append(f"# from {qualname}: {', '.join(new) or '(nothing new)'}")
    return lines


def _choice_comment(
    merge: MergeDecision, member: str, classes: dict[str, ModelClass], root: Path
) -> list[str]:
    owners = [classes[q] for q in (merge.survivor, *merge.absorbed) if q in classes]
    summaries = [_member_summary(c, member) for c in owners]
    if len(set(summaries)) == 1 and summaries[0].startswith("column"):
        # alike in summary (a default or a constraint differs): show each line as written
        summaries = [
            column_source(c, member) or s for c, s in zip(owners, summaries, strict=True)
        ]
    sides = [f"{c.qualname}: {s}" for c, s in zip(owners, summaries, strict=True)]
    return [f"# {member}: " + " | ".join(sides)]


def _member_summary(cls: ModelClass, member: str) -> str:
    for col in cls.columns:
        if col.attr == member:
            flags = [
                f
                for f, on in (("pk", col.primary_key), ("unique", col.unique), ("index", col.index))
                if on
            ]
            target = f" -> {col.foreign_key}" if col.foreign_key else ""
            return f"column {col.type}{target}" + (f" ({', '.join(flags)})" if flags else "")
    for rel in cls.relationships:
        if rel.attr == member:
            return f"relationship to {rel.target}"
    return "method/attribute" if member in cls.members else "inherited"


def _render_column_types(plan: Plan) -> str:
    lines = [
        "# Key and foreign-key column types: a key whose spellings disagree takes the",
        "# survivor's type; every FK column takes the type of the key it references.",
    ]
    for decision in plan.column_types:
        lines += [
            "[[column_type]]",
            f"table = {_toml(decision.table)}",
            f"column = {_toml(decision.column)}",
            f"type = {_toml(decision.type)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.column_types else []))


def _render_renames(plan: Plan) -> str:
    lines = [
        "# Other legacy names (aliases) and what they become; the compat module keeps them.",
        "# Classes renamed above and absorbed classes are renamed without an entry here.",
    ]
    for rename in plan.renames:
        lines += [
            "[[rename]]",
            f"legacy = {_toml(rename.legacy_module + '.' + rename.legacy_name)}",
            f"name = {_toml(rename.name)}",
            "",
        ]
    return "\n".join(lines + ([""] if not plan.renames else []))


def _render_backrefs(plan: Plan) -> str:
    if not plan.backrefs:
        return "# No backref collides with another attribute after the merges.\n"
    lines = [
        "# Backrefs that would collide after the merges (two relationships, or a relationship",
        "# and a member, claim one attribute): the backref of the relationship named is renamed.",
    ]
    for decision in plan.backrefs:
        lines += [
            "[[backref]]",
            f"model = {_toml(decision.model)}",
            f"relationship = {_toml(decision.relationship)}",
            f"rename_to = {_toml(decision.rename_to)}",
            "",
        ]
    return "\n".join(lines)


def write_plan_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write the decisions file; an existing file is kept unless ``force``."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; pass --force to overwrite it")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write the decisions file ({exc.strerror or exc})"
        ) from None
