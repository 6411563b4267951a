from unified import (
    Organization,  # the tenant
    Competency,
)


def load():
    return Organization(), Competency()
