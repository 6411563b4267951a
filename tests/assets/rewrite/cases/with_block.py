import contextlib

with contextlib.suppress(ImportError):
    from models import SECompetency

    COMPETENCY = SECompetency
