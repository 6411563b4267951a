"""Add the 14 SE role clusters (idempotent)."""
import os

from app import create_app  # first: models must be imported before unified_models
from models import db
from unified_models import RoleCluster

ROLES = [
    'Customer', 'Customer Representative', 'Project Manager', 'System Engineer',
    'Specialist Developer', 'Production Planner/Coordinator', 'Production Employee',
    'Quality Engineer/Manager', 'Verification and Validation Operator',
    'Service Technician', 'Process and Policy Manager', 'Internal Support',
    'Innovation Management', 'Management',
]


def add_roles():
    created = 0
    for name in ROLES:
        if RoleCluster.query.filter_by(role_cluster_name=name).first() is None:
            db.session.add(RoleCluster(role_cluster_name=name))
            created += 1
    db.session.commit()
    return created


if __name__ == '__main__':
    app = create_app({'SQLALCHEMY_DATABASE_URI': os.environ.get('DATABASE_URL', 'sqlite:///seqpt.db')})
    with app.app_context():
        print(f'{add_roles()} role clusters added')
