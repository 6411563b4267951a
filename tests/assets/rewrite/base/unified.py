"""The unified module (what unify build writes)."""


class Organization:
    pass


class Competency:
    pass


class User:
    __tablename__ = "users"


class Assessment:
    pass


class Widget:
    pass


def helper():
    return 1


db = object()
