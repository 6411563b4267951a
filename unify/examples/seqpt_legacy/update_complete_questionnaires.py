"""Mark questionnaires inactive once every SE-QPT user has answered them."""
import os

from app import create_app
from models import (
    PhaseQuestionnaireResponse,  # answers
    Questionnaire,  # phase definitions
    User,
    db,
)


def complete_questionnaires():
    users = User.query.count()
    closed = []
    for questionnaire in Questionnaire.query.filter_by(is_active=True):
        answered = (PhaseQuestionnaireResponse.query
                    .filter_by(questionnaire_id=questionnaire.id)
                    .with_entities(PhaseQuestionnaireResponse.user_id).distinct().count())
        if users and answered >= users:
            questionnaire.is_active = False
            closed.append(questionnaire.name)
    db.session.commit()
    return closed


def load_templates():
    """Templates of the 2024 questionnaire format (never used since the rewrite)."""
    from unified_models import QuestionnaireTemplate

    return QuestionnaireTemplate.query.all()


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print('closed:', ', '.join(complete_questionnaires()) or 'none')
