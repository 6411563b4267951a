from unified import Widget
import unified  # noqa: F401  (registers the models)


def load():
    return Widget()
