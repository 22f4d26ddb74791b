"""What each audience may see, serialised. Anonymity is enforced here.

No function in this module ever puts a participant id, token, socket id, IP
or user agent into its output: a participant's own items carry `is_mine`.
What is specific to a phase kind comes from its spec (facilitator/phases): this
module names no kind.
"""

from __future__ import annotations

import threading
import time
from importlib import import_module

from flask import current_app

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
    workshop: Workshop,
    role: str,
    join_url: str = "",
    online: int = 0,
    lang: str | None = None,
    compact: bool = False,
) -> tuple[dict, SnapshotContext]:
    """Return what every screen of one audience sees now, built once for all of them.

    The seam for fan-out: one build per (session, phase, role, language), shared by
    every screen of that audience; `personalize` adds what differs per phone.
    `compact` (protocol 2 phones): items refer to the wall's ideas by id (`refer_items`).
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
    if compact and role == PARTICIPANT:
        refer_items(data)
    return data, ctx


# --- each text once -----------------------------------------------------------------


def _item_id(key, prefix: str) -> int | None:
    """Return N of an item key "<prefix>:N", else None."""
    if isinstance(key, str) and key.startswith(prefix + ":"):
        tail = key[len(prefix) + 1 :]
        return int(tail) if tail.isdigit() else None
    return None


def refer_items(data: dict) -> None:
    """Make a phone's item lists refer to the ideas its snapshot already holds (in place).

    The wall's ideas lose `phase_id` (said once as `ideas_phase_id`) and a null
    `theme_id`. Any block with `items` ({key, title, ideas}, e.g. a ballot): an item `idea:N` whose
    title is the text of idea N in `data["ideas"]` loses `title` and `ideas`; a
    `theme:N` item's idea texts become `idea_ids` when all are on the wall. Its
    `results` rows lose `title` where the block's items carry the key. Clients fill
    the texts back in (`FA.referItems`). Items whose text is not on the wall (a classify
    source the snapshot does not show) keep their texts.
    """
    ideas = data.get("ideas") or []
    if not ideas:
        return
    # The wall's ideas share their phase: say it once; a missing theme_id is null.
    phases = {i.get("phase_id") for i in ideas}
    if len(phases) == 1 and all("phase_id" in i for i in ideas):
        data["ideas_phase_id"] = phases.pop()
        data["ideas"] = [
            {k: v for k, v in i.items() if k != "phase_id" and (k != "theme_id" or v is not None)}
            for i in ideas
        ]
    text_of = {i["id"]: i["text"] for i in ideas}
    by_theme: dict = {}
    for i in ideas:
        by_theme.setdefault(i.get("theme_id"), []).append(i)
    for key, block in list(data.items()):
        if key == "ideas" or not isinstance(block, dict):
            continue
        items = block.get("items")
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            continue
        if "title" not in items[0] or "key" not in items[0]:
            continue
        compact = []
        for item in items:
            item = dict(item)
            n = _item_id(item.get("key"), "idea")
            if n is not None and text_of.get(n) == item.get("title") and not item.get("ideas"):
                item.pop("title", None)
                item.pop("ideas", None)
            t = _item_id(item.get("key"), "theme")
            if t is not None and item.get("ideas"):
                ids = _ids_of_texts(item["ideas"], by_theme.get(t, []))
                if ids is not None:
                    del item["ideas"]
                    item["idea_ids"] = ids
            compact.append(item)
        block = {**block, "items": compact}
        keys = {i["key"] for i in compact}
        if isinstance(block.get("results"), list):
            block["results"] = [
                {k: v for k, v in r.items() if k != "title"}
                if isinstance(r, dict) and r.get("key") in keys
                else r
                for r in block["results"]
            ]
        data[key] = block


def _ids_of_texts(texts: list, ideas: list[dict]) -> list[int] | None:
    """Return ids of ideas (in `ideas`, in order) with these texts, or None when one is missing."""
    free = list(ideas)
    ids = []
    for text in texts:
        found = next((i for i in free if i["text"] == text), None)
        if found is None:
            return None
        free.remove(found)
        ids.append(found["id"])
    return ids


def for_phones(payload):
    """Return a delta for protocol 2 phones: `results` rows without titles (the phone
    has them on its items, `FA.titleRows`); anything else unchanged."""
    if not isinstance(payload, dict):
        return payload
    rows = payload.get("results")
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return payload
    if "key" not in rows[0] or "title" not in rows[0]:
        return payload
    return {**payload, "results": [{k: v for k, v in r.items() if k != "title"} for r in rows]}


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


# --- built once, shared by every phone ------------------------------------------------

# A phone's shared snapshot is reused while nothing was published to the session since,
# and for at most this long (a bound for changes that publish nothing).
SHARED_TTL = 2.0
_cache_lock = threading.Lock()


def _store() -> dict:
    """Return this app's cache and version counters (tests run many apps)."""
    ext = current_app.extensions
    store = ext.get("facilitator_shared_snapshots")
    if store is None:
        store = ext["facilitator_shared_snapshots"] = {"versions": {}, "cache": {}, "on": True}
    return store


def set_caching(enabled: bool) -> None:
    """Turn the shared-snapshot cache on or off (off with several processes: a change
    published by another process does not bump this one's version)."""
    _store()["on"] = enabled


def bump(workshop_id: int) -> int:
    """Record a committed change of a session: its cached shared snapshots are stale."""
    store = _store()
    with _cache_lock:
        version = store["versions"].get(workshop_id, 0) + 1
        store["versions"][workshop_id] = version
        for key in [k for k in store["cache"] if k[0] == workshop_id]:
            del store["cache"][key]
    return version


def state_version(workshop_id: int) -> int:
    """Return a session's state version (bumped on every published change)."""
    return _store()["versions"].get(workshop_id, 0)


def cached_shared(
    workshop: Workshop, role: str, lang: str, join_url: str = "", compact: bool = False
) -> tuple[dict, SnapshotContext]:
    """Return `shared_snapshot` for (session, role, language), built once per version.

    Only the participants' snapshot is cached (the facilitator's and the projector's
    carry live presence counts). The cached dict is never changed afterwards; callers
    get a fresh context bound to this request's `workshop`.
    """
    store = _store()
    # With a message queue another process's change would not bump this one's version.
    several = bool(current_app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    if role != PARTICIPANT or not store["on"] or several:
        return shared_snapshot(workshop, role, join_url, 0, lang, compact)
    key = (workshop.id, role, lang, compact)
    version = state_version(workshop.id)
    now = time.monotonic()
    hit = store["cache"].get(key)
    if hit is not None and hit[0] == version and now - hit[1] < SHARED_TTL:
        data = hit[2]
        model = ops.workshop_model(workshop)
        phase = model.phases[workshop.phase_index]
        ctx = SnapshotContext(workshop, model, phase, role, lang, workshop.language, data=data)
        return data, ctx
    data, ctx = shared_snapshot(workshop, role, join_url, 0, lang, compact)
    with _cache_lock:
        if state_version(workshop.id) == version:
            store["cache"][key] = (version, now, data)
    return data, ctx


def fresh(shared: dict, workshop: Workshop) -> dict:
    """Return a shared snapshot with this moment's server time and timer (a shallow copy)."""
    return {**shared, "server_time": iso(utcnow()), "timer": timer_dict(workshop)}


# --- what differs per phone, for many phones at once ----------------------------------


def _view_module(spec):
    """Return the `view` module of a kind's package, or None."""
    package = type(spec).__module__.rpartition(".")[0]
    try:
        return import_module(f"{package}.view")
    except ImportError:
        return None


def diff(shared: dict, full: dict) -> dict:
    """Return the patch that turns `shared` into one phone's `full` snapshot.

    `{"set": {key: value}, "merge": {key: {sub: value}}, "mark": {key: {field: [ids]}}}`
    (only the parts that are not empty): `set` replaces a key, `merge` replaces some
    keys of an object, `mark` sets a true/false field on every element of a list of
    objects with ids (true for the ids listed).
    """
    patch: dict = {"set": {}, "merge": {}, "mark": {}}
    for key, value in full.items():
        old = shared.get(key)
        if key in shared and value is old:
            continue
        if isinstance(value, dict) and isinstance(old, dict):
            sub = {k: v for k, v in value.items() if k not in old or old[k] is not v}
            if sub:
                patch["merge"][key] = sub
            continue
        marks = _marks(old, value) if isinstance(value, list) and isinstance(old, list) else None
        if marks is None:
            patch["set"][key] = value
        elif marks:
            patch["mark"][key] = marks
    return {k: v for k, v in patch.items() if v}


def _marks(old: list, new: list) -> dict | None:
    """Return {field: [ids]} when `new` is `old` plus true/false fields, else None."""
    if len(old) != len(new):
        return None
    marks: dict[str, list] = {}
    for a, b in zip(old, new, strict=True):
        if not (isinstance(a, dict) and isinstance(b, dict)) or a.get("id") != b.get("id"):
            return None
        for field, value in b.items():
            if field in a and a[field] == value:
                continue
            if not isinstance(value, bool) or field in a:
                return None
            ids = marks.setdefault(field, [])
            if value:
                ids.append(b["id"])
    return marks


def personal_patches(
    shared: dict, ctx: SnapshotContext, participants: list[Participant]
) -> dict[int, dict]:
    """Return each phone's patch (see `diff`) over the shared snapshot, by participant id.

    A kind whose `view` module has `personal_patches(ctx, phase, participants, data)`
    answers for all phones from rows loaded once; the others through `personal_state`
    one phone at a time.
    """
    patches: dict[int, dict] = {p.id: {} for p in participants}
    for shown in registry.shows(ctx.model, ctx.phase):
        spec = registry.of(shown)
        view = _view_module(spec)
        batch = getattr(view, "personal_patches", None) if view is not None else None
        if batch is not None:
            parts = batch(ctx, shown, participants, shared)
        else:
            parts = {
                p.id: diff(shared, {**shared, **spec.personal_state(ctx, shown, p, shared)})
                for p in participants
            }
        for pid, part in parts.items():
            mine = patches[pid]
            for section, entries in part.items():
                mine.setdefault(section, {}).update(entries)
    return patches


def answers_by_phone(table, item: str, value, participants, **where) -> dict[int, dict]:
    """Return `{participant id: {row.<item>: value}}` for these phones, from one query.

    The batch form of `phases.answers.answers_by` for `personal_patches` hooks; `value`
    is a column name or a function of the row.
    """
    from sqlalchemy import select

    from .extensions import db

    get = value if callable(value) else (lambda row: getattr(row, value))
    out: dict[int, dict] = {p.id: {} for p in participants}
    for row in db.session.scalars(select(table).filter_by(**where)):
        if row.participant_id in out:
            out[row.participant_id][getattr(row, item)] = get(row)
    return out


def apply_patch(shared: dict, patch: dict) -> dict:
    """Return the shared snapshot with one phone's patch applied (as `common.js` does)."""
    data = dict(shared)
    for key, value in patch.get("set", {}).items():
        data[key] = value
    for key, sub in patch.get("merge", {}).items():
        data[key] = {**(data.get(key) or {}), **sub}
    for key, fields in patch.get("mark", {}).items():
        marked = {f: set(ids) for f, ids in fields.items()}
        data[key] = [
            {**item, **{f: item.get("id") in ids for f, ids in marked.items()}}
            for item in data.get(key) or []
        ]
    return data
