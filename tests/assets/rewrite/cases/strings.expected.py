from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import backref, relationship

from unified import Assessment


class Note(Assessment):
    # a comment naming MVPUser and mvp_users stays
    user_id = Column(Integer, ForeignKey("users.id"))
    user = relationship("User", backref=backref("notes"), foreign_keys="[Note.user_id]")
    owner = relationship("User", primaryjoin="User.id == Note.user_id")
    label = "MVPUser stays: not a reference"
