from unified import User
from unified import (
    db,
    Organization,
)


def load():
    return User(), db, Organization
