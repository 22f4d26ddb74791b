"""Settings of the `classify` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..settings_base import Slug, Strict, StrictInt, Titled, check_unique_ids, limited_text

__all__ = ["Category", "ClassifySettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("ideas", "group")
# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("categories",)

MIN_CATEGORIES, MAX_CATEGORIES = 2, 6


class Category(Titled):
    """One category an item can be placed in, e.g. central / unnecessary / unsuitable."""

    title: limited_text("categories")  # type: ignore[valid-type]


class ClassifySettings(Strict):
    """Settings of a classify phase: place each item of `source` into one category."""

    source: Slug
    categories: list[Category] = Field(min_length=MIN_CATEGORIES, max_length=MAX_CATEGORIES)
    # "People agree" on an item when this share of its answers chose one category ...
    agreement: Annotated[float, Field(strict=True, gt=0.5, le=1.0)] = 0.6
    # ... and it has at least this many answers; below it no distribution is shown.
    min_responses: StrictInt = Field(default=5, ge=5, le=1000)
    show_results: Literal["live", "after_close"] = "after_close"

    @model_validator(mode="after")
    def _check_unique_categories(self) -> ClassifySettings:
        """Reject repeated category ids, which would mix two categories' answers."""
        check_unique_ids(type(self).__name__, "categories", [c.id for c in self.categories])
        return self


SETTINGS = ClassifySettings
