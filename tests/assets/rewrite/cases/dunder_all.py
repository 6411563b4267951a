# expect-finding: name-kept-by-alias
from mvp_models import MVPUser

__all__ = ["MVPUser"]
