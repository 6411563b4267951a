"""Compatibility module (temporary): every name the legacy model modules provided.

Built by `unify build`.  Old imports keep working through it during the migration;
import from models instead, and delete this module once nothing imports it.
"""

from models import (  # noqa: F401
    AppUser,
    Assessment,
    Competency,
    CompetencyAssessmentResult,
    CompetencyCompat,
    LearningModule,
    LearningObjective,
    LearningPlan,
    LoginEvent,
    MaturityAssessment,
    Organization,
    PhaseQuestionnaireResponse,
    QualificationPlan,
    Questionnaire,
    RoleCluster,
    TimestampMixin,
    User,
    db,
    generate_uuid,
    get_competency_matrix,
    get_user_by_email,
    qualification_plan_modules,
    role_competency_matrix,
    set_role_competency,
    wrap_competencies,
)

# Legacy names of renamed or merged classes
CompetencyAssessment = CompetencyAssessmentResult
MVPUser = User
PortalUserV2 = User
SECompetency = Competency
SERole = RoleCluster
