"""Print row counts of every model, grouped by the module that defines it."""
import os

import models
import mvp_models
import unified_models
from app import create_app

GROUPS = {
    'models': [models.User, models.Assessment, models.LearningObjective,
               models.LearningModule, models.QualificationPlan, models.Questionnaire,
               models.PhaseQuestionnaireResponse],
    'unified_models': [unified_models.Organization, unified_models.Competency,
                       unified_models.RoleCluster, unified_models.AppUser,
                       unified_models.CompetencyAssessmentResult],
    'mvp_models': [mvp_models.MVPUser, mvp_models.MaturityAssessment, mvp_models.LearningPlan],
}


def counts():
    rows = []
    for module, classes in GROUPS.items():
        for cls in classes:
            rows.append((module, cls.__name__, cls.query.count()))
    # the MVP screens list organizations through mvp_models
    rows.append(('mvp_models', 'Organization', mvp_models.Organization.query.count()))
    return rows


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        for module, name, count in counts():
            print(f'{module:15} {name:28} {count}')
