"""Admin views: counts across the three schemas, and the (old) results export."""
from flask import Blueprint, jsonify

import unified_models as um
import mvp_models as mvp
from models import User

admin_bp = Blueprint('admin', __name__, url_prefix='/admin')


@admin_bp.route('/stats')
def stats():
    return jsonify({
        'organizations': um.Organization.query.count(),
        'role_clusters': um.RoleCluster.query.count(),
        'competencies': um.Competency.query.count(),
        'survey_results': um.CompetencyAssessment.query.count(),
        'users': User.query.count(),
        'mvp_users': mvp.MVPUser.query.count(),
    })


@admin_bp.route('/roles/<name>')
def role_by_name(name):
    role = um.RoleCluster.query.filter_by(role_cluster_name=name).first()
    if role is None:
        return jsonify({'error': 'not found'}), 404
    return jsonify(role.to_dict())


def export_assessment_results(assessment_id):
    """CSV rows of one assessment's survey results.

    Written against the SE-QPT assessment ids; never wired to a route.
    """
    query = um.CompetencyAssessment.query.filter_by(assessment_id=assessment_id)
    rows = query.order_by(um.CompetencyAssessment.created_at).all()
    return [(r.competency.competency_name, r.score) for r in rows]
