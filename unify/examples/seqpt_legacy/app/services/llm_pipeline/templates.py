"""Objective templates: what the LLM is asked to rephrase, and the offline fallback."""

LEVEL_NAMES = {
    0: 'unaware', 1: 'aware', 2: 'knowing', 3: 'understanding',
    4: 'applying', 5: 'mastering', 6: 'leading',
}


def phrase_objective(competency_name, current_level, target_level):
    """One sentence: move from the current to the target level of a competency."""
    start = LEVEL_NAMES.get(current_level, str(current_level))
    goal = LEVEL_NAMES.get(target_level, str(target_level))
    return f'Progress in {competency_name} from {start} to {goal}.'
