# expect-finding: dead-fallback
def load():
    try:
        from unified import User as MVPUser
    except ImportError:
        from unified import User as MVPUser
    return MVPUser()
