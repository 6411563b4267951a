"""unify: turn drifted SQLAlchemy model modules into one, safely."""

__version__ = "0.1.0"
