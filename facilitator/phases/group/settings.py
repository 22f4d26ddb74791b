"""Settings of the `group` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from pydantic import Field

from ..settings_base import Slug, Strict, limited_text

__all__ = ["GroupSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("ideas",)
# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("themes",)

ThemeText = limited_text("themes")


class GroupSettings(Strict):
    """Settings of a group phase."""

    source: Slug
    themes: list[ThemeText] = Field(default_factory=list, max_length=20)


SETTINGS = GroupSettings
