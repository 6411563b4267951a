"""SE-QPT backend: the Flask application factory."""
from flask import Flask
from sqlalchemy import text

from models import db

DEFAULT_CONFIG = {
    'SQLALCHEMY_DATABASE_URI': 'sqlite:///:memory:',
    'SQLALCHEMY_TRACK_MODIFICATIONS': False,
    'SECRET_KEY': 'dev-only-not-secret',
}

# mvp_models points MVPUser.organization_id at 'organizations' (plural), the table the
# MVP prototype created by hand; no model defines it.  SQLAlchemy cannot create or even
# flush mvp_users while that foreign key is unresolved, so the table is created here
# with raw SQL (when missing) and reflected into the shared metadata before create_all.
LEGACY_ORGANIZATIONS_DDL = (
    'CREATE TABLE IF NOT EXISTS organizations (id VARCHAR(36) PRIMARY KEY, name VARCHAR(255))'
)


def create_app(config=None):
    """Build the app; `config` overrides DEFAULT_CONFIG (tests pass a SQLite URI)."""
    app = Flask(__name__)
    app.config.update(DEFAULT_CONFIG)
    if config:
        app.config.update(config)
    db.init_app(app)
    register_blueprints(app)
    with app.app_context():
        init_schema()
    return app


def register_blueprints(app):
    from app.admin import admin_bp
    from app.api import api_bp
    from app.derik_integration import derik_bp
    from app.module_api import module_bp
    from app.mvp_routes import mvp_bp
    from app.questionnaire_api import questionnaire_bp
    from app.routes import main_bp
    from app.seqpt_routes import seqpt_bp

    for blueprint in (main_bp, mvp_bp, api_bp, admin_bp, derik_bp, seqpt_bp,
                      questionnaire_bp, module_bp):
        app.register_blueprint(blueprint)


def init_schema():
    """Create every table the models declare (needs an app context)."""
    import mvp_models  # noqa: F401  registers the MVP tables on db.metadata

    with db.engine.begin() as conn:
        conn.execute(text(LEGACY_ORGANIZATIONS_DDL))
    db.metadata.reflect(bind=db.engine, only=['organizations'])
    db.create_all()
