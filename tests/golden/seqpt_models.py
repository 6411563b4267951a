"""Unified models: every model of the application, in the plan's sections.

Built by `unify build` from the legacy modules models, mvp_models, unified_models
(decisions in unify.toml).  The legacy names stay importable from
models_compat until every import points here.
"""

import uuid
from datetime import datetime
from typing import Optional

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash


# =============================================================================
# SECTION 1: DATABASE INITIALISATION
# =============================================================================

db = SQLAlchemy()


class TimestampMixin:
    """created_at / updated_at columns shared by the SE-QPT tables."""

    created_at = db.Column(db.DateTime, default=datetime.utcnow)
    updated_at = db.Column(db.DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)


# =============================================================================
# HELPERS KEPT FROM THE LEGACY MODULES (NOT MODELS)
# =============================================================================

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


def generate_uuid():
    return str(uuid.uuid4())


def get_competency_matrix(role_cluster_id):
    """{competency_id: required level} for one role cluster."""
    rows = db.session.execute(
        db.select(
            role_competency_matrix.c.competency_id,
            role_competency_matrix.c.role_competency_value,
        ).where(role_competency_matrix.c.role_cluster_id == role_cluster_id)
    )
    return {competency_id: value for competency_id, value in rows}


def set_role_competency(role_cluster_id, competency_id, value):
    """Insert or update one cell of the role/competency matrix."""
    table = role_competency_matrix
    where = (table.c.role_cluster_id == role_cluster_id) & (table.c.competency_id == competency_id)
    exists = db.session.execute(db.select(table.c.competency_id).where(where)).first()
    if exists:
        db.session.execute(table.update().where(where).values(role_competency_value=value))
    else:
        db.session.execute(
            table.insert().values(
                role_cluster_id=role_cluster_id,
                competency_id=competency_id,
                role_competency_value=value,
            )
        )


# =============================================================================
# SECTION 2: CORE ENTITIES
# =============================================================================

class Organization(db.Model):
    """An organization taking part in the qualification (Derik's singular table)."""

    __tablename__ = 'organization'

    id = db.Column(db.Integer, primary_key=True)
    organization_name = db.Column(db.String(255), nullable=False)
    organization_public_key = db.Column(db.String(50), unique=True)
    size = db.Column(db.String(20))
    maturity_score = db.Column(db.Float)

    def to_dict(self):
        return {
            'id': self.id,
            'organization_name': self.organization_name,
            'organization_public_key': self.organization_public_key,
            'size': self.size,
        }


class Competency(db.Model):
    """One of the SE competencies."""

    __tablename__ = 'competency'

    id = db.Column(db.Integer, primary_key=True)
    competency_name = db.Column(db.String(255), nullable=False)
    competency_area = db.Column(db.String(50))
    description = db.Column(db.Text)
    why_it_matters = db.Column(db.Text)

    def to_dict(self):
        return {
            'id': self.id,
            'competency_name': self.competency_name,
            'competency_area': self.competency_area,
            'description': self.description,
        }

    # --- merged from models.Competency ---

    # id, competency_name, competency_area, description: from unified_models' table
    seqpt_category = db.Column(db.String(50))


role_competency_matrix = db.Table(
    'role_competency_matrix',
    db.Column('role_cluster_id', db.Integer, db.ForeignKey('role_cluster.id'), primary_key=True),
    db.Column('competency_id', db.Integer, db.ForeignKey('competency.id'), primary_key=True),
    db.Column('role_competency_value', db.Integer, default=0),
)


class RoleCluster(db.Model):
    """An SE role cluster (e.g. 'System Engineer', 'Quality Engineer')."""

    __tablename__ = 'role_cluster'

    id = db.Column(db.Integer, primary_key=True)
    role_cluster_name = db.Column(db.String(255), nullable=False, unique=True)
    role_cluster_description = db.Column(db.Text)

    competencies = db.relationship(
        'Competency', secondary=role_competency_matrix, backref='role_clusters'
    )

    def to_dict(self):
        return {
            'id': self.id,
            'role_cluster_name': self.role_cluster_name,
            'role_cluster_description': self.role_cluster_description,
        }


# =============================================================================
# SECTION 3: USER MANAGEMENT
# =============================================================================

# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
class User(TimestampMixin, db.Model):
    """SE-QPT user: an admin or employee of an organization."""

    __tablename__ = 'users'

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, index=True)  # required by the routes
    email = db.Column(db.String(120), unique=True, nullable=False, index=True)
    password_hash = db.Column(db.String(255))
    display_name = db.Column(db.String(200))
    role = db.Column(db.String(20), default='employee')  # 'admin' or 'employee'
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    is_active = db.Column(db.Boolean, default=True)

    organization = db.relationship('Organization', backref='users')
    assessments = db.relationship('Assessment', back_populates='user', lazy='dynamic')
    qualification_plans = db.relationship('QualificationPlan', backref='user')

    def set_password(self, password):
        # pbkdf2 keeps the hash inside String(128)
        self.password_hash = generate_password_hash(password, method='pbkdf2:sha256')

    def check_password(self, password):
        return check_password_hash(self.password_hash or '', password)

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

    # --- merged from mvp_models.MVPUser ---
    first_name = db.Column(db.String(100))
    last_name = db.Column(db.String(100))
    user_type = db.Column(db.String(20), default='employee')  # 'admin' or 'employee'
    last_login = db.Column(db.DateTime)

    learning_plans = db.relationship('LearningPlan', back_populates='user', lazy=True)

    @property
    def full_name(self):
        """First and last name, as the MVP screens show it."""
        return f'{self.first_name or ""} {self.last_name or ""}'.strip()

    def record_login(self):
        self.last_login = datetime.utcnow()


class AppUser(db.Model):
    """A survey participant (no login; identified by username)."""

    __tablename__ = 'app_user'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    name = db.Column(db.String(100))
    username = db.Column(db.String(50), unique=True, nullable=False)
    tasks_responsibilities = db.Column(db.JSON)

    organization = db.relationship('Organization', backref='app_users')


class LoginEvent(db.Model):
    """One MVP sign-in, as the MVP admin page lists them."""

    __tablename__ = 'login_events'

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    logged_in_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('User', backref='login_events')


# =============================================================================
# SECTION 4: ASSESSMENT AND RESULTS
# =============================================================================

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


class CompetencyAssessmentResult(db.Model):
    """A participant's score for one competency (table name derived by Flask-SQLAlchemy)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('app_user.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    competency_id = db.Column(db.Integer, db.ForeignKey('competency.id'), nullable=False)
    role_cluster_id = db.Column(db.Integer, db.ForeignKey('role_cluster.id'))
    score = db.Column(db.Integer, nullable=False)
    submitted_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship(
        'AppUser', foreign_keys='CompetencyAssessmentResult.user_id', backref='assessment_results'
    )
    competency = db.relationship('Competency')

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'competency_id': self.competency_id,
            'score': self.score,
        }


class MaturityAssessment(db.Model):
    """Organizational SE maturity, answered by an MVP admin."""

    __tablename__ = 'maturity_assessments'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    scope_score = db.Column(db.Float)
    process_score = db.Column(db.Float)
    overall_maturity = db.Column(db.Float)
    answers = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('User', backref='maturity_assessments')

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


# =============================================================================
# SECTION 5: LEARNING AND QUALIFICATION
# =============================================================================

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


class LearningPlan(db.Model):
    """An MVP learning plan: a list of objectives for one MVP user."""

    __tablename__ = 'learning_plans'

    id = db.Column(db.String(36), primary_key=True, default=generate_uuid)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    objectives = db.Column(db.JSON, default=list)
    status = db.Column(db.String(20), default='active')
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship('User', back_populates='learning_plans')

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'objectives': self.objectives or [],
            'status': self.status,
        }


# =============================================================================
# SECTION 6: QUESTIONNAIRES AND SURVEYS
# =============================================================================

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
