"""The first prototype's accounts, keyed by UUID strings."""
from accounts import db


class LegacyUser(db.Model):
    """A prototype user."""

    __tablename__ = 'legacy_users'

    id = db.Column(db.String(36), primary_key=True)
    email = db.Column(db.String(255), unique=True, index=True)
    nickname = db.Column(db.String(50))
    organization_id = db.Column(db.String(36), db.ForeignKey('organizations.id'))

    org = db.relationship('Organization', backref='members')

    def greet(self):
        return 'hi ' + (self.nickname or '')

    @property
    def display(self):
        """Kept as is: a property only the prototype had."""
        return self.nickname or self.email


class Badge(db.Model):
    __tablename__ = 'badges'

    id = db.Column(db.Integer, primary_key=True)
    holder_id = db.Column(db.String(36), db.ForeignKey('legacy_users.id'))

    holder = db.relationship(
        'LegacyUser', foreign_keys='Badge.holder_id', primaryjoin='LegacyUser.id == Badge.holder_id'
    )
