"""The words of SQLAlchemy and Python that every stage reads, defined once.

Call and type names are compared by their last dotted part (``db.relationship`` and
``sqlalchemy.orm.relationship`` are both ``relationship``).  Nothing here knows an app.
"""

from __future__ import annotations

import re

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

_FAMILIES = {
    "integer": ("integer", "biginteger", "smallinteger", "int", "bigint", "smallint", "serial"),
    "string": ("string", "unicode", "varchar", "nvarchar", "text", "unicodetext", "char", "nchar"),
    "uuid": ("uuid", "uuidtype", "guid"),
    "numeric": ("numeric", "decimal", "float", "real", "double", "double_precision"),
    "boolean": ("boolean", "bool"),
    "datetime": ("datetime", "timestamp"),
    "date": ("date",),
    "binary": ("largebinary", "binary", "varbinary", "blob", "bytea"),
}
_FAMILY_OF = {name: family for family, names in _FAMILIES.items() for name in names}


def type_family(type_text: str) -> str:
    """``String(36)`` -> ``string``; ``BigInteger`` -> ``integer``; unknown types stay as named."""
    name = type_text.split("(", 1)[0].rsplit(".", 1)[-1].lower()
    return _FAMILY_OF.get(name, name)


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


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name for a class name (``HTTPLog`` -> ``http_log``)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def singular(table: str) -> str:
    """The singular of a table name, by the usual English endings (``organizations``)."""
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if table.endswith(plural) and len(table) > len(plural) + 1:
            return table[: -len(plural)] + single
    if table.endswith("s") and not table.endswith(("ss", "us", "is")) and len(table) > 2:
        return table[:-1]
    return table


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


def strip_affixes(name: str) -> tuple[tuple[str, str], ...]:
    """``(name without the affix, affix)`` for each legacy or version affix of a class name:
    a leading acronym (``ABCUser``, ``XYOrder``), a leading or trailing version word
    (``LegacyUser``, ``UserV2``, ``OrderOld``).  Whether the rest names the same thing is
    for the caller to judge (another class of that name, the same table, shared columns)."""
    words = list(_NAME_WORD.finditer(name))
    if len(words) < 2:
        return ()
    found: list[tuple[str, str]] = []
    first, second, last = words[0], words[1], words[-1]
    acronym = first.group().isupper() and len(first.group()) > 1 and second.group()[0].isupper()
    if acronym or is_version_word(first.group()):
        found.append((name[first.end() :].lstrip("_"), first.group()))
    if is_version_word(last.group()):
        found.append((name[: last.start()].rstrip("_"), last.group()))
    return tuple((rest, affix) for rest, affix in found if is_identifier(rest) and rest[0].isalpha())


def strip_table_affixes(table: str, affixes: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``table`` without a leading or trailing ``_`` word that is a version word or one of
    ``affixes`` (``legacy_users``, ``users_v2``; ``abc_users`` with the affix ``ABC``)."""
    words = table.split("_")
    if len(words) < 2:
        return ()
    extra = {a.lower() for a in affixes}
    found = []
    if is_version_word(words[0]) or words[0].lower() in extra:
        found.append("_".join(words[1:]))
    if is_version_word(words[-1]) or words[-1].lower() in extra:
        found.append("_".join(words[:-1]))
    return tuple(t for t in found if t)
