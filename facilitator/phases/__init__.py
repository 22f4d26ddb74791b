"""Phase kinds, one package each (see docs/architecture.md, "Phase kinds").

This module stays light: `check-models` reaches every kind's settings through
`SETTINGS_MODULES` without Flask or SQLAlchemy. The app-level implementations are
found through `facilitator.phases.registry`.
"""

from __future__ import annotations

from importlib import import_module

# kind -> module holding its settings model (SETTINGS) and SOURCE_KINDS, in menu order.
SETTINGS_MODULES = {
    "info": "facilitator.phases.info.settings",
    "ideas": "facilitator.phases.ideas.settings",
    "group": "facilitator.phases.group.settings",
    "vote": "facilitator.phases.vote.settings",
    "classify": "facilitator.phases.classify.settings",
    "rate": "facilitator.phases.rate.settings",
    "actions": "facilitator.phases.actions.settings",
    "summary": "facilitator.phases.summary.settings",
    "small_groups": "facilitator.phases.small_groups.settings",
    "poll": "facilitator.phases.poll.settings",
    "private": "facilitator.phases.private.settings",
    "results": "facilitator.phases.results.settings",
    "review": "facilitator.phases.review.settings",
}


def settings_module(kind: str):
    """Return the settings module of a kind."""
    return import_module(SETTINGS_MODULES[kind])
