from unified import db
from unified import Organization
from unified import User
import os
from unified import Assessment  # kept apart: it has a comment

from unified import Competency


def load():
    return Organization(), User(), Assessment(), Competency(), db, os
