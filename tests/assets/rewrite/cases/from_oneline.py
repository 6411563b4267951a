from mvp_models import MVPUser, MVPAssessment  # the MVP models


def load():
    return MVPUser(), MVPAssessment()
