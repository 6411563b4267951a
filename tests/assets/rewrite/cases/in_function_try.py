# expect-finding: dead-fallback
def load():
    try:
        from mvp_models import MVPUser
    except ImportError:
        from unified import User as MVPUser
    return MVPUser()
