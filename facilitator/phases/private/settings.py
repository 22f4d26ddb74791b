"""Settings of the `private` phase kind, as a template writes them (no app imports).

A private phase's answers stay on the phone (kept in the browser, printable as a
personal card); the server learns only how many are done, unless the template allows
sharing (`share: optional`) and a person chooses to share anonymously.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..rate.settings import LabelledScale
from ..settings_base import Slug, Strict, StrictInt, check_unique_ids, limited_text, raise_errors

__all__ = ["PrivateItem", "PrivateSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("items",)

MAX_ITEMS = 20
# Longest answer a phone may share to one text question.
ANSWER_MAX_CHARS = 1000


class PrivateItem(Strict):
    """One question of a private phase: a free text or a point on a scale."""

    id: Slug
    text: limited_text("items")  # type: ignore[valid-type]
    # (Choice questions are not supported yet: use a scale with a label per point.)
    type: Literal["text", "scale"] = "text"
    # Only for `type: scale` (default 1-5); may name every point.
    scale: LabelledScale | None = None

    @model_validator(mode="after")
    def _check_scale(self) -> PrivateItem:
        """Give a scale question the default scale; refuse a scale on a text question."""
        if self.type == "text" and self.scale is not None:
            raise_errors(
                type(self).__name__, [(("scale",), "only a scale question has a scale", None)]
            )
        if self.type == "scale" and self.scale is None:
            self.scale = LabelledScale()
        return self


class PrivateSettings(Strict):
    """Settings of a private phase: personal questions, and whether sharing is offered."""

    items: list[PrivateItem] = Field(min_length=1, max_length=MAX_ITEMS)
    # none: answers never leave the phone; optional: a phone may share them anonymously.
    share: Literal["none", "optional"] = "none"
    # The heading of the printable personal card (default: the phase's title).
    card_title: limited_text("title") | None = None  # type: ignore[valid-type]
    # Shared answers show once this many people have shared (at least five).
    min_responses: StrictInt = Field(default=5, ge=5, le=1000)

    @model_validator(mode="after")
    def _check_unique_items(self) -> PrivateSettings:
        """Reject repeated question ids, which would mix two questions' answers."""
        check_unique_ids(type(self).__name__, "items", [i.id for i in self.items])
        return self


SETTINGS = PrivateSettings
