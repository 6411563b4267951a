from unified import User as U, Assessment


def load():
    return U(), Assessment()
