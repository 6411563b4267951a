# expect-finding: name-kept-by-alias
from unified import User as MVPUser


class User:
    """This module's own User: must keep meaning this class."""


def load(user=User):
    return MVPUser(), user
