# expect-finding: name-kept-by-alias
from unified import User as MVPUser

__all__ = ["MVPUser"]
