import unified


def load():
    return unified.User(), unified.helper()
