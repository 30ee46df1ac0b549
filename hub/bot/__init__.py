"""The bot step as it runs today against the database (rules, surveys, NLU, timers).

To be replaced by a thin applier around the pure ``decide`` of ``automations/``."""
