# expect-finding: name-kept-by-alias
from mvp_models import MVPUser


def load(User):
    return MVPUser(User)
