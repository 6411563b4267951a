from accounts import User, db
from legacy_accounts import Badge, LegacyUser

__all__ = ['Badge', 'LegacyUser', 'User', 'db']
