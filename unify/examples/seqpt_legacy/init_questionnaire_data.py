"""Load the phase questionnaires (idempotent)."""
import os

from app import create_app
from models import db, Questionnaire

QUESTIONNAIRES = [
    {'name': 'phase1_maturity', 'title': 'SE maturity', 'phase': 1,
     'questions': [{'id': 'q1', 'text': 'How are SE roles defined?'},
                   {'id': 'q2', 'text': 'How are requirements managed?'}]},
    {'name': 'phase1_archetype', 'title': 'Qualification archetype', 'phase': 1,
     'questions': [{'id': 'q1', 'text': 'Which learning formats do you prefer?'}]},
    {'name': 'phase2_competency', 'title': 'Competency self-assessment', 'phase': 2,
     'questions': [{'id': 'q1', 'text': 'Systems thinking'},
                   {'id': 'q2', 'text': 'Requirements definition'}]},
]


def load_questionnaires():
    created = 0
    for spec in QUESTIONNAIRES:
        if Questionnaire.query.filter_by(name=spec['name']).first() is None:
            db.session.add(Questionnaire(**spec))
            created += 1
    db.session.commit()
    return created


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print(f'{load_questionnaires()} questionnaires created')
