from models import (
    Organization,  # the tenant
    SECompetency,
)


def load():
    return Organization(), SECompetency()
