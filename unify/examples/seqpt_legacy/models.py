"""SE-QPT main models.

Users, assessments, learning objectives and modules, qualification plans and the
phase questionnaires.  Derik's competency models live in unified_models.py and are
pulled in below under their SE-QPT names (SECompetency, SERole).
"""
from datetime import datetime
from typing import Optional

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

db = SQLAlchemy()


class TimestampMixin:
    """created_at / updated_at columns shared by the SE-QPT tables."""

    created_at = db.Column(db.DateTime, default=datetime.utcnow)
    updated_at = db.Column(db.DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)


# Derik's competency models.  unified_models takes `db` from this module, so this
# import must come after `db` exists.  If unified_models is imported first, its
# names are not defined yet and the placeholders below stand in for them.
try:
    from unified_models import Competency as SECompetency, RoleCluster as SERole
except ImportError:

    class SECompetency:
        """Placeholder while unified_models is still importing."""

        query = None

    class SERole:
        """Placeholder while unified_models is still importing."""

        query = None


class Competency(db.Model):
    """SE-QPT's own class on Derik's competency table; adds the SE-QPT category."""

    __tablename__ = 'competency'
    __table_args__ = {'extend_existing': True}

    # id, competency_name, competency_area, description: from unified_models' table
    seqpt_category = db.Column(db.String(50))


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
class User(TimestampMixin, db.Model):
    """SE-QPT user: an admin or employee of an organization."""

    __tablename__ = 'users'

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, index=True)  # required by the routes
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255))
    display_name = db.Column(db.String(200))
    role = db.Column(db.String(20), default='employee')  # 'admin' or 'employee'
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    is_active = db.Column(db.Boolean, default=True)

    organization = db.relationship('Organization', backref='users')
    assessments = db.relationship('Assessment', back_populates='user', lazy='dynamic')
    qualification_plans = db.relationship('QualificationPlan', backref='user')

    def set_password(self, password):
        """Hash with werkzeug's default scheme; never store the plain text."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self):
        return self.role == 'admin'

    def to_dict(self):
        return {
            'id': self.id,
            'username': self.username,
            'email': self.email,
            'display_name': self.display_name,
            'role': self.role,
            'organization_id': self.organization_id,
        }

    def __repr__(self):
        return f'<User {self.username}>'


# ---------------------------------------------------------------------------
# Assessments
# ---------------------------------------------------------------------------
class Assessment(TimestampMixin, db.Model):
    """A competency self-assessment of one user (phase 2 of SE-QPT)."""

    __tablename__ = 'assessments'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    role_cluster_id = db.Column(db.Integer, db.ForeignKey('role_cluster.id'))
    assessment_type = db.Column(db.String(50), default='competency')
    status = db.Column(db.String(20), default='in_progress')
    results = db.Column(db.JSON)
    completed_at = db.Column(db.DateTime)

    user = db.relationship('User', back_populates='assessments')
    learning_objectives = db.relationship(
        'LearningObjective', backref='assessment', cascade='all, delete-orphan'
    )

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'assessment_type': self.assessment_type,
            'status': self.status,
            'results': self.results or {},
        }


# ---------------------------------------------------------------------------
# Learning and qualification
# ---------------------------------------------------------------------------
class LearningObjective(db.Model):
    """A learning objective generated from an assessment gap (2.0-style mapping)."""

    __tablename__ = 'learning_objectives'

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(db.ForeignKey('assessments.id'))
    competency_id: Mapped[Optional[int]] = mapped_column(db.ForeignKey('competency.id'))
    text: Mapped[str] = mapped_column(db.Text)
    current_level: Mapped[int] = mapped_column(default=0)
    target_level: Mapped[int] = mapped_column(default=0)
    priority: Mapped[Optional[str]] = mapped_column(db.String(20))
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    def to_dict(self):
        return {
            'id': self.id,
            'competency_id': self.competency_id,
            'text': self.text,
            'current_level': self.current_level,
            'target_level': self.target_level,
            'priority': self.priority,
        }


class LearningModule(TimestampMixin, db.Model):
    """A module of the SE-QPT learning library."""

    __tablename__ = 'learning_modules'

    id = db.Column(db.Integer, primary_key=True)
    module_code = db.Column(db.String(20), unique=True, nullable=False)
    name = db.Column(db.String(200), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'))
    level = db.Column(db.Integer, default=1)
    duration_hours = db.Column(db.Float)
    delivery_format = db.Column(db.String(50))

    def to_dict(self):
        return {
            'id': self.id,
            'module_code': self.module_code,
            'name': self.name,
            'competency_id': self.competency_id,
            'level': self.level,
            'duration_hours': self.duration_hours,
        }


qualification_plan_modules = db.Table(
    'qualification_plan_modules',
    db.Column('plan_id', db.Integer, db.ForeignKey('qualification_plans.id'), primary_key=True),
    db.Column('module_id', db.Integer, db.ForeignKey('learning_modules.id'), primary_key=True),
)


class QualificationPlan(TimestampMixin, db.Model):
    """The modules a user takes to reach a target role."""

    __tablename__ = 'qualification_plans'
    __table_args__ = (
        db.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, nullable=False)
    name = db.Column(db.String(200))
    target_role = db.Column(db.String(100))
    status = db.Column(db.String(20), default='draft')

    modules = db.relationship(
        'LearningModule', secondary=qualification_plan_modules, backref='qualification_plans'
    )

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'name': self.name,
            'status': self.status,
            'modules': [m.module_code for m in self.modules],
        }


# ---------------------------------------------------------------------------
# Questionnaires
# ---------------------------------------------------------------------------
class Questionnaire(TimestampMixin, db.Model):
    """A questionnaire of one SE-QPT phase."""

    __tablename__ = 'questionnaires'

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    title = db.Column(db.String(200))
    phase = db.Column(db.Integer, nullable=False)
    questions = db.Column(db.JSON, default=list)
    is_active = db.Column(db.Boolean, default=True)

    responses = db.relationship('PhaseQuestionnaireResponse', back_populates='questionnaire')

    def to_dict(self):
        return {
            'id': self.id,
            'name': self.name,
            'title': self.title,
            'phase': self.phase,
            'questions': self.questions or [],
        }


class PhaseQuestionnaireResponse(db.Model):
    """One user's answers to one phase questionnaire."""

    __tablename__ = 'phase_questionnaire_responses'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    questionnaire_id = db.Column(db.Integer, db.ForeignKey('questionnaires.id'), nullable=False)
    phase = db.Column(db.Integer)
    responses = db.Column(db.JSON, default=dict)
    submitted_at = db.Column(db.DateTime, default=datetime.utcnow)

    questionnaire = db.relationship('Questionnaire', back_populates='responses')

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'questionnaire_id': self.questionnaire_id,
            'phase': self.phase,
            'responses': self.responses or {},
        }


# ---------------------------------------------------------------------------
# Compatibility helpers (not models)
# ---------------------------------------------------------------------------
class CompetencyCompat:
    """Compatibility wrapper: code written against the old SE-QPT competency API
    (`name`, `area`) keeps working on Derik's competency rows."""

    def __init__(self, competency):
        self._competency = competency

    @property
    def name(self):
        return self._competency.competency_name

    @property
    def area(self):
        return self._competency.competency_area

    def to_dict(self):
        return {'id': self._competency.id, 'name': self.name, 'area': self.area}


def get_user_by_email(email):
    """The SE-QPT user with this e-mail address, or None."""
    return User.query.filter_by(email=email).first()


def wrap_competencies(rows):
    """Wrap competency rows for the old SE-QPT API."""
    return [CompetencyCompat(row) for row in rows]
