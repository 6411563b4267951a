"""The parts of ``unify migrate``: the mapping's SQL steps, the revision file, the apply."""
