from unified import Organization, User, db


def load():
    return Organization(), User(), db
