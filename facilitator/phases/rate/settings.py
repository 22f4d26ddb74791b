"""Settings of the `rate` phase kind, as a template writes them (no app imports).

The base models (`Scale`, `RateSettings`) live in workshop_models.py; this module
extends them with what the evaluation sessions need: a label for every scale point,
an optional "don't know" answer and the facilitator's grade per statement.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ...workshop_models import (
    LocalizedText,
    RateSettings,
    Scale,
    Statement,
    _limit,
    _raise_errors,
)

__all__ = ["Statement", "Scale", "LabelledScale", "RateSettings", "RateKindSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()

# Longest label of one scale point (per language); the phone shows it on a button.
LABEL_MAX_CHARS = 80


class LabelledScale(Scale):
    """A rating scale that may name every point, lowest first."""

    # One label per point: exactly max - min + 1 of them (e.g. the four-point goal scale).
    labels: list[Annotated[LocalizedText, _limit(LABEL_MAX_CHARS)]] | None = None

    @model_validator(mode="after")
    def _check_labels(self) -> LabelledScale:
        """Require exactly one label per point."""
        points = self.max - self.min + 1
        if self.labels is not None and len(self.labels) != points:
            message = (
                f"expected {points} labels, one per point from {self.min} to {self.max};"
                f" got {len(self.labels)}"
            )
            _raise_errors(type(self).__name__, [(("labels",), message, len(self.labels))])
        return self


class RateKindSettings(RateSettings):
    """Settings of a rate phase: the statements, the scale and what else phones may answer."""

    scale: LabelledScale = Field(default_factory=LabelledScale)
    # Phones may answer "en osaa sanoa"; counted apart, never in the mean or distribution.
    dont_know: bool = Field(default=False, strict=True)
    # The facilitator enters an agreed grade per statement after the discussion.
    grades: bool = Field(default=False, strict=True)


SETTINGS = RateKindSettings
