"""Settings of the `review` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..settings_base import ItemKinds, Strict, StrictInt

__all__ = ["ReviewSettings"]

# A review takes no `source`: its items come from earlier sessions (`scope`).
SOURCE_KINDS: tuple[str, ...] = ()

# A phone's note on one item: at most this many characters (`too_long` above it).
NOTE_MAX = 300


class ReviewSettings(Strict):
    """Settings of a review phase: which open items come in, and what phones may add."""

    # Which kinds of agreed items are brought in (models.ItemKind values).
    item_kinds: ItemKinds = Field(
        default_factory=lambda: ["action", "experiment", "ground_rule"],
        min_length=1,
        max_length=3,
    )
    # Where the items come from: "team" = the open items of every other session of the
    # session's team (phases/review/ops.py SCOPES); "series" = only those of the earlier
    # sessions of the session's series (facilitator/series.py; "team" when it has none).
    scope: Literal["team", "series"] = "team"
    # Phones may add a short note to their progress check.
    notes: bool = Field(default=True, strict=True)
    # "after_close": the room sees the distributions when input closes (the facilitator
    # sees them live); "live": as answers come in. Never below the threshold.
    show_results: Literal["live", "after_close"] = "live"
    # Below five answers an item's distribution (and notes) could reveal one person.
    min_responses: StrictInt = Field(default=5, ge=5, le=1000)


SETTINGS = ReviewSettings
