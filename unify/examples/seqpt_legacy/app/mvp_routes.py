"""MVP routes (the first prototype's API): MVP users, maturity, learning plans."""
from flask import Blueprint, jsonify, request

from mvp_models import LearningPlan, MaturityAssessment, MVPUser, PortalUserV2, db
from mvp_models import Organization

mvp_bp = Blueprint('mvp', __name__, url_prefix='/mvp')


@mvp_bp.route('/register', methods=['POST'])
def register():
    data = request.get_json() or {}
    if not data.get('email') or not data.get('password'):
        return jsonify({'error': 'email and password are required'}), 400
    if MVPUser.query.filter_by(email=data['email']).first():
        return jsonify({'error': 'email already registered'}), 409
    user = MVPUser(
        email=data['email'],
        first_name=data.get('first_name'),
        last_name=data.get('last_name'),
        user_type=data.get('user_type', 'employee'),
    )
    user.set_password(data['password'])
    db.session.add(user)
    db.session.commit()
    return jsonify({'user': user.to_dict()}), 201


@mvp_bp.route('/login', methods=['POST'])
def login():
    data = request.get_json() or {}
    user = MVPUser.query.filter_by(email=data.get('email')).first()
    if user is None or not user.check_password(data.get('password', '')):
        return jsonify({'error': 'invalid credentials'}), 401
    user.record_login()
    db.session.commit()
    return jsonify({'user': user.to_dict(), 'full_name': user.full_name})


@mvp_bp.route('/maturity', methods=['POST'])
def create_maturity_assessment():
    data = request.get_json() or {}
    user = db.session.get(MVPUser, data.get('user_id'))
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    organization = None
    if data.get('organization_id') is not None:
        organization = db.session.get(Organization, int(data['organization_id']))
        if organization is None:
            return jsonify({'error': 'unknown organization'}), 404
    assessment = MaturityAssessment(
        user_id=user.id,
        organization_id=organization.id if organization else None,
        scope_score=data.get('scope_score'),
        process_score=data.get('process_score'),
        answers=data.get('answers'),
    )
    assessment.compute_overall()
    if organization is not None:
        organization.maturity_score = assessment.overall_maturity
    db.session.add(assessment)
    db.session.commit()
    return jsonify(assessment.to_dict()), 201


@mvp_bp.route('/users/<user_id>/maturity')
def list_maturity(user_id):
    user = db.session.get(MVPUser, user_id)
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    return jsonify([a.to_dict() for a in user.maturity_assessments])


@mvp_bp.route('/learning-plans', methods=['POST'])
def create_learning_plan():
    data = request.get_json() or {}
    user = db.session.get(MVPUser, data.get('user_id'))
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    plan = LearningPlan(user_id=user.id, objectives=data.get('objectives', []))
    db.session.add(plan)
    db.session.commit()
    return jsonify(plan.to_dict()), 201


@mvp_bp.route('/users/<user_id>/learning-plans')
def list_learning_plans(user_id):
    user = db.session.get(MVPUser, user_id)
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    return jsonify([plan.to_dict() for plan in user.learning_plans])


@mvp_bp.route('/portal/register', methods=['POST'])
def portal_register():
    data = request.get_json() or {}
    if not data.get('email') or not data.get('password'):
        return jsonify({'error': 'email and password are required'}), 400
    if PortalUserV2.query.filter_by(email=data['email']).first():
        return jsonify({'error': 'email already registered'}), 409
    account = PortalUserV2(email=data['email'], organization_id=data.get('organization_id'))
    account.set_password(data['password'])
    db.session.add(account)
    db.session.commit()
    return jsonify({'id': account.id, 'email': account.email,
                    'organization_id': account.organization_id}), 201


@mvp_bp.route('/portal/login', methods=['POST'])
def portal_login():
    data = request.get_json() or {}
    account = PortalUserV2.query.filter_by(email=data.get('email')).first()
    if account is None or not account.check_password(data.get('password', '')):
        return jsonify({'error': 'invalid credentials'}), 401
    return jsonify({'id': account.id, 'email': account.email})
