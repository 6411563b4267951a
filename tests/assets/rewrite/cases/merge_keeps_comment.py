from mvp_models import MVPUser
from unified import (
    db,
    Organization,  # kept: merging must not lose it
)


def load():
    return MVPUser(), db, Organization
