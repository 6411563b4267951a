# expect-finding: name-kept-by-alias
from unified import User as MVPUser


def load(User):
    return MVPUser(User)
