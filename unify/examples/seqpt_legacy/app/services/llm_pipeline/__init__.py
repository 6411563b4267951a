"""Text generation for learning objectives (offline templates stand in for the LLM)."""
from .templates import LEVEL_NAMES, phrase_objective

__all__ = ['LEVEL_NAMES', 'phrase_objective']
