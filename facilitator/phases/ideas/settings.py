"""Settings of the `ideas` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import Column, IdeasSettings

__all__ = ["Column", "IdeasSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()

SETTINGS = IdeasSettings
