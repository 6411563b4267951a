"""Service layer of the SE-QPT backend."""
