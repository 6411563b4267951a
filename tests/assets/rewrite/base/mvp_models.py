"""Legacy module: MVP entities."""


class MVPUser:
    __tablename__ = "mvp_users"


class MVPAssessment:
    pass


def helper():
    return 1


_private = 2
