import unified


def load():
    MVPUser = unified.User
    User = unified.User
    return MVPUser, User
