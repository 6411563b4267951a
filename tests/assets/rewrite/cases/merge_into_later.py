from mvp_models import MVPUser
from unified import (
    db,
    Organization,
)


def load():
    return MVPUser(), db, Organization
