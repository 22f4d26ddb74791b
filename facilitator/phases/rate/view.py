"""What differs per phone in a rate phase: its own ratings (for many phones at once)."""

from __future__ import annotations


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's `my_ratings` (`serializers.diff` form) from one query."""
    from ...models import Rating
    from ...serializers import answers_by_phone
    from .ops import DONT_KNOW

    mine = answers_by_phone(
        Rating,
        "statement_id",
        lambda r: DONT_KNOW if r.dont_know else r.value,
        participants,
        workshop_id=ctx.workshop.id,
        phase_id=phase.id,
    )
    return {pid: {"merge": {"rate": {"my_ratings": m}}} for pid, m in mine.items()}
