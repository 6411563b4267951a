"""REST API: organizations, competencies, role clusters and their matrix."""
from flask import Blueprint, jsonify, request

import models
from unified_models import Organization, RoleCluster
from app import competency_service

api_bp = Blueprint('api', __name__, url_prefix='/api')


@api_bp.route('/organizations', methods=['POST'])
def create_organization():
    data = request.get_json() or {}
    if not data.get('organization_name'):
        return jsonify({'error': 'organization_name is required'}), 400
    organization = Organization(
        organization_name=data['organization_name'],
        organization_public_key=data.get('organization_public_key'),
        size=data.get('size'),
    )
    models.db.session.add(organization)
    models.db.session.commit()
    return jsonify(organization.to_dict()), 201


@api_bp.route('/organizations/<int:organization_id>')
def get_organization(organization_id):
    organization = models.db.session.get(Organization, organization_id)
    if organization is None:
        return jsonify({'error': 'not found'}), 404
    body = organization.to_dict()
    body['users'] = [u.username for u in organization.users]
    body['maturity_score'] = organization.maturity_score
    return jsonify(body)


@api_bp.route('/competencies', methods=['GET'])
def list_competencies():
    rows = competency_service.list_competencies(request.args.get('area'))
    return jsonify([c.to_dict() for c in rows])


@api_bp.route('/competencies', methods=['POST'])
def create_competency():
    data = request.get_json() or {}
    if not data.get('competency_name'):
        return jsonify({'error': 'competency_name is required'}), 400
    competency = competency_service.create_competency(
        data['competency_name'], data.get('competency_area'), data.get('description')
    )
    return jsonify(competency.to_dict()), 201


@api_bp.route('/competencies/legacy')
def list_competencies_legacy():
    """The old SE-QPT shape ({name, area}), through the compatibility wrapper."""
    rows = competency_service.list_competencies()
    return jsonify([c.to_dict() for c in models.wrap_competencies(rows)])


@api_bp.route('/roles', methods=['POST'])
def create_role():
    data = request.get_json() or {}
    if not data.get('role_cluster_name'):
        return jsonify({'error': 'role_cluster_name is required'}), 400
    role = RoleCluster(
        role_cluster_name=data['role_cluster_name'],
        role_cluster_description=data.get('role_cluster_description'),
    )
    models.db.session.add(role)
    models.db.session.commit()
    return jsonify(role.to_dict()), 201


@api_bp.route('/roles/<int:role_id>/competencies', methods=['POST'])
def assign_competency(role_id):
    data = request.get_json() or {}
    levels = competency_service.assign_competency(
        role_id, data.get('competency_id'), int(data.get('level', 0))
    )
    if levels is None:
        return jsonify({'error': 'unknown role or competency'}), 404
    return jsonify({str(k): v for k, v in levels.items()})


@api_bp.route('/roles/<int:role_id>/competencies')
def role_competencies(role_id):
    role = models.db.session.get(RoleCluster, role_id)
    if role is None:
        return jsonify({'error': 'not found'}), 404
    levels = competency_service.required_levels(role.id)
    return jsonify({
        'role': role.role_cluster_name,
        'competencies': [
            {'id': c.id, 'name': c.competency_name, 'level': levels.get(c.id, 0)}
            for c in role.competencies
        ],
    })
