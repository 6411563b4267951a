"""The records, one module per part of the flow; ``unify.models`` is their front."""
