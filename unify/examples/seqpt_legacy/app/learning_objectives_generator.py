"""Learning objectives from an assessment: one per competency below the role's level."""
from models import LearningObjective, db
from unified_models import Competency
from app.competency_service import required_levels
from app.services.llm_pipeline import phrase_objective

PRIORITY_ORDER = ('high', 'medium', 'low')


def priority_for(gap):
    if gap >= 3:
        return 'high'
    return 'medium' if gap == 2 else 'low'


def generate_learning_objectives(assessment, scores):
    """Replace the assessment's objectives with one per competency gap.

    `scores` maps competency ids to the assessed level (0-6).  Without a role
    cluster every assessed competency targets level 4.
    """
    targets = required_levels(assessment.role_cluster_id) if assessment.role_cluster_id else {}
    assessment.learning_objectives.clear()
    objectives = []
    for competency_id, level in sorted(scores.items()):
        target = targets.get(competency_id, 4)
        if level >= target:
            continue
        competency = db.session.get(Competency, competency_id)
        name = competency.competency_name if competency else f'competency {competency_id}'
        objective = LearningObjective(
            competency_id=competency_id,
            current_level=level,
            target_level=target,
            priority=priority_for(target - level),
            text=phrase_objective(name, level, target),
        )
        assessment.learning_objectives.append(objective)
        objectives.append(objective)
    objectives.sort(key=lambda o: PRIORITY_ORDER.index(o.priority))
    return objectives
