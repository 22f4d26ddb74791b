"""facilitator: live dialogue workshops for Finnish health and social care work communities.

This module imports nothing heavy on purpose: `python -m facilitator` must be
able to monkey-patch for eventlet before Flask, SQLAlchemy or sockets load.
"""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    """Create and configure the app (see `facilitator.app.create_app`)."""
    from .app import create_app as _create_app

    return _create_app(test_config)
