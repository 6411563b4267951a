from .legacy import Widget


def load():
    return Widget()
