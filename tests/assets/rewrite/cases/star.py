# expect-finding: star-import-replaced
from mvp_models import *


def load():
    return MVPUser(), helper()
