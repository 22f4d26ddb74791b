"""Settings of the `results` phase kind, as a template writes them (no app imports).

The results themselves are imported per team (facilitator/qwl/); a template carries
the helper questions: one line per question, `<statement id>: <question>` for one
statement (ids of the statement bank, docs/qwl.md), `*: <question>` or a line without
an id for every statement. They are preparable (`prepare: [helper_questions]`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..settings_base import Strict, StrictInt, limited_text

__all__ = ["ResultsSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()
# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("helper_questions",)

HELPER_MAX_LINES = 200
MAX_FOCUS = 5


class ResultsSettings(Strict):
    """Settings of a results phase."""

    # Helper questions: "<statement id>: <question>" lines (or general ones).
    helper_questions: list[limited_text("helper_questions")] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=HELPER_MAX_LINES
    )
    # 0: show the results only; 1..5: each phone chooses up to this many focus statements.
    focus_votes: StrictInt = Field(default=0, ge=0, le=MAX_FOCUS)
    # When the room sees the focus tally (the facilitator always sees it).
    show_results: Literal["live", "after_close"] = "after_close"
    # The focus tally shows from this many people who chose.
    min_responses: StrictInt = Field(default=5, ge=5)


SETTINGS = ResultsSettings
