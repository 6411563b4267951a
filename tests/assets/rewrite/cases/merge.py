from unified import db
from models import Organization
from mvp_models import MVPUser
import os
from mvp_models import MVPAssessment  # kept apart: it has a comment

from models import SECompetency


def load():
    return Organization(), MVPUser(), MVPAssessment(), SECompetency(), db, os
