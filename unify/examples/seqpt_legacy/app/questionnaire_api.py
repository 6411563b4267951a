"""Questionnaire responses API (phase answers of SE-QPT users)."""
from flask import Blueprint, jsonify, request

questionnaire_bp = Blueprint('questionnaire', __name__, url_prefix='/api/questionnaires')


@questionnaire_bp.route('/<int:questionnaire_id>/responses', methods=['POST'])
def submit_response(questionnaire_id):
    # imported here: models pulls in unified_models, which is slow at startup
    from models import PhaseQuestionnaireResponse, Questionnaire, User, db

    data = request.get_json() or {}
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    user = db.session.get(User, data.get('user_id'))
    if questionnaire is None or user is None:
        return jsonify({'error': 'unknown questionnaire or user'}), 404
    answers = data.get('responses') or {}
    known = {str(q.get('id')) for q in questionnaire.questions or []}
    unknown = sorted(set(answers) - known)
    if unknown:
        return jsonify({'error': f'unknown questions: {", ".join(unknown)}'}), 400
    response = PhaseQuestionnaireResponse(
        user_id=user.id,
        questionnaire_id=questionnaire.id,
        phase=questionnaire.phase,
        responses=answers,
    )
    db.session.add(response)
    db.session.commit()
    return jsonify(response.to_dict()), 201


@questionnaire_bp.route('/<int:questionnaire_id>/responses')
def list_responses(questionnaire_id):
    from models import PhaseQuestionnaireResponse

    rows = PhaseQuestionnaireResponse.query.filter_by(questionnaire_id=questionnaire_id)
    return jsonify([r.to_dict() for r in rows.order_by(PhaseQuestionnaireResponse.id)])
