from mvp_models import MVPUser as U
from mvp_models import MVPAssessment as Assessment


def load():
    return U(), Assessment()
