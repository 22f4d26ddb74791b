"""Settings of the `group` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import GroupSettings

__all__ = ["GroupSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("ideas",)

SETTINGS = GroupSettings
