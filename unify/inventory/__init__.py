"""The parts of ``unify analyze``, one concern a file; :mod:`unify.analyze` runs them in order.

parse -> outline -> graph (module resolution) -> bases (which classes are models) ->
classes/columns/annotations (reading a class body) -> records (``ModelClass``) -> tables ->
modules -> dependents/uses (imports and attribute uses) -> links (bases and members);
:mod:`unify.inventory.rules` turns the finished ``Inventory`` into findings.
"""
