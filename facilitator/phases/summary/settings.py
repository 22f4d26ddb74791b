"""Settings of the `summary` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ..settings_base import Strict

__all__ = ["SummarySettings"]

# A summary phase shows what came before; it needs no prompt of its own.
PROMPT_REQUIRED = False


class SummarySettings(Strict):
    """Settings of a summary phase (there are none)."""


SETTINGS = SummarySettings
