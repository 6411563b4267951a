"""Legacy module inside the package."""


class Widget:
    pass
