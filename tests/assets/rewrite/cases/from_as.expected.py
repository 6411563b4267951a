from unified import User as U
from unified import Assessment


def load():
    return U(), Assessment()
