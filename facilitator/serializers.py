"""What each audience may see, serialised. Anonymity is enforced here.

No function in this module ever puts a participant id, token, socket id, IP
or user agent into its output: a participant's own items carry `is_mine`.
"""

from __future__ import annotations

from sqlalchemy import select

from . import operations as ops
from .extensions import db
from .models import Action, Idea, Participant, SessionStatus, Theme, Workshop, utcnow
from .text import render_markdown
from .workshop_models import PhaseKind, localize

FACILITATOR, PROJECTOR, PARTICIPANT = "facilitator", "projector", "participant"
ROLES = (FACILITATOR, PROJECTOR, PARTICIPANT)


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


def phase_settings(phase, lang: str) -> dict:
    """Return the phase settings clients need, text localised."""
    s = phase.settings
    kind = phase.kind
    if kind is PhaseKind.INFO:
        return {"link": s.link, "link_label": localize(s.link_label, lang) or s.link}
    if kind is PhaseKind.IDEAS:
        return {
            "columns": [{"id": c.id, "title": localize(c.title, lang)} for c in s.columns],
            "wall": s.wall,
            "max_ideas_per_person": s.max_ideas_per_person,
            "max_chars": ops.IDEA_MAX_CHARS,
        }
    if kind is PhaseKind.VOTE:
        return {
            "budget": s.budget,
            "per_item_cap": s.per_item_cap,
            "show_results": s.show_results,
            "source": s.source,
        }
    if kind is PhaseKind.RATE:
        return {
            "statements": [{"id": st.id, "text": localize(st.text, lang)} for st in s.statements],
            "scale": _scale(s.scale, lang),
            "min_responses": max(5, s.min_responses),
        }
    if kind in (PhaseKind.GROUP, PhaseKind.ACTIONS):
        return {"source": s.source}
    return {}


def _scale(scale, lang: str) -> dict:
    """Return a rating scale with localised end labels."""
    return {
        "min": scale.min,
        "max": scale.max,
        "min_label": localize(scale.min_label, lang),
        "max_label": localize(scale.max_label, lang),
    }


def idea_dict(idea: Idea, role: str, participant: Participant | None = None, votes=None) -> dict:
    """Serialise an idea for one audience: never its author."""
    data = {
        "id": idea.id,
        "phase_id": idea.phase_id,
        "column": idea.column,
        "text": idea.text,
        "theme_id": idea.theme_id,
    }
    if role == PARTICIPANT and participant is not None:
        data["is_mine"] = idea.participant_id == participant.id
    if role == FACILITATOR:
        data["hidden"] = idea.hidden
        data["merged_into"] = idea.merged_into_id
    if votes is not None:
        data["votes"] = votes.get(f"idea:{idea.id}", 0)
    return data


def theme_dict(theme: Theme) -> dict:
    """Serialise a theme."""
    return {
        "id": theme.id,
        "phase_id": theme.phase_id,
        "title": theme.title,
        "position": theme.position,
    }


def action_dict(action: Action) -> dict:
    """Serialise an agreed action."""
    return {
        "id": action.id,
        "what": action.what,
        "who": action.who,
        "due": iso(action.due),
        "first_step": action.first_step,
        "follow_up": iso(action.follow_up),
        "status": action.status.value,
    }


def actions_list(workshop: Workshop) -> list[dict]:
    """Serialise all agreed actions of a session."""
    return [action_dict(a) for a in ops.list_actions(workshop)]


# --- which phase feeds what the current phase shows ----------------------


def ideas_phase_for(model, phase):
    """Return the ideas phase whose ideas the given phase shows, or None."""
    seen = 0
    while phase is not None and seen < 5:
        seen += 1
        if phase.kind is PhaseKind.IDEAS:
            return phase
        if phase.kind in (PhaseKind.GROUP, PhaseKind.VOTE):
            phase = model.phases[model.phase_index(phase.settings.source)]
        else:
            return None
    return None


def group_phase_for(model, phase):
    """Return the group phase whose themes the given phase shows, or None."""
    if phase.kind is PhaseKind.GROUP:
        return phase
    if phase.kind is PhaseKind.VOTE:
        source = model.phases[model.phase_index(phase.settings.source)]
        return source if source.kind is PhaseKind.GROUP else None
    return None


def vote_phase_for(model, phase):
    """Return the vote phase whose results the given phase shows, or None."""
    if phase.kind is PhaseKind.VOTE:
        return phase
    if phase.kind is PhaseKind.ACTIONS and phase.settings.source:
        return model.phases[model.phase_index(phase.settings.source)]
    if phase.kind in (PhaseKind.ACTIONS, PhaseKind.SUMMARY):
        index = model.phase_index(phase.id)
        earlier = [p for p in model.phases[:index] if p.kind is PhaseKind.VOTE]
        return earlier[-1] if earlier else None
    return None


def results_visible_to_participants(workshop: Workshop, phase, vote_phase) -> bool:
    """Tell whether the room (projector and phones) may see a vote's counts now.

    With `show_results: after_close` the counts stay hidden while input is open in the
    vote phase: closing input is the reveal. Only the facilitator sees them live.
    """
    if vote_phase is None:
        return False
    if phase.id != vote_phase.id or workshop.status is SessionStatus.CLOSED:
        return True
    return vote_phase.settings.show_results == "live" or not workshop.input_open


def counts_visible(workshop: Workshop, phase, vote_phase, role: str) -> bool:
    """Tell whether one audience may see a vote's counts now."""
    return role == FACILITATOR or results_visible_to_participants(workshop, phase, vote_phase)


def participants_see_wall(workshop: Workshop) -> str | None:
    """Return the ideas phase id whose whole wall phones see now, or None."""
    model = ops.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    ideas_phase = ideas_phase_for(model, phase)
    if ideas_phase is None:
        return None
    if phase.kind is PhaseKind.IDEAS and phase.settings.wall != "participants":
        return None
    return ideas_phase.id


# --- snapshots ----------------------------------------------------------------


def vote_block(workshop: Workshop, phase, vote_phase, role: str, participant) -> dict:
    """Return the vote section of a snapshot."""
    revealed = results_visible_to_participants(workshop, phase, vote_phase)
    show = role == FACILITATOR or revealed
    tally, voters = ops.vote_tally(workshop, vote_phase.id)
    items = ops.vote_items(workshop, vote_phase)
    block = {
        "phase_id": vote_phase.id,
        "budget": vote_phase.settings.budget,
        "per_item_cap": vote_phase.settings.per_item_cap,
        "items": items,
        "results": tally_results(items, tally) if show else None,
        # How many have voted, out of how many joined: every screen may see that.
        "voters": voters,
        "participants": ops.participant_count(workshop.id),
        "revealed": revealed,
    }
    if participant is not None:
        mine = ops.my_votes(participant, vote_phase.id)
        block["my_votes"] = mine
        block["used"] = sum(mine.values())
    return block


def tally_results(items: list[dict], tally: dict[str, int]) -> list[dict]:
    """Return vote results in item order, biggest first."""
    results = [
        {"key": item["key"], "title": item["title"], "count": tally.get(item["key"], 0)}
        for item in items
    ]
    return sorted(results, key=lambda r: -r["count"])


def tally_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `tally` event of the current phase's vote for each audience.

    Every audience gets how many have voted; the counts go only to those who may see
    them now (`counts_visible`), so a hidden tally never leaves the server.
    """
    model = ops.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    vote_phase = vote_phase_for(model, phase)
    if vote_phase is None:
        return {}
    tally, voters = ops.vote_tally(workshop, vote_phase.id)
    items = ops.vote_items(workshop, vote_phase)
    revealed = results_visible_to_participants(workshop, phase, vote_phase)
    base = {
        "phase_id": vote_phase.id,
        "voters": voters,
        "participants": ops.participant_count(workshop.id),
        "revealed": revealed,
    }
    results = tally_results(items, tally)
    return {
        role: {
            **base,
            "results": results if counts_visible(workshop, phase, vote_phase, role) else None,
        }
        for role in ROLES
    }


def rate_block(workshop: Workshop, rate_phase, participant, lang: str) -> dict:
    """Return the rate section of a snapshot."""
    settings = phase_settings(rate_phase, lang)
    block = {
        "phase_id": rate_phase.id,
        "scale": settings["scale"],
        "statements": settings["statements"],
        "min_responses": settings["min_responses"],
        "results": ops.rating_results(workshop, rate_phase),
    }
    if participant is not None:
        block["my_ratings"] = ops.my_ratings(participant, rate_phase.id)
    return block


def snapshot(
    workshop: Workshop,
    role: str,
    participant: Participant | None = None,
    join_url: str = "",
    online: int = 0,
) -> dict:
    """Return everything one audience may see of a session right now."""
    lang = workshop.language
    model = ops.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    data: dict = {
        "role": role,
        "server_time": iso(utcnow()),
        "session": {
            "id": workshop.id,
            "title": workshop.title,
            "team": workshop.team_name,
            "language": lang,
            "status": workshop.status.value,
            "join_code": workshop.join_code,
            "join_url": join_url,
        },
        "phases": [
            {"index": i, "id": p.id, "kind": p.kind.value, "title": localize(p.title, lang)}
            for i, p in enumerate(model.phases)
        ],
        "phase": {
            "index": workshop.phase_index,
            "id": phase.id,
            "kind": phase.kind.value,
            "title": localize(phase.title, lang),
            "prompt_html": render_markdown(localize(phase.prompt, lang)),
            "input_open": workshop.input_open and workshop.status is SessionStatus.LIVE,
            "minutes": phase.minutes,
            "settings": phase_settings(phase, lang),
        },
        "timer": timer_dict(workshop),
        "ideas": [],
        "themes": [],
        "vote": None,
        "rate": None,
        "actions": actions_list(workshop),
    }
    if role == FACILITATOR:
        data["phase"]["notes_html"] = render_markdown(localize(phase.notes, lang))
    if role != PARTICIPANT:
        data["participants"] = {"joined": ops.participant_count(workshop.id), "online": online}

    vote_phase = vote_phase_for(model, phase)
    if vote_phase is not None:
        data["vote"] = vote_block(workshop, phase, vote_phase, role, participant)
    votes = None
    if data["vote"] and data["vote"]["results"] is not None:
        votes = {r["key"]: r["count"] for r in data["vote"]["results"]}

    ideas_phase = ideas_phase_for(model, phase)
    if ideas_phase is not None:
        data["ideas"] = _ideas_for(workshop, phase, ideas_phase, role, participant, votes)
    group_phase = group_phase_for(model, phase)
    if group_phase is not None:
        data["themes"] = themes_of(workshop, group_phase)
    if phase.kind is PhaseKind.RATE:
        data["rate"] = rate_block(workshop, phase, participant, lang)
    if role == FACILITATOR:
        facilitator_extras(workshop, model, phase, lang, data)
    return data


def facilitator_extras(workshop: Workshop, model, phase, lang: str, data: dict) -> None:
    """Add what only the control view needs: column titles when grouping, action sources.

    No participant identity: idea texts and columns only, as on the wall.
    """
    if phase.kind is PhaseKind.GROUP:
        source = ideas_phase_for(model, phase)
        columns = source.settings.columns if source is not None else []
        data["phase"]["settings"]["columns"] = [
            {"id": c.id, "title": localize(c.title, lang)} for c in columns
        ]
    if phase.kind is not PhaseKind.ACTIONS:
        return
    index = model.phase_index(phase.id)
    earlier_votes = [i for i, p in enumerate(model.phases[:index]) if p.kind is PhaseKind.VOTE]
    earlier_ideas = [i for i, p in enumerate(model.phases[:index]) if p.kind is PhaseKind.IDEAS]
    vote = data.get("vote") or {}
    votes = [r for r in vote.get("results") or [] if r["count"] > 0]
    # Ideas written after the last vote are fresh proposals; earlier ones were voted on.
    ideas_index = earlier_ideas[-1] if earlier_ideas else None
    if ideas_index is not None and earlier_votes and ideas_index < earlier_votes[-1]:
        ideas_index = None
    ideas_phase = model.phases[ideas_index] if ideas_index is not None else None
    data["candidates"] = {
        "vote_phase_id": vote.get("phase_id"),
        "votes": [{"key": r["key"], "title": r["title"], "count": r["count"]} for r in votes],
        "ideas_phase_id": ideas_phase.id if ideas_phase is not None else None,
        "ideas": [
            {"id": i.id, "text": i.text, "column": i.column}
            for i in (ops.visible_ideas(workshop, ideas_phase.id) if ideas_phase else [])
        ],
    }


def themes_of(workshop: Workshop, group_phase) -> list[dict]:
    """Return the themes of a group phase in display order."""
    query = (
        select(Theme)
        .filter_by(workshop_id=workshop.id, phase_id=group_phase.id)
        .order_by(Theme.position, Theme.id)
    )
    return [theme_dict(t) for t in db.session.scalars(query)]


def themes_payload(workshop: Workshop) -> dict:
    """Return the current phase's themes and which visible idea sits under which."""
    model = ops.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    group_phase = group_phase_for(model, phase)
    ideas_phase = ideas_phase_for(model, phase)
    if group_phase is None or ideas_phase is None:
        return {"themes": [], "ideas": []}
    ideas = ops.visible_ideas(workshop, ideas_phase.id)
    return {
        "themes": themes_of(workshop, group_phase),
        "ideas": [{"id": i.id, "theme_id": i.theme_id} for i in ideas],
    }


def _ideas_for(workshop, phase, ideas_phase, role, participant, votes) -> list[dict]:
    """Return the ideas one audience sees in the current phase."""
    query = (
        select(Idea)
        .filter_by(workshop_id=workshop.id, phase_id=ideas_phase.id, deleted=False)
        .order_by(Idea.id)
    )
    if role != FACILITATOR:
        query = query.filter_by(hidden=False).where(Idea.merged_into_id.is_(None))
    if role == PARTICIPANT and participants_see_wall(workshop) is None:
        # The wall is only on the projector: a phone sees its own ideas and nothing else.
        if participant is None:
            return []
        query = query.filter_by(participant_id=participant.id)
    return [idea_dict(i, role, participant, votes) for i in db.session.scalars(query)]
