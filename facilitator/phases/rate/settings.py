"""Settings of the `rate` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import RateSettings, Scale, Statement

__all__ = ["Statement", "Scale", "RateSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()

SETTINGS = RateSettings
