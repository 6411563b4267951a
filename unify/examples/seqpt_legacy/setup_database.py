"""Create the schema and a first organization with its MVP admin.

DATABASE_URL=sqlite:///seqpt.db python setup_database.py
"""
import os

import mvp_models as mvp
from app import create_app
from models import db


def setup(database_url):
    app = create_app({'SQLALCHEMY_DATABASE_URI': database_url})
    with app.app_context():
        organization = mvp.Organization.query.filter_by(organization_public_key='DEMO').first()
        if organization is None:
            organization = mvp.Organization(organization_name='Demo GmbH',
                                            organization_public_key='DEMO', size='medium')
            db.session.add(organization)
        if mvp.MVPUser.query.filter_by(email='admin@demo.example').first() is None:
            admin = mvp.MVPUser(email='admin@demo.example', first_name='Demo',
                                last_name='Admin', user_type='admin')
            admin.set_password('change-me')
            db.session.add(admin)
        db.session.commit()
        return organization.id


if __name__ == '__main__':
    org_id = setup(os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db'))
    print(f'schema ready; demo organization id {org_id}')
