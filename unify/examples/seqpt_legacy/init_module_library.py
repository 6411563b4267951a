"""Load the learning module library (idempotent)."""
import os

from app import create_app
from app.models_bridge import LearningModule, db

MODULES = [
    ('SE-101', 'Systems thinking basics', 1, 8.0),
    ('SE-201', 'Requirements engineering', 2, 16.0),
    ('SE-301', 'Architecture design', 3, 24.0),
    ('SE-401', 'Verification and validation', 3, 16.0),
]


def load_modules():
    created = 0
    for code, name, level, hours in MODULES:
        if LearningModule.query.filter_by(module_code=code).first() is None:
            db.session.add(LearningModule(module_code=code, name=name, level=level,
                                          duration_hours=hours))
            created += 1
    db.session.commit()
    return created


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print(f'{load_modules()} modules created')
