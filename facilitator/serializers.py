"""What each audience may see, serialised. Anonymity is enforced here.

No function in this module ever puts a participant id, token, socket id, IP
or user agent into its output: a participant's own items carry `is_mine`.
What is specific to a phase kind comes from its spec (facilitator/phases): this
module names no kind.
"""

from __future__ import annotations

from . import collecting, series
from . import operations as ops
from .models import Participant, Workshop, utcnow
from .phases import registry
from .phases.actions.view import action_dict, actions_list  # noqa: F401  (re-exported)
from .phases.base import FACILITATOR, PARTICIPANT, PROJECTOR, ROLES, SnapshotContext
from .phases.group.view import group_phase_for, theme_dict, themes_of, themes_payload  # noqa: F401
from .phases.ideas.view import idea_dict, ideas_phase_for, participants_see_wall  # noqa: F401
from .phases.selection import banner
from .phases.vote.view import (  # noqa: F401  (re-exported)
    counts_visible,
    results_visible_to_participants,
    tally_payloads,
    tally_results,
    vote_phase_for,
)
from .text import render_markdown
from .workshop_models import localize

__all__ = ["FACILITATOR", "PARTICIPANT", "PROJECTOR", "ROLES"]


def iso(value) -> str | None:
    """Return an ISO 8601 string for a date or datetime, None for None."""
    return value.isoformat() if value is not None else None


def timer_dict(workshop: Workshop) -> dict:
    """Return the timer state as clients render it."""
    return {
        "state": workshop.timer_state.value,
        "duration": workshop.timer_duration,
        "ends_at": iso(workshop.timer_ends_at),
        "remaining": workshop.timer_left(),
        "server_time": iso(utcnow()),
    }


def phase_settings(phase, lang: str, fallback: str = "fi") -> dict:
    """Return the phase settings clients need, text localised (else in `fallback`)."""
    return registry.of(phase).client_settings(phase, lang, fallback)


def shared_snapshot(
    workshop: Workshop, role: str, join_url: str = "", online: int = 0, lang: str | None = None
) -> tuple[dict, SnapshotContext]:
    """Return what every screen of one audience sees now, built once for all of them.

    The seam for fan-out: one build per (session, phase, role, language), shared by
    every screen of that audience; `personalize` adds what differs per phone.
    """
    model = ops.workshop_model(workshop)
    fallback = workshop.language
    lang = lang or fallback
    phase = model.phases[workshop.phase_index]
    ctx = SnapshotContext(workshop, model, phase, role, lang, fallback)
    data: dict = {
        "role": role,
        "server_time": iso(utcnow()),
        "session": {
            "id": workshop.id,
            "title": workshop.title,
            "team": workshop.team_name,
            "language": workshop.language,
            "content_language": lang,
            "status": workshop.status.value,
            "join_code": workshop.join_code,
            "join_url": join_url,
            # Input before the session (collecting.py): days only; null otherwise.
            "collecting": collecting.state_dict(workshop),
            # Its place in a series (series.py): title and number; null otherwise.
            "series": series.label(workshop),
        },
        "phases": [
            {
                "index": i,
                "id": p.id,
                "kind": p.kind.value,
                "title": localize(p.title, lang, fallback),
            }
            for i, p in enumerate(model.phases)
        ],
        "phase": {
            "index": workshop.phase_index,
            "id": phase.id,
            "kind": phase.kind.value,
            "title": localize(phase.title, lang, fallback),
            "prompt_html": render_markdown(localize(phase.prompt, lang, fallback)),
            # Live with input open, or inside the window of input before the session.
            "input_open": workshop.takes_input(),
            "minutes": phase.minutes,
            "settings": phase_settings(phase, lang, fallback),
        },
        "timer": timer_dict(workshop),
    }
    ctx.data = data
    # What an earlier vote or classify chose, kept in view (the phase's `banner`).
    data["banner"] = banner(ctx)
    for spec in registry.KINDS.values():
        data.update(spec.session_state(ctx))
    if role == FACILITATOR:
        data["phase"]["notes_html"] = render_markdown(localize(phase.notes, lang, fallback))
    if role != PARTICIPANT:
        data["participants"] = {"joined": ops.participant_count(workshop.id), "online": online}
    for shown in registry.shows(model, phase):
        data.update(registry.of(shown).shared_state(ctx, shown))
    return data, ctx


def personalize(shared: dict, ctx: SnapshotContext, participant: Participant | None) -> dict:
    """Return one phone's snapshot: the shared one with its own items, dots and answers.

    A shallow copy: only the few keys a kind returns are replaced, the rest is shared.
    """
    if participant is None:
        return shared
    data = dict(shared)
    for shown in registry.shows(ctx.model, ctx.phase):
        data.update(registry.of(shown).personal_state(ctx, shown, participant, data))
    return data


def snapshot(
    workshop: Workshop,
    role: str,
    participant: Participant | None = None,
    join_url: str = "",
    online: int = 0,
    lang: str | None = None,
) -> dict:
    """Return everything one audience may see of a session right now.

    Template text is in `lang` where the template has it, else in the session's language.
    """
    shared, ctx = shared_snapshot(workshop, role, join_url, online, lang)
    return personalize(shared, ctx, participant)
