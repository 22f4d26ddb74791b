"""Settings of the `rate` phase kind, as a template writes them (no app imports).

Statements rated on a scale that may name every point (for example the four-point
goal scale of the evaluation sessions), an optional "don't know" answer and the
facilitator's grade per statement.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..settings_base import (
    LocalizedText,
    Slug,
    Strict,
    StrictInt,
    check_unique_ids,
    custom_error,
    limit,
    limited_text,
    raise_errors,
)

__all__ = ["Statement", "Scale", "LabelledScale", "RateSettings", "RateKindSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("statements",)

# Longest label of one scale point (per language); the phone shows it on a button.
LABEL_MAX_CHARS = 80

StatementText = limited_text("statements")


class Statement(Strict):
    """One statement participants rate on the scale."""

    id: Slug
    text: StatementText


class Scale(Strict):
    """The rating scale of a rate phase."""

    min: StrictInt = 1
    max: StrictInt = 5
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None

    @field_validator("max")
    @classmethod
    def _check_span(cls, value: int, info: ValidationInfo) -> int:
        """Reject scales that are empty, reversed or too long to answer on a phone."""
        low = info.data.get("min")
        if low is not None and not 1 <= value - low <= 10:
            raise custom_error(f"max - min must be between 1 and 10 (min is {low})")
        return value


class LabelledScale(Scale):
    """A rating scale that may name every point, lowest first."""

    # One label per point: exactly max - min + 1 of them (e.g. the four-point goal scale).
    labels: list[Annotated[LocalizedText, limit(LABEL_MAX_CHARS)]] | None = None

    @model_validator(mode="after")
    def _check_labels(self) -> LabelledScale:
        """Require exactly one label per point."""
        points = self.max - self.min + 1
        if self.labels is not None and len(self.labels) != points:
            message = (
                f"expected {points} labels, one per point from {self.min} to {self.max};"
                f" got {len(self.labels)}"
            )
            raise_errors(type(self).__name__, [(("labels",), message, len(self.labels))])
        return self


class RateSettings(Strict):
    """Settings of a rate phase: the statements, the scale and what else phones may answer."""

    statements: list[Statement] = Field(min_length=1, max_length=30)
    scale: LabelledScale = Field(default_factory=LabelledScale)
    # Below five answers a distribution could reveal how one person answered.
    min_responses: StrictInt = Field(default=5, ge=5)
    # Phones may answer "en osaa sanoa"; counted apart, never in the mean or distribution.
    dont_know: bool = Field(default=False, strict=True)
    # The facilitator enters an agreed grade per statement after the discussion.
    grades: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _check_unique_statements(self) -> RateSettings:
        """Reject repeated statement ids, which would mix two statements' answers."""
        check_unique_ids(type(self).__name__, "statements", [s.id for s in self.statements])
        return self


# The name this model had while it extended a base in workshop_models.
RateKindSettings = RateSettings

SETTINGS = RateSettings
