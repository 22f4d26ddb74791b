"""Settings of the `small_groups` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, model_validator

from ..settings_base import TEXT_LIMITS, LocalizedText, Strict, StrictInt, limit, raise_errors

# Longest question text (characters, per language; also the prepare page's limit).
QUESTION_MAX_CHARS = TEXT_LIMITS["questions"]
MAX_GROUPS = 30
MAX_GROUP_SIZE = 12
MAX_ROUNDS = 10

__all__ = ["MAX_GROUPS", "MAX_GROUP_SIZE", "Round", "SmallGroupsSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("questions",)

QuestionText = Annotated[LocalizedText, limit(QUESTION_MAX_CHARS)]


class Round(Strict):
    """One round of a small-groups phase: new groups of a size, everyone, or a rotation.

    `{}` splits again as the phase does; `{size: 2}` makes groups of that size (1 =
    alone), joining the previous round's groups when they were smaller (1-2-4-All);
    `{all: true}` is everyone together; `{rotate: true}` keeps the groups (tables) and
    moves everybody but the host on (learning café).
    """

    size: StrictInt | None = Field(default=None, ge=1, le=MAX_GROUP_SIZE)
    all: StrictBool = False
    rotate: StrictBool = False

    @model_validator(mode="after")
    def _one_way(self) -> Round:
        """Allow one of size, all and rotate per round."""
        given = [n for n in ("size", "all", "rotate") if getattr(self, n) not in (None, False)]
        if len(given) > 1:
            raise_errors(
                type(self).__name__,
                [((given[1],), "use only one of size, all and rotate in a round", None)],
            )
        return self


class SmallGroupsSettings(Strict):
    """Settings of a small_groups phase."""

    split: Literal["count", "size"] = "size"
    groups: StrictInt = Field(default=4, ge=2, le=MAX_GROUPS)
    size: StrictInt = Field(default=4, ge=2, le=MAX_GROUP_SIZE)
    assign: Literal["random", "choose", "facilitator"] = "random"
    questions: list[QuestionText] = Field(default_factory=list, max_length=MAX_GROUPS)
    writer: Literal["none", "one"] = "none"
    timer_per_group: StrictBool = False
    host_stays: StrictBool = False
    rounds: list[Round] = Field(default_factory=list, max_length=MAX_ROUNDS)

    @model_validator(mode="after")
    def _check(self) -> SmallGroupsSettings:
        """Refuse settings that contradict each other, naming the field."""
        title = type(self).__name__
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        # Compared with the defaults, not the keys given: a stored snapshot has every key.
        defaults = type(self).model_fields
        if self.split == "count" and self.size != defaults["size"].default:
            errors.append((("size",), "size is used only with split: size", self.size))
        if self.split == "size" and self.groups != defaults["groups"].default:
            errors.append((("groups",), "groups is used only with split: count", self.groups))
        previous: int | None = None
        for index, spec in enumerate(self.rounds):
            if spec.all and index != len(self.rounds) - 1:
                errors.append((("rounds", index, "all"), "all: true must be the last round", True))
            if spec.rotate and index == 0:
                message = "the first round cannot rotate: there are no groups yet"
                errors.append((("rounds", index, "rotate"), message, True))
            if spec.size is not None:
                if previous is not None and spec.size < previous:
                    message = (
                        f"group size {spec.size} is smaller than the round before ({previous});"
                        " rounds may only grow (1-2-4-All: 1, 2, 4, all)"
                    )
                    errors.append((("rounds", index, "size"), message, spec.size))
                previous = spec.size
        if self.host_stays:
            if self.writer != "one":
                message = "host_stays needs writer: one (the host is the group's writer)"
                errors.append((("host_stays",), message, True))
            if not any(r.rotate for r in self.rounds):
                message = "host_stays needs a round with rotate: true"
                errors.append((("host_stays",), message, True))
        if errors:
            raise_errors(title, errors)
        return self

    def round_count(self) -> int:
        """Return how many rounds the phase has (at least one)."""
        return max(1, len(self.rounds))

    def round_spec(self, index: int) -> Round:
        """Return the spec of a round (the phase's own split when there are no rounds)."""
        return self.rounds[index] if index < len(self.rounds) else Round()

    def base_round(self, index: int) -> int:
        """Return the round whose groups round `index` uses (a rotation keeps the tables)."""
        while index > 0 and self.round_spec(index).rotate:
            index -= 1
        return index


SETTINGS = SmallGroupsSettings
