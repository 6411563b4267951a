from unified import User, Assessment  # the MVP models


def load():
    return User(), Assessment()
