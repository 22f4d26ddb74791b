"""kind name -> PhaseKindSpec. App-level: importing it imports every kind's spec."""

from __future__ import annotations

from . import SETTINGS_MODULES
from .actions.spec import spec as actions
from .base import PhaseKindSpec
from .classify.spec import spec as classify
from .group.spec import spec as group
from .ideas.spec import spec as ideas
from .info.spec import spec as info
from .poll.spec import spec as poll
from .private.spec import spec as private
from .rate.spec import spec as rate
from .results.spec import spec as results
from .review.spec import spec as review
from .small_groups.spec import spec as small_groups
from .summary.spec import spec as summary
from .vote.spec import spec as vote

KINDS: dict[str, PhaseKindSpec] = {
    s.name: s
    for s in (
        info,
        ideas,
        group,
        vote,
        classify,
        rate,
        poll,
        private,
        actions,
        summary,
        small_groups,
        results,
        review,
    )
}
assert set(KINDS) == set(SETTINGS_MODULES), "every kind needs a spec and a settings module"


def kind(name) -> PhaseKindSpec:
    """Return the spec of a kind (a PhaseKind member or its name)."""
    return KINDS[str(name)]


def of(phase) -> PhaseKindSpec:
    """Return the spec of a template phase."""
    return KINDS[str(phase.kind)]


def shows(model, phase) -> list:
    """Return the phases the snapshot of `phase` is built from: sources first, it last."""
    return [*of(phase).shows(model, phase), phase]


def queued_events() -> list[str]:
    """Return every kind's outbox events (phones queue and replay them)."""
    return [event for s in KINDS.values() for event in s.queued_events]


def register_events(handler) -> None:
    """Let every kind register its socket events."""
    for s in KINDS.values():
        s.register_events(handler)


def register_api(bp) -> None:
    """Let every kind add its facilitator routes to the API blueprint."""
    for s in KINDS.values():
        s.register_api(bp)


def rooms(workshop, model, participant) -> list[str]:
    """Return the finer rooms a phone belongs to in the session's current phase."""
    phase = model.phases[workshop.phase_index]
    return of(phase).rooms(workshop, phase, participant)
