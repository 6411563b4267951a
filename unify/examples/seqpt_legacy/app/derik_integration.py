"""Derik's competency survey: participants (AppUser) and their results."""
from flask import Blueprint, jsonify, request

from unified_models import AppUser, CompetencyAssessment
from unified_models import Competency as DerikCompetency
from models import db

derik_bp = Blueprint('derik', __name__, url_prefix='/api/derik')


def record_survey(username, organization_id, scores, role_cluster_id=None):
    """Store a participant's survey scores ({competency_id: score})."""
    participant = AppUser.query.filter_by(username=username).first()
    if participant is None:
        participant = AppUser(username=username, name=username, organization_id=organization_id)
        db.session.add(participant)
        db.session.flush()
    results = []
    for competency_id, score in scores.items():
        competency = db.session.get(DerikCompetency, int(competency_id))
        if competency is None:
            raise ValueError(f'unknown competency {competency_id}')
        result = CompetencyAssessment(
            user_id=participant.id,
            organization_id=organization_id,
            competency_id=competency.id,
            role_cluster_id=role_cluster_id,
            score=int(score),
        )
        db.session.add(result)
        results.append(result)
    db.session.commit()
    return participant, results


@derik_bp.route('/survey', methods=['POST'])
def submit_survey():
    data = request.get_json() or {}
    try:
        participant, results = record_survey(
            data['username'], data.get('organization_id'), data.get('scores', {}),
            data.get('role_cluster_id'),
        )
    except (KeyError, ValueError) as exc:
        return jsonify({'error': str(exc)}), 400
    return jsonify({'user_id': participant.id, 'results': [r.to_dict() for r in results]}), 201


@derik_bp.route('/survey/<username>')
def survey_results(username):
    participant = AppUser.query.filter_by(username=username).first()
    if participant is None:
        return jsonify({'error': 'not found'}), 404
    rows = CompetencyAssessment.query.filter_by(user_id=participant.id).all()
    return jsonify([r.to_dict() for r in rows])
