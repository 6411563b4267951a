"""Create the legacy schema of an app's model modules on DATABASE URL (argv[1]), as the legacy
app left it in production: foreign keys that point nowhere, or whose column types differ from
the referred key's, were never created by PostgreSQL, so they are left out here too.

Usage: python create_legacy_schema.py URL module [module ...]   (run from the app's root)
"""

import importlib
import sys

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

url, modules = sys.argv[1], sys.argv[2:]
metadatas = []
for name in modules:
    module = importlib.import_module(name)
    db = getattr(module, "db", None)
    if db is not None and all(db.metadata is not m for m in metadatas):
        metadatas.append(db.metadata)


def ddl(column):
    return column.type.compile(dialect=postgresql.dialect())


def creatable(constraint, tables):
    for element in constraint.elements:
        table_name, _, column = element.target_fullname.rpartition(".")
        target = tables.get(table_name)
        if target is None or column not in target.c:
            return False
        if ddl(element.parent) != ddl(target.c[column]):
            return False
    return True


engine = sa.create_engine(url)
with engine.begin() as conn:
    for metadata in metadatas:
        tables = metadata.tables
        for table in tables.values():
            conn.execute(CreateTable(table, include_foreign_key_constraints=[]))
            for index in table.indexes:
                conn.execute(CreateIndex(index))
        for table in tables.values():
            for constraint in table.foreign_key_constraints:
                if creatable(constraint, tables):
                    conn.execute(AddConstraint(constraint))
engine.dispose()
