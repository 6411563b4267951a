from app.legacy import Widget
from app import legacy  # noqa: F401  (registers the models)


def load():
    return Widget()
