"""Hand-written unified module for the verify tests (what `unify build` makes of the legacy trio)."""

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


# SECTION 2: CORE ENTITIES
class Organization(db.Model):
    __tablename__ = "organization"
    id = db.Column(db.Integer, primary_key=True)
    organization_name = db.Column(db.String(255), nullable=False)
    organization_public_key = db.Column(db.String(50), unique=True)


class Competency(db.Model):
    __tablename__ = "competency"
    id = db.Column(db.Integer, primary_key=True)
    competency_name = db.Column(db.String(255), nullable=False)


class RoleCluster(db.Model):
    __tablename__ = "role_cluster"
    id = db.Column(db.Integer, primary_key=True)
    role_cluster_name = db.Column(db.String(255), nullable=False, unique=True)


# SECTION 3: USER MANAGEMENT
class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255))
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    organization = db.relationship("Organization", backref="users")


class AppUser(db.Model):
    __tablename__ = "app_user"
    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    name = db.Column(db.String(100))
    username = db.Column(db.String(50), unique=True, nullable=False)


# SECTION 4: ASSESSMENT AND RESULTS
class Assessment(db.Model):
    __tablename__ = "assessments"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id", ondelete="CASCADE"))
    role_cluster_id = db.Column(db.Integer, db.ForeignKey("role_cluster.id"))


class CompetencyAssessmentResult(db.Model):
    __tablename__ = "competency_assessment_result"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("app_user.id"), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey("competency.id"), nullable=False)
    score = db.Column(db.Integer)


class MaturityAssessment(db.Model):
    __tablename__ = "maturity_assessments"
    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    score = db.Column(db.Integer)


# SECTION 5: LEARNING AND QUALIFICATION
class LearningObjective(db.Model):
    __tablename__ = "learning_objectives"
    id = db.Column(db.Integer, primary_key=True)
    assessment_id = db.Column(db.Integer, db.ForeignKey("assessments.id"))
    objective_text = db.Column(db.String(200))


# SECTION 6: QUESTIONNAIRES AND SURVEYS
class Questionnaire(db.Model):
    __tablename__ = "questionnaire"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False)
