import mvp_models


def load():
    return mvp_models.MVPUser(), mvp_models.helper()
