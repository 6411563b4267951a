"""MVP models: the simplified schema the first SE-QPT prototype shipped with.

String (UUID) keys throughout.  The organization, competency and role models are
taken from the other two modules and handed on to the MVP routes from here.
"""
import uuid
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from models import db, User  # User: MVP admin pages list SE-QPT users too
from unified_models import Competency, Organization, RoleCluster


def generate_uuid():
    return str(uuid.uuid4())


class MVPUser(db.Model):
    """MVP user: registers with e-mail and password, keyed by a UUID string."""

    __tablename__ = 'mvp_users'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    email = db.Column(db.String(120), unique=True, nullable=False, index=True)
    password_hash = db.Column(db.String(128))
    first_name = db.Column(db.String(100))
    last_name = db.Column(db.String(100))
    # The MVP prototype kept organizations in 'organizations' with UUID keys.
    organization_id = db.Column(db.String(36), db.ForeignKey('organizations.id'))
    user_type = db.Column(db.String(20), default='employee')  # 'admin' or 'employee'
    created_at = db.Column(db.DateTime, default=datetime.utcnow)
    last_login = db.Column(db.DateTime)

    learning_plans = db.relationship('LearningPlan', back_populates='user', lazy=True)

    def set_password(self, password):
        # pbkdf2 keeps the hash inside String(128)
        self.password_hash = generate_password_hash(password, method='pbkdf2:sha256')

    def check_password(self, password):
        return check_password_hash(self.password_hash or '', password)

    @property
    def full_name(self):
        """First and last name, as the MVP screens show it."""
        return f'{self.first_name or ""} {self.last_name or ""}'.strip()

    def record_login(self):
        self.last_login = datetime.utcnow()

    def to_dict(self):
        return {
            'id': self.id,
            'email': self.email,
            'full_name': self.full_name,
            'user_type': self.user_type,
            'organization_id': self.organization_id,
        }


class MaturityAssessment(db.Model):
    """Organizational SE maturity, answered by an MVP admin."""

    __tablename__ = 'maturity_assessments'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    organization_id = db.Column(db.String(36), db.ForeignKey('organization.id'))
    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    scope_score = db.Column(db.Float)
    process_score = db.Column(db.Float)
    overall_maturity = db.Column(db.Float)
    answers = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('MVPUser', backref='maturity_assessments')

    def compute_overall(self):
        """Mean of the two dimension scores (the MVP's maturity formula)."""
        scores = [s for s in (self.scope_score, self.process_score) if s is not None]
        self.overall_maturity = round(sum(scores) / len(scores), 2) if scores else None
        return self.overall_maturity

    def to_dict(self):
        return {
            'id': self.id,
            'organization_id': self.organization_id,
            'user_id': self.user_id,
            'scope_score': self.scope_score,
            'process_score': self.process_score,
            'overall_maturity': self.overall_maturity,
        }


class LearningPlan(db.Model):
    """An MVP learning plan: a list of objectives for one MVP user."""

    __tablename__ = 'learning_plans'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    objectives = db.Column(db.JSON, default=list)
    status = db.Column(db.String(20), default='active')
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('MVPUser', back_populates='learning_plans')

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'objectives': self.objectives or [],
            'status': self.status,
        }


class LoginEvent(db.Model):
    """One MVP sign-in, as the MVP admin page lists them."""

    __tablename__ = 'login_events'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.String(36), db.ForeignKey('mvp_users.id'), nullable=False)
    logged_in_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('MVPUser', backref='login_events')


class PortalUserV2(db.Model):
    """Customer-portal account, version 2: e-mail login for an organization's site."""

    __tablename__ = 'portal_users_v2'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255))
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))  # the site

    def set_password(self, password):
        """Hash with werkzeug's default scheme; never store the plain text."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)
