import app.legacy


def load():
    return app.legacy.Widget()
