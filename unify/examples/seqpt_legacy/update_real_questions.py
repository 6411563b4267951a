"""Replace the phase 2 placeholder questions by the real competency questions."""
import os

from app import create_app
# from unified_models import Questionnaire  -- moved to models.py
from models import Questionnaire, db

REAL_QUESTIONS = [
    {'id': 'q1', 'text': 'I can describe the system as a whole and its context.'},
    {'id': 'q2', 'text': 'I can derive and trace requirements.'},
    {'id': 'q3', 'text': 'I can plan verification against requirements.'},
]


def update_questions(name='phase2_competency'):
    questionnaire = Questionnaire.query.filter_by(name=name).first()
    if questionnaire is None:
        return False
    questionnaire.questions = REAL_QUESTIONS
    db.session.commit()
    return True


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print('updated' if update_questions() else 'questionnaire not found')
