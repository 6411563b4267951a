"""The parts of the verify stage; ``unify/verify_fks.py`` runs them in order.

- ``load``: import the unified module in a subprocess and read its metadata as shapes.
- ``metadata``: rebuild a ``MetaData`` (types included) from the shapes, never from user code.
- ``scratch``: create the schema on a scratch database and inspect every foreign key.
- ``tables``: pair unified tables with the restored database's through the resolved plan.
- ``drift``: the schema diff (alembic) and the foreign keys compared as signatures.
- ``conversion``: a value of a database column as the migration would cast it (SQL).
- ``checks``: the data checks, one module per rule family, run from one tuple.
"""
