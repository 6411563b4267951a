import unified


def load():
    return unified.Widget()
