import mvp_models


def load():
    MVPUser = mvp_models.MVPUser
    User = mvp_models.MVPUser
    return MVPUser, User
