"""Print row counts of every model, grouped by the module that defines it."""
import os

import models
import mvp_models
import unified_models
from app import create_app

GROUPS = {
    'models': [('User', models.User), ('Assessment', models.Assessment),
               ('LearningObjective', models.LearningObjective),
               ('LearningModule', models.LearningModule),
               ('QualificationPlan', models.QualificationPlan),
               ('Questionnaire', models.Questionnaire),
               ('PhaseQuestionnaireResponse', models.PhaseQuestionnaireResponse)],
    'unified_models': [('Organization', unified_models.Organization),
                       ('Competency', unified_models.Competency),
                       ('RoleCluster', unified_models.RoleCluster),
                       ('AppUser', unified_models.AppUser),
                       ('CompetencyAssessmentResult', unified_models.CompetencyAssessmentResult)],
    'mvp_models': [('MVPUser', mvp_models.MVPUser),
                   ('MaturityAssessment', mvp_models.MaturityAssessment),
                   ('LearningPlan', mvp_models.LearningPlan)],
}


def counts():
    rows = []
    for module, classes in GROUPS.items():
        for label, cls in classes:
            rows.append((module, label, cls.query.count()))
    # the MVP screens list organizations through mvp_models
    rows.append(('mvp_models', 'Organization', mvp_models.Organization.query.count()))
    return rows


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        for module, name, count in counts():
            print(f'{module:15} {name:28} {count}')
