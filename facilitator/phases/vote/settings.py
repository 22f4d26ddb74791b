"""Settings of the `vote` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from ...workshop_models import VoteSettings

__all__ = ["VoteSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("ideas", "group")

SETTINGS = VoteSettings
