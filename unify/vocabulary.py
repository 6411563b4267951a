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
    """Flask-SQLAlchemy's default table name for a class name (``MVPUser`` -> ``mvp_user``)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def singular(table: str) -> str:
    """The singular of a table name, by the usual English endings (``organizations``)."""
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if table.endswith(plural) and len(table) > len(plural) + 1:
            return table[: -len(plural)] + single
    if table.endswith("s") and not table.endswith(("ss", "us", "is")) and len(table) > 2:
        return table[:-1]
    return table
