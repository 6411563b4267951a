"""Prompt context for the LLM pipeline: what the model is told about a user."""
import models as seqpt_models


def assessment_context(assessment_id):
    """A plain-text summary of one assessment, for the prompt."""
    assessment = seqpt_models.db.session.get(seqpt_models.Assessment, assessment_id)
    if assessment is None:
        return ''
    lines = [f'Assessment {assessment.id} ({assessment.assessment_type}, {assessment.status})']
    for objective in assessment.learning_objectives:
        lines.append(f'- {objective.text} [{objective.priority}]')
    return '\n'.join(lines)


def competency_catalogue():
    """Names of all competencies, via the SE-QPT alias of Derik's model."""
    return [c.competency_name for c in seqpt_models.SECompetency.query.order_by('id')]
