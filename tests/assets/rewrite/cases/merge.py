from models import Organization
from mvp_models import MVPUser
from unified import db


def load():
    return Organization(), MVPUser(), db
