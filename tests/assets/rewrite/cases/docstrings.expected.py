"""Uses mvp_models.MVPUser; see models.SECompetency."""
from unified import User

# MVPUser is imported from mvp_models
NAME = "the MVPUser model"


def load():
    """Return an MVPUser."""
    return User()
