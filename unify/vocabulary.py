"""The words of SQLAlchemy and Python that every stage reads, defined once.

Call and type names are compared by their last dotted part (``db.relationship`` and
``sqlalchemy.orm.relationship`` are both ``relationship``).  Nothing here knows an app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- calls -------------------------------------------------------------------

COLUMN_CALLS = frozenset({"Column", "mapped_column"})
# calls that map a relationship (``dynamic_loader`` is a relationship with lazy="dynamic")
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader"})
# a ``backref("name", ...)`` argument names a class member too
BACKREF_CALLS = frozenset({"backref"})
TABLE_CALLS = frozenset({"Table"})
FOREIGN_KEY_CALLS = frozenset({"ForeignKey"})
# calls that make a declarative base, a registry or a Flask-SQLAlchemy ``db``
BASE_FACTORIES = frozenset({"declarative_base", "generate_base", "as_declarative"})
DB_FACTORIES = frozenset({"SQLAlchemy", "declarative_base", "registry"})
DECLARATIVE_ROOTS = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
MODEL_ROOTS = frozenset({"Model", "Base", *DECLARATIVE_ROOTS})
# positional arguments of Column() that are not its type
NOT_TYPES = frozenset(
    {"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "FetchedValue"}
)
# keyword arguments of relationship() whose strings name classes
CLASS_STRING_KEYWORDS = frozenset(
    {"foreign_keys", "primaryjoin", "secondaryjoin", "order_by", "remote_side"}
)
# class-body keys that configure the table, never merged member by member
TABLE_KEYS = frozenset({"__tablename__", "__table_args__", "__mapper_args__"})

# --- types -------------------------------------------------------------------

# the generic types, then the dialects' own (MySQL's TINYINT, MEDIUMTEXT, LONGBLOB, ...)
_FAMILIES = {
    "integer": (
        "integer", "biginteger", "smallinteger", "int", "bigint", "smallint", "serial",
        "tinyint", "mediumint",
    ),
    "string": (
        "string", "unicode", "varchar", "nvarchar", "text", "unicodetext", "char", "nchar",
        "tinytext", "mediumtext", "longtext",
    ),
    "uuid": ("uuid", "uuidtype", "guid"),
    "numeric": ("numeric", "decimal", "float", "real", "double", "double_precision"),
    "boolean": ("boolean", "bool"),
    "datetime": ("datetime", "timestamp"),
    "date": ("date",),
    "binary": (
        "largebinary", "binary", "varbinary", "blob", "bytea", "tinyblob", "mediumblob",
        "longblob",
    ),
}  # fmt: skip
_FAMILY_OF = {name: family for family, names in _FAMILIES.items() for name in names}


def known_type(type_text: str) -> bool:
    """Whether ``type_text`` names a type of a known family (not a custom type or a helper
    function returning one, such as ``StringID()``, whose family the source does not show)."""
    return _type_name(type_text) in _FAMILY_OF


def type_family(type_text: str) -> str:
    """``String(36)`` -> ``string``; ``BigInteger`` -> ``integer``; unknown types stay as named."""
    name = _type_name(type_text)
    return _FAMILY_OF.get(name, name)


def _type_name(type_text: str) -> str:
    """``sa.String(36)`` -> ``string``."""
    return type_text.split("(", 1)[0].rsplit(".", 1)[-1].lower()


# --- names -------------------------------------------------------------------

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def is_identifier(text: str) -> bool:
    return IDENTIFIER.fullmatch(text) is not None


def is_dotted_name(text: str) -> bool:
    return DOTTED_NAME.fullmatch(text) is not None


def last_part(dotted: str) -> str:
    """``sqlalchemy.orm.relationship`` -> ``relationship``."""
    return dotted.rpartition(".")[2]


def package_of(module: str, is_package: bool) -> str:
    """The package a module's relative imports start from: itself for a package's
    ``__init__``, else its parent (``""`` for a top-level module)."""
    return module if is_package else module.rpartition(".")[0]


def absolute_module(package: str, module: str | None, level: int) -> str | None:
    """The module ``from {"." * level}{module} import ...`` names when written in ``package``
    (``package_of``); None when it climbs above the top-level package, as Python refuses."""
    if not level:
        return module or None
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name for a class name (``HTTPLog`` -> ``http_log``)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def singular(table: str) -> str:
    """The singular of a table name, by the usual English endings (``organizations``)."""
    for plural, single in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if table.endswith(plural) and len(table) > len(plural) + 1:
            return table[: -len(plural)] + single
    if table.endswith("s") and not table.endswith(("ss", "us", "is")) and len(table) > 2:
        return table[:-1]
    return table


def tables_told_apart(references: Iterable[tuple[str, Iterable[str]]]) -> set[frozenset[str]]:
    """Pairs of tables (by their singular) that foreign keys tell apart, from each table and
    the tables its foreign keys target: a table and one it references (a reference within
    one entity would be to itself), and two tables one table references (a row naming both
    names two things)."""
    apart: set[frozenset[str]] = set()
    for table, targets in references:
        mine = singular(table)
        others = {singular(t) for t in targets} - {mine}
        apart |= {frozenset((mine, t)) for t in others}
        apart |= {frozenset((a, b)) for a in others for b in others if a != b}
    return apart


# --- version and legacy affixes ----------------------------------------------

# words that mark a copy or a version of a name rather than another thing
VERSION_WORDS = frozenset(
    {
        "new", "old", "legacy", "tmp", "temp", "backup", "bak", "copy", "orig", "original",
        "deprecated", "obsolete", "unified", "draft", "archive", "archived", "prev", "previous",
    }
)  # fmt: skip
_VERSION_TOKEN = re.compile(r"[Vv]?\d+")
# CamelCase words: a version token (V2), an acronym before a word (ABC in ABCUser), a word
_NAME_WORD = re.compile(r"[Vv]\d+(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def is_version_word(word: str) -> bool:
    """``V2``, ``2``, ``Old``, ``legacy``: a word that marks a version or a copy."""
    return word.lower() in VERSION_WORDS or _VERSION_TOKEN.fullmatch(word) is not None


def strip_affixes(name: str, *, any_word: bool = False) -> tuple[tuple[str, str], ...]:
    """``(name without the affix, affix)`` for each way of stripping legacy or version affixes
    from a class name: a leading acronym (``ABCUser``, ``XYOrder``) and version words at
    either end, as many as there are (``LegacyUser``, ``UserV2``, ``LegacyUserTmp``).  With
    ``any_word``, also any one other word at either end besides (``ShopUserV2`` ->
    ``User``; ``BetaUser`` -> ``User``): a looser match that needs more evidence.  The affix
    is the removed words run together.  Whether the rest names the same thing is for the
    caller to judge (another class of that name, the same table, shared columns)."""
    words = [m.group() for m in _NAME_WORD.finditer(name)]
    if len(words) < 2:
        return ()
    found: dict[str, str] = {}
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            if (start, end) == (0, len(words)):
                continue
            removed = [*words[:start], *words[end:]]
            weak = sum(
                not _strong_affix(words, i) for i in (*range(start), *range(end, len(words)))
            )
            if weak > (1 if any_word else 0):
                continue
            rest = "".join(words[start:end])
            meaningful = not all(is_version_word(w) for w in words[start:end])
            if meaningful and is_identifier(rest) and rest[0].isalpha():
                found.setdefault(rest, "".join(removed))
    return tuple(found.items())


def _strong_affix(words: list[str], index: int) -> bool:
    """A version word anywhere, or an acronym before a capitalised word at the front."""
    word = words[index]
    acronym = (
        index == 0 and word.isupper() and len(word) > 1 and len(words) > 1 and words[1][0].isupper()
    )
    return acronym or is_version_word(word)


def affix_words(affixes: tuple[str, ...]) -> set[str]:
    """The lower-case words of affixes as ``strip_affixes`` gives them (``ShopV2``)."""
    return {w.lower() for a in affixes for w in _NAME_WORD.findall(a)}


def strip_table_affixes(table: str, affixes: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``table`` without leading or trailing ``_`` words that are version words or words of
    ``affixes`` (``legacy_users``, ``users_v2``; ``abc_users`` with the affix ``ABC``;
    ``shop_users_v2`` with the affix ``ShopV2``)."""
    words = table.split("_")
    if len(words) < 2:
        return ()
    extra = affix_words(affixes)

    def strippable(word: str) -> bool:
        return is_version_word(word) or word.lower() in extra

    found: list[str] = []
    for start in range(len(words)):
        if start and not strippable(words[start - 1]):
            break
        for end in range(len(words), start, -1):
            if end < len(words) and not strippable(words[end]):
                break
            if (start, end) != (0, len(words)):
                found.append("_".join(words[start:end]))
    return tuple(dict.fromkeys(t for t in found if t))
