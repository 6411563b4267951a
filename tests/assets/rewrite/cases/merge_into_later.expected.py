from unified import (
    db,
    Organization,
    User,
)


def load():
    return User(), db, Organization
