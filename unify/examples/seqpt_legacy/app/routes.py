"""Main SE-QPT routes: registration, login and competency assessments."""
from datetime import datetime

from flask import Blueprint, jsonify, request

from models import (
    Assessment,  # phase 2 self-assessment
    User,  # SE-QPT users (not the MVP ones)
    db,
)
from app.learning_objectives_generator import generate_learning_objectives

main_bp = Blueprint('main', __name__)


@main_bp.route('/health')
def health():
    return jsonify({'status': 'ok'})


@main_bp.route('/api/auth/register', methods=['POST'])
def register():
    data = request.get_json() or {}
    if not data.get('username') or not data.get('email') or not data.get('password'):
        return jsonify({'error': 'username, email and password are required'}), 400
    if User.query.filter_by(username=data['username']).first():
        return jsonify({'error': 'username already taken'}), 409
    if User.query.filter_by(email=data['email']).first():
        return jsonify({'error': 'email already registered'}), 409
    user = User(
        username=data['username'],
        email=data['email'],
        display_name=data.get('display_name'),
        role=data.get('role', 'employee'),
        organization_id=data.get('organization_id'),
    )
    user.set_password(data['password'])
    db.session.add(user)
    db.session.commit()
    return jsonify({'user': user.to_dict()}), 201


@main_bp.route('/api/auth/login', methods=['POST'])
def login():
    data = request.get_json() or {}
    user = User.query.filter_by(username=data.get('username')).first()
    if user is None or not user.check_password(data.get('password', '')):
        return jsonify({'error': 'invalid credentials'}), 401
    if not user.is_active:
        return jsonify({'error': 'account disabled'}), 403
    return jsonify({'user': user.to_dict(), 'is_admin': user.is_admin})


@main_bp.route('/api/assessments', methods=['POST'])
def create_assessment():
    data = request.get_json() or {}
    user = db.session.get(User, data.get('user_id'))
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    assessment = Assessment(
        user_id=user.id,
        organization_id=user.organization_id,
        role_cluster_id=data.get('role_cluster_id'),
        assessment_type=data.get('assessment_type', 'competency'),
    )
    db.session.add(assessment)
    db.session.commit()
    return jsonify(assessment.to_dict()), 201


@main_bp.route('/api/assessments/<int:assessment_id>')
def get_assessment(assessment_id):
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        return jsonify({'error': 'not found'}), 404
    body = assessment.to_dict()
    body['learning_objectives'] = [lo.to_dict() for lo in assessment.learning_objectives]
    return jsonify(body)


@main_bp.route('/api/assessments/<int:assessment_id>/complete', methods=['POST'])
def complete_assessment(assessment_id):
    """Store the scores ({competency_id: level}) and generate learning objectives."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        return jsonify({'error': 'not found'}), 404
    scores = {int(k): int(v) for k, v in (request.get_json() or {}).get('scores', {}).items()}
    assessment.results = {str(k): v for k, v in scores.items()}
    assessment.status = 'completed'
    assessment.completed_at = datetime.utcnow()
    objectives = generate_learning_objectives(assessment, scores)
    db.session.commit()
    return jsonify({
        'assessment': assessment.to_dict(),
        'learning_objectives': [lo.to_dict() for lo in objectives],
    })


@main_bp.route('/api/assessments/<int:assessment_id>/prompt-context')
def assessment_prompt_context(assessment_id):
    from app.services.llm_pipeline.context import assessment_context

    return jsonify({'context': assessment_context(assessment_id)})


@main_bp.route('/api/users/<int:user_id>/assessments')
def user_assessments(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    return jsonify([a.to_dict() for a in user.assessments.order_by(Assessment.id)])


@main_bp.route('/api/competencies/catalogue')
def competency_catalogue_for_prompts():
    from app.services.llm_pipeline.context import competency_catalogue

    return jsonify({'competencies': competency_catalogue()})
