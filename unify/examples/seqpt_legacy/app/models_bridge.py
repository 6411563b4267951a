"""Model names for code inside the `app` package.

The model modules live at the backend root; code in `app` imports them from here
(`from .models_bridge import ...` / `from app.models_bridge import ...`).
"""
from models import (
    LearningModule,
    LearningObjective,
    QualificationPlan,
    User,
    db,
)

__all__ = ['LearningModule', 'LearningObjective', 'QualificationPlan', 'User', 'db']
