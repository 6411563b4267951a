"""Legacy module: core entities."""


class Organization:
    pass


class SECompetency:
    pass


db = object()
