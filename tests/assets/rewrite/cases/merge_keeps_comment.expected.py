from unified import User
from unified import (
    db,
    Organization,  # kept: merging must not lose it
)


def load():
    return User(), db, Organization
