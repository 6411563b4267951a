import contextlib

with contextlib.suppress(ImportError):
    from unified import Competency

    COMPETENCY = Competency
