"""Uses mvp_models.MVPUser; see models.SECompetency."""
from mvp_models import MVPUser

# MVPUser is imported from mvp_models
NAME = "the MVPUser model"


def load():
    """Return an MVPUser."""
    return MVPUser()
