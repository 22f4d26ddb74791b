"""Settings of the `summary` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import SummarySettings

__all__ = ["SummarySettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()

SETTINGS = SummarySettings
