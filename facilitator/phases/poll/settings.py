"""Settings of the `poll` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..settings_base import Strict, StrictInt, Titled, check_unique_ids, limited_text, raise_errors

__all__ = ["PollOption", "PollSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("options",)

MIN_OPTIONS, MAX_OPTIONS = 2, 10


class PollOption(Titled):
    """One answer a phone may choose."""

    title: limited_text("options")  # type: ignore[valid-type]


class PollSettings(Strict):
    """Settings of a poll phase: single or multiple choice, thresholded results."""

    options: list[PollOption] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    # Several options per phone (at most `max_choices`, default all of them).
    multiple: bool = Field(default=False, strict=True)
    max_choices: StrictInt | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    # Phones may answer "en osaa sanoa" instead of choosing; counted apart.
    dont_know: bool = Field(default=False, strict=True)
    show_results: Literal["live", "after_close"] = "after_close"
    # Below five answers the counts could reveal how one person answered.
    min_responses: StrictInt = Field(default=5, ge=5, le=1000)

    @model_validator(mode="after")
    def _check_options(self) -> PollSettings:
        """Reject repeated option ids and a max_choices that does not fit the options."""
        check_unique_ids(type(self).__name__, "options", [o.id for o in self.options])
        if self.max_choices is not None:
            if not self.multiple:
                message = "max_choices needs multiple: true"
                raise_errors(type(self).__name__, [(("max_choices",), message, self.max_choices)])
            if self.max_choices > len(self.options):
                message = (
                    f"max_choices ({self.max_choices}) must not exceed the number of options"
                    f" ({len(self.options)})"
                )
                raise_errors(type(self).__name__, [(("max_choices",), message, self.max_choices)])
        return self

    def choice_limit(self) -> int:
        """Return how many options one phone may choose."""
        if not self.multiple:
            return 1
        return self.max_choices or len(self.options)


SETTINGS = PollSettings
