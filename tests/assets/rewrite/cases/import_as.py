import mvp_models as mm


def load():
    return mm.MVPUser(), mm.helper()
