import unified as mm


def load():
    return mm.User(), mm.helper()
