"""Settings of the `small_groups` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ... import workshop_models  # noqa: F401  (loads settings_model in the right order)
from .settings_model import MAX_GROUP_SIZE, MAX_GROUPS, Round, SmallGroupsSettings

__all__ = ["MAX_GROUPS", "MAX_GROUP_SIZE", "Round", "SmallGroupsSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()

SETTINGS = SmallGroupsSettings
