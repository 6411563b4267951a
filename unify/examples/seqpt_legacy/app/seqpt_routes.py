"""SE-QPT phase routes: the questionnaires of each phase and a user summary."""
from flask import Blueprint, jsonify, request

from models import *  # noqa: F401,F403  (db, Questionnaire, the user helpers)

seqpt_bp = Blueprint('seqpt', __name__, url_prefix='/seqpt')


@seqpt_bp.route('/phases/<int:phase>/questionnaires')
def phase_questionnaires(phase):
    rows = Questionnaire.query.filter_by(phase=phase, is_active=True).order_by(Questionnaire.id)
    return jsonify([q.to_dict() for q in rows])


@seqpt_bp.route('/questionnaires', methods=['POST'])
def create_questionnaire():
    data = request.get_json() or {}
    if not data.get('name') or data.get('phase') is None:
        return jsonify({'error': 'name and phase are required'}), 400
    questionnaire = Questionnaire(
        name=data['name'], title=data.get('title'), phase=int(data['phase']),
        questions=data.get('questions', []),
    )
    db.session.add(questionnaire)
    db.session.commit()
    return jsonify(questionnaire.to_dict()), 201


@seqpt_bp.route('/users/summary')
def user_summary():
    user = get_user_by_email(request.args.get('email', ''))
    if user is None:
        return jsonify({'error': 'not found'}), 404
    return jsonify({
        'user': user.to_dict(),
        'assessments': user.assessments.count(),
        'qualification_plans': len(user.qualification_plans),
    })


@seqpt_bp.route('/competencies')
def seqpt_competencies():
    """Derik's competencies under their SE-QPT name (the alias the star import brings)."""
    rows = SECompetency.query.order_by(SECompetency.id)
    return jsonify([{'id': c.id, 'name': c.competency_name} for c in rows])
