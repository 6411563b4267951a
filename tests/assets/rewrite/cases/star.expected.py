# expect-finding: star-import-replaced
from unified import User, helper


def load():
    return User(), helper()
