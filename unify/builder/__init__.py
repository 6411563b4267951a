"""The build's parts, one concern a module; ``unify.build`` runs them in order.

``legacy`` reads and classifies the legacy modules; ``moving`` (with ``column_types``)
rewrites moved code; ``classes`` (with ``table_keys``) moves and merges classes;
``ordering`` lays them out in the plan's sections; ``kept`` (helpers, tables, the ``db``
initialisation), ``imports`` and ``rendering`` make the unified module's text; ``compat``
the compat module and stubs; ``checks`` compares the plan with the inventory; ``writing``
places and writes the files; ``selfcheck`` checks what was built.  ``nodes`` holds the
small libcst readers they share.
"""
