"""Derik's competency assessment models.

Organizations, the SE competencies, role clusters and the role/competency matrix,
survey participants (AppUser) and their competency survey results.
"""
from datetime import datetime

db = None  # bound by _get_db(): models.py owns the one SQLAlchemy() instance


def _get_db():
    """Fetch the shared `db` from models.py.

    Imported here, not at the top, because models.py imports this module too.
    """
    global db
    if db is None:
        from models import db as shared_db

        db = shared_db
    return db


_get_db()


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
        Competency, secondary=role_competency_matrix, backref='role_clusters'
    )

    def to_dict(self):
        return {
            'id': self.id,
            'role_cluster_name': self.role_cluster_name,
            'role_cluster_description': self.role_cluster_description,
        }


class AppUser(db.Model):
    """A survey participant (no login; identified by username)."""

    __tablename__ = 'app_user'

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    name = db.Column(db.String(100))
    username = db.Column(db.String(50), unique=True, nullable=False)
    tasks_responsibilities = db.Column(db.JSON)

    organization = db.relationship(Organization, backref='app_users')


class CompetencyAssessmentResult(db.Model):
    """A participant's score for one competency (table name derived by Flask-SQLAlchemy)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('app_user.id'), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey('organization.id'))
    competency_id = db.Column(db.Integer, db.ForeignKey(Competency.id), nullable=False)
    role_cluster_id = db.Column(db.Integer, db.ForeignKey('role_cluster.id'))
    score = db.Column(db.Integer, nullable=False)
    submitted_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship(
        'AppUser', foreign_keys='CompetencyAssessmentResult.user_id', backref='assessment_results'
    )
    competency = db.relationship(Competency)

    def to_dict(self):
        return {
            'id': self.id,
            'user_id': self.user_id,
            'competency_id': self.competency_id,
            'score': self.score,
        }


# Old name, still used by the Derik integration.
CompetencyAssessment = CompetencyAssessmentResult


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
