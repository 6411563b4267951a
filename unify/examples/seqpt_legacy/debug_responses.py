"""Dump questionnaire responses next to the MVP user table, for debugging.

Older versions did `from mvp_models import MVPUser` at the top, which broke when
mvp_models failed to import; the module is now loaded on demand.
"""
import importlib
import os

from app import create_app
from models import PhaseQuestionnaireResponse


def load_mvp_user_model():
    module = importlib.import_module("mvp_models")
    return getattr(module, 'MVPUser')


def dump():
    mvp_user = load_mvp_user_model()
    lines = [f'{mvp_user.query.count()} MVP users']
    for response in PhaseQuestionnaireResponse.query.order_by(PhaseQuestionnaireResponse.id):
        lines.append(f'#{response.id} user={response.user_id} phase={response.phase} '
                     f'{sorted((response.responses or {}).items())}')
    return lines


# Derik's tables, loaded on demand like the MVP ones.
DERIK_MODELS = 'unified_models'


def load_derik_models():
    return importlib.import_module(DERIK_MODELS)


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print('\n'.join(dump()))
