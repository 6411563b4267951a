"""Learning module library and qualification plans."""
from flask import Blueprint, jsonify, request

from .models_bridge import LearningModule, db
from app.models_bridge import QualificationPlan, User

module_bp = Blueprint('modules', __name__, url_prefix='/api')


@module_bp.route('/modules', methods=['POST'])
def create_module():
    data = request.get_json() or {}
    if not data.get('module_code') or not data.get('name'):
        return jsonify({'error': 'module_code and name are required'}), 400
    module = LearningModule(
        module_code=data['module_code'], name=data['name'],
        competency_id=data.get('competency_id'), level=data.get('level', 1),
        duration_hours=data.get('duration_hours'),
    )
    db.session.add(module)
    db.session.commit()
    return jsonify(module.to_dict()), 201


@module_bp.route('/modules')
def list_modules():
    query = LearningModule.query
    if request.args.get('competency_id'):
        query = query.filter_by(competency_id=int(request.args['competency_id']))
    return jsonify([m.to_dict() for m in query.order_by(LearningModule.module_code)])


@module_bp.route('/qualification-plans', methods=['POST'])
def create_plan():
    data = request.get_json() or {}
    user = db.session.get(User, data.get('user_id'))
    if user is None:
        return jsonify({'error': 'unknown user'}), 404
    codes = data.get('module_codes', [])
    modules = LearningModule.query.filter(LearningModule.module_code.in_(codes)).all()
    if len(modules) != len(set(codes)):
        return jsonify({'error': 'unknown module code'}), 400
    plan = QualificationPlan(user_id=user.id, name=data.get('name'),
                             target_role=data.get('target_role'), modules=modules)
    db.session.add(plan)
    db.session.commit()
    return jsonify(plan.to_dict()), 201
