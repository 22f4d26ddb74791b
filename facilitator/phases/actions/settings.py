"""Settings of the `actions` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import ActionsSettings

__all__ = ["ActionsSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("vote",)

SETTINGS = ActionsSettings
