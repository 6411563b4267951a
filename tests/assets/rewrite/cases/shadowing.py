# expect-finding: name-kept-by-alias
from mvp_models import MVPUser


class User:
    """This module's own User: must keep meaning this class."""


def load(user=User):
    return MVPUser(), user
