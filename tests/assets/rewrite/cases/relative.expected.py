from unified import Widget


def load():
    return Widget()
