"""Session-level state changes. Plain functions over values and model objects, never `request`.

Every function validates against the session's state and changes the database, but
never commits and never publishes: what screens must hear (`phase`, `timer`,
`session.deleted`, a kind's results) is queued on the unit of work's `Publication`
(`phases.base.publication()`), and the edge (the API's `@unit_of_work`, the dashboard
routes, the socket `handler`, a CLI command: `realtime.unit_of_work()`) commits once
and then publishes, so a multi-step change is one transaction (see
docs/architecture.md, "Unit of work"). Two are edges of their own: `create_facilitator`
(the sign-up page calls it alone) and `purge_participants` (a batch job, one unit of
work per session). A phase kind's operations live in facilitator/phases/<kind>/ops.py
(reachable here under their old names).
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from . import passwords
from .errors import OperationError
from .extensions import db
from .models import (
    Action,
    ApiToken,
    Facilitator,
    Idea,
    IllegalTransition,
    LoginSession,
    Participant,
    Rating,
    SessionStatus,
    Theme,
    Vote,
    Workshop,
    utcnow,
)
from .text import clean_input
from .workshop_models import WorkshopModel

# No 0/O, 1/I/L: a code read off a projector from the back row must be unambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6

_model_cache: dict[tuple, WorkshopModel] = {}


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def workshop_model(workshop: Workshop) -> WorkshopModel:
    """Return the parsed template snapshot of a session (cached: it never changes)."""
    # Keyed by more than the id: another database (tests, a restore) may reuse ids.
    key = (workshop.id, workshop.model_id, workshop.model_version, workshop.created_at)
    if workshop.status is SessionStatus.UPCOMING:
        # Preparing (prepare.py) may still rewrite an upcoming session's snapshot, also
        # in another process; after the start it never changes again.
        key += (_snapshot_fingerprint(workshop.model_snapshot),)
    model = _model_cache.get(key)
    if model is None:
        model = WorkshopModel.from_snapshot(workshop.model_snapshot)
        if len(_model_cache) > 1000:
            _model_cache.clear()
        _model_cache[key] = model
    return model


def _snapshot_fingerprint(snapshot: dict) -> str:
    """Return a short digest of a template snapshot's content."""
    encoded = json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def current_phase(workshop: Workshop):
    """Return the template phase the session is in."""
    return workshop_model(workshop).phases[workshop.phase_index]


def _publication():
    """Return the current unit of work's outbox (imported late: the kinds import us)."""
    from .phases.base import publication

    return publication()


def announce_phase(workshop: Workshop) -> None:
    """Queue the `phase` event (clients re-sync), built from the committed state."""
    workshop_id = workshop.id

    def send(publish) -> None:
        payload = {"index": workshop.phase_index, "status": workshop.status.value}
        publish(workshop_id, "phase", payload)

    _publication().once(("phase", workshop_id), send)


def announce_timer(workshop: Workshop) -> None:
    """Queue the `timer` event for every screen."""
    from .serializers import timer_dict

    workshop_id = workshop.id
    _publication().once(
        ("timer", workshop_id), lambda publish: publish(workshop_id, "timer", timer_dict(workshop))
    )


def announce_deleted(workshop_id: int, language: str) -> None:
    """Queue telling a deleted session's screens it is gone (and emptying its rooms)."""

    def send(_publish) -> None:
        from .realtime import publish_deleted

        publish_deleted(workshop_id, language)

    _publication().once(("deleted", workshop_id), send)


def _transition(method, *args) -> None:
    """Run a model transition method, turning a refusal into an OperationError."""
    try:
        method(*args)
    except IllegalTransition as exc:
        raise OperationError(exc.code) from None


# --- facilitators -----------------------------------------------------------


def create_facilitator(email: str, name: str, password: str, language: str = "fi") -> Facilitator:
    """Create a facilitator account with a hashed password."""
    email = email.strip().lower()
    # Hash first, whether or not the address is taken: both answers take as long.
    password_hash = passwords.hash_password(password)
    if db.session.scalar(select(Facilitator).filter_by(email=email)) is not None:
        raise OperationError("email_taken")
    user = Facilitator(
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> Facilitator | None:
    """Return the facilitator with this email and password, or None.

    An unknown e-mail costs a password check too, so the time taken does not tell
    whether an account exists. The hashing runs off the event loop (passwords.py).
    """
    user = db.session.scalar(select(Facilitator).filter_by(email=email.strip().lower()))
    if not passwords.check_password(user.password_hash if user else None, password):
        return None
    return user


def create_api_token(user: Facilitator, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the plain token is returned once and never stored."""
    plain = "fa_" + secrets.token_urlsafe(32)
    token = ApiToken(
        facilitator=user, name=name.strip()[:80] or "API", token_hash=hash_token(plain)
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_api_token(user: Facilitator, token_id: int) -> None:
    """Delete one of the facilitator's API tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.facilitator_id != user.id:
        raise OperationError("not_found")
    db.session.delete(token)


def facilitator_for_token(plain: str) -> Facilitator | None:
    """Return the owner of a personal API token, recording its use."""
    token = db.session.scalar(select(ApiToken).filter_by(token_hash=hash_token(plain)))
    if token is None:
        return None
    token.last_used_at = utcnow()
    return token.facilitator


def find_facilitator(email: str) -> Facilitator | None:
    """Return the facilitator with this email address (case and spaces ignored), or None."""
    return db.session.scalar(select(Facilitator).filter_by(email=email.strip().lower()))


def check_password(user: Facilitator, password: str) -> bool:
    """Tell whether a password is the facilitator's current one."""
    return passwords.check_password(user.password_hash, password)


def set_password(user: Facilitator, password: str, keep_login_id: int | None = None) -> int:
    """Replace the facilitator's password (the caller has checked its length).

    Every sign-in of the account ends except the one with `keep_login_id` (the browser
    that changed it), so a stolen cookie stops working; returns how many ended. Their
    open control views and projectors are disconnected after the commit.
    """
    user.password_hash = passwords.hash_password(password)
    ending = select(LoginSession.id).where(LoginSession.facilitator_id == user.id)
    if keep_login_id is not None:
        ending = ending.where(LoginSession.id != keep_login_id)
    ids = list(db.session.scalars(ending))
    if ids:
        db.session.execute(delete(LoginSession).where(LoginSession.id.in_(ids)))

        # Their open control views and projectors stop too, not only their next request.
        def end(_publish) -> None:
            from . import logins

            logins.end_sockets(ids)

        _publication().once(("end_sockets", user.id), end)
    return len(ids)


def update_profile(user: Facilitator, name: str, language: str) -> None:
    """Change the facilitator's display name and interface language."""
    name = name.strip()
    if not name:
        raise OperationError("empty")
    if len(name) > 120:
        raise OperationError("too_long", max=120)
    if language not in ("fi", "sv", "en"):
        raise OperationError("invalid")
    user.name = name
    user.language = language


# --- sessions ---------------------------------------------------------------


def _new_join_code() -> str:
    """Return a random join code not used by any session that can still be joined.

    A code whose session closed longer than the join grace ago is retired: it can be
    given to a new session, and the old session's code is replaced by a mark no one
    can type (`~<id>`), so it is never found by code again.
    """
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        holder = db.session.scalar(select(Workshop).filter_by(join_code=code))
        if holder is None:
            return code
        if _retired(holder):
            holder.join_code = f"~{holder.id}"
            db.session.flush()
            return code


def join_grace() -> timedelta:
    """Return how long a closed session can still be joined (FACILITATOR_JOIN_GRACE_HOURS)."""
    from flask import current_app

    return timedelta(hours=float(current_app.config.get("JOIN_GRACE_HOURS", 24)))


def _retired(workshop: Workshop) -> bool:
    """Tell whether a session's join code no longer works: closed longer than the grace."""
    if workshop.status is not SessionStatus.CLOSED or workshop.closed_at is None:
        return False
    closed_at = workshop.closed_at
    now = utcnow()
    if closed_at.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return now - closed_at > join_grace()


def normalize_join_code(raw: str) -> str:
    """Return a typed join code in canonical form (spaces, dashes and case ignored)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:12]


def create_workshop(
    owner: Facilitator,
    model: WorkshopModel,
    title: str,
    team_name: str,
    language: str,
    commit: bool = False,
) -> Workshop:
    """Create an upcoming session from a template, with the template's suggested themes.

    Like every operation here it only flushes; the caller's unit of work commits, with
    whatever else it adds (a series session, series.start_next). `commit` is accepted
    from older callers and ignored.
    """
    title = title.strip()
    if not title:
        raise OperationError("empty")
    if language not in ("fi", "sv", "en"):
        raise OperationError("invalid")
    workshop = Workshop(
        facilitator=owner,
        title=title[:200],
        team_name=team_name.strip()[:200],
        language=language,
        join_code=_new_join_code(),
        model_id=model.id,
        model_version=model.version,
        model_snapshot=model.to_snapshot(),
        status=SessionStatus.UPCOMING,
        phase_index=0,
    )
    workshop.reset_timer()
    db.session.add(workshop)
    db.session.flush()
    _add_suggested_themes(workshop, model)
    return workshop


def _add_suggested_themes(workshop: Workshop, model: WorkshopModel) -> None:
    """Let each phase's kind add what a new session needs (a group's suggested themes)."""
    from .phases import registry

    for phase in model.phases:
        registry.of(phase).on_create(workshop, phase)


def find_workshop_by_code(code: str) -> Workshop | None:
    """Return the session with this join code, or None."""
    code = normalize_join_code(code)
    if not code:
        return None
    workshop = db.session.scalar(select(Workshop).filter_by(join_code=code))
    if workshop is None or _retired(workshop):
        return None
    return workshop


def start_workshop(workshop: Workshop) -> None:
    """Start the session at its first phase."""
    _transition(workshop.start)
    announce_phase(workshop)


def close_workshop(workshop: Workshop) -> None:
    """Close the session."""
    _transition(workshop.close)
    announce_phase(workshop)


def move_phase(workshop: Workshop, to: str | int) -> None:
    """Move to the next, previous or a numbered phase."""
    count = len(workshop_model(workshop).phases)
    if to == "next":
        index = workshop.phase_index + 1
    elif to == "prev":
        index = workshop.phase_index - 1
    else:
        index = int(to)
    _transition(workshop.move_to_phase, index, count)
    announce_phase(workshop)


def set_input_open(workshop: Workshop, is_open: bool) -> None:
    """Open or close input for the current phase.

    In a phase with results (a vote) this is also the reveal, or the hiding again, of
    the counts: the kind's results go out again after the commit.
    """
    from .phases import registry

    _transition(workshop.set_input_open, is_open)
    announce_phase(workshop)
    spec = registry.of(current_phase(workshop))
    if spec.has_results:
        _publication().mark(workshop.id, spec.name)


def control_timer(workshop: Workshop, action: str, seconds: int = 60) -> None:
    """Start, pause, extend or reset the phase timer."""
    if workshop.status is not SessionStatus.LIVE:
        raise OperationError("session_not_live")
    if action == "start":
        _transition(workshop.start_timer)
    elif action == "pause":
        workshop.pause_timer()
    elif action == "extend":
        if not 1 <= seconds <= 3600:
            raise OperationError("invalid")
        _transition(workshop.extend_timer, seconds)
    elif action == "reset":
        workshop.reset_timer()
    else:
        raise OperationError("invalid")
    announce_timer(workshop)


# --- session management -------------------------------------------------------

SESSION_TITLE_MAX_CHARS = 200
TEAM_NAME_MAX_CHARS = 200


def rename_workshop(workshop: Workshop, title: str, team_name: str | None = None) -> None:
    """Change a session's title and, when given, its team name (any status)."""
    workshop.title = _clean_text(title, SESSION_TITLE_MAX_CHARS)
    if team_name is not None:
        team_name = team_name.strip()
        if len(team_name) > TEAM_NAME_MAX_CHARS:
            raise OperationError("too_long", max=TEAM_NAME_MAX_CHARS)
        workshop.team_name = team_name
    # Screens show the title: they re-sync.
    announce_phase(workshop)


def duplicate_workshop(workshop: Workshop, title: str) -> Workshop:
    """Make a new upcoming session from the same template snapshot and settings.

    Title, team and language are copied, the join code is new, and nothing that
    happened in the original (ideas, themes made there, votes, ratings, actions,
    participants) comes along; the template's suggested themes are created afresh.
    """
    copied = Workshop(
        facilitator_id=workshop.facilitator_id,
        title=_clean_text(title, SESSION_TITLE_MAX_CHARS),
        team_name=workshop.team_name,
        language=workshop.language,
        join_code=_new_join_code(),
        model_id=workshop.model_id,
        model_version=workshop.model_version,
        model_snapshot=copy.deepcopy(workshop.model_snapshot),
        status=SessionStatus.UPCOMING,
        phase_index=0,
    )
    copied.reset_timer()
    db.session.add(copied)
    db.session.flush()
    _add_suggested_themes(copied, workshop_model(workshop))
    return copied


def reopen_workshop(workshop: Workshop) -> None:
    """Bring a closed session back to live for corrections, input closed."""
    _transition(workshop.reopen)
    if workshop.join_code.startswith("~"):
        # Its code was retired and given to another session: it gets a new one.
        workshop.join_code = _new_join_code()
    announce_phase(workshop)


def workshop_content_counts(workshop: Workshop) -> dict[str, int]:
    """Return how much a session holds: what deleting it would lose."""

    def count(query) -> int:
        return db.session.scalar(query) or 0

    wid = workshop.id
    return {
        "ideas": count(
            select(func.count(Idea.id)).where(Idea.workshop_id == wid, Idea.deleted.is_(False))
        ),
        "themes": count(select(func.count(Theme.id)).where(Theme.workshop_id == wid)),
        # Dots, not rows: three dots on one idea are three votes.
        "votes": count(select(func.sum(Vote.count)).where(Vote.workshop_id == wid)),
        "ratings": count(select(func.count(Rating.id)).where(Rating.workshop_id == wid)),
        "actions": count(select(func.count(Action.id)).where(Action.workshop_id == wid)),
        "participants": participant_count(wid),
    }


def delete_workshop(workshop: Workshop) -> None:
    """Delete a session and every row that belongs to it.

    Every table that refers to a session does so with ON DELETE CASCADE (SQLite runs
    with foreign keys on), so one DELETE removes participants, ideas, themes, votes,
    ratings and actions in the same transaction. Its screens are told after the commit.
    """
    workshop_id, language = workshop.id, workshop.language
    db.session.execute(delete(Workshop).where(Workshop.id == workshop_id))
    announce_deleted(workshop_id, language)


# --- retention: deleting an account, unlinking participants ------------------


def account_content_counts(user: Facilitator) -> dict[str, int]:
    """Return what deleting the account would lose: sessions, API tokens, sign-ins."""

    def count(query) -> int:
        return db.session.scalar(query) or 0

    return {
        "sessions": count(
            select(func.count(Workshop.id)).where(Workshop.facilitator_id == user.id)
        ),
        "tokens": count(select(func.count(ApiToken.id)).where(ApiToken.facilitator_id == user.id)),
        "sign_ins": count(
            select(func.count(LoginSession.id)).where(
                LoginSession.facilitator_id == user.id, LoginSession.expires_at > utcnow()
            )
        ),
    }


def delete_facilitator(user: Facilitator) -> list[tuple[int, str]]:
    """Delete a facilitator account with every session, API token and sign-in of it.

    One transaction: the sessions go first (each with everything in it, through ON
    DELETE CASCADE), then the tokens, the sign-ins and the account row. Returns the
    deleted sessions' ids and languages; their screens are told after the commit.
    """
    uid = user.id
    sessions = db.session.execute(
        select(Workshop.id, Workshop.language).where(Workshop.facilitator_id == uid)
    ).all()
    db.session.execute(delete(Workshop).where(Workshop.facilitator_id == uid))
    db.session.execute(delete(ApiToken).where(ApiToken.facilitator_id == uid))
    db.session.execute(delete(LoginSession).where(LoginSession.facilitator_id == uid))
    db.session.execute(delete(Facilitator).where(Facilitator.id == uid))
    # The deleted rows' objects (the signed-in user) must not be reloaded after the commit.
    db.session.expunge_all()
    for workshop_id, language in sessions:
        announce_deleted(workshop_id, language)
    return [(wid, language) for wid, language in sessions]


def retention_period(days: float | None = None) -> timedelta:
    """Return how long after closing a session keeps its participants (RETENTION_DAYS)."""
    from flask import current_app

    if days is None:
        days = float(current_app.config.get("RETENTION_DAYS", 30))
    if not days >= 0:
        raise ValueError("FACILITATOR_RETENTION_DAYS must be a number of days, 0 or more")
    return timedelta(days=days)


@dataclass
class PurgeResult:
    sessions: int = 0
    participants: int = 0
    deleted_ideas: int = 0
    ideas: int = 0
    votes: int = 0
    ratings: int = 0
    other: int = 0  # answers of other phase kinds (classify choices, group notes, ...)


def purge_participants(days: float | None = None, now=None) -> PurgeResult:
    """Unlink the participants of sessions closed longer than the retention period ago.

    Per session: ideas their writers deleted (kept until now so a late retry could
    not bring them back) are removed for good; the other ideas, votes and ratings lose
    their `participant_id`; the participant rows (a token hash each) are deleted, and
    the session keeps how many there were
    (and how many had voted in each vote phase), so counts, results and exports read
    exactly as before. Live and upcoming sessions, and sessions closed more recently,
    are not touched. Safe to run in several processes at once. A batch job, so its own
    edge: each session is purged in its own unit of work.
    """
    from .realtime import unit_of_work

    cutoff = (now or utcnow()) - retention_period(days)
    due = db.session.scalars(
        select(Workshop.id)
        .where(
            Workshop.status == SessionStatus.CLOSED,
            Workshop.closed_at < cutoff,
            select(Participant.id).where(Participant.workshop_id == Workshop.id).exists(),
        )
        .order_by(Workshop.id)
    ).all()
    db.session.rollback()  # end the read: each session is purged in its own transaction
    result = PurgeResult()
    for workshop_id in due:
        with unit_of_work():
            _unlink_participants(workshop_id, cutoff, result)
    return result


def _unlink_participants(workshop_id: int, cutoff, result: PurgeResult) -> None:
    """Unlink one session's participants (see purge_participants; no commit)."""
    # A write first: it locks the session's row (PostgreSQL) or the database (SQLite),
    # so a second purge or a reopen at the same moment waits, then finds nothing to do.
    locked = db.session.execute(
        update(Workshop)
        .where(
            Workshop.id == workshop_id,
            Workshop.status == SessionStatus.CLOSED,
            Workshop.closed_at < cutoff,
        )
        .values(unlinked_participants=Workshop.unlinked_participants)
        .execution_options(synchronize_session=False)
    ).rowcount
    workshop = db.session.get(Workshop, workshop_id, populate_existing=True) if locked else None
    if workshop is None:
        return
    in_session = Participant.workshop_id == workshop_id
    participants = db.session.scalar(select(func.count(Participant.id)).where(in_session))
    if not participants:
        return
    # Every column that points at a participant: nullable links are emptied (answers
    # stay and count), rows with a required link (group memberships) go with it.
    links = [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "participant" for fk in column.foreign_keys)
    ]
    # Voters per vote phase: vote_tally counts distinct participants, so the removed
    # ones are kept as a number and the count reads the same after the purge.
    voters = dict(workshop.unlinked_voters or {})
    for phase_id, n in db.session.execute(
        select(Vote.phase_id, func.count(func.distinct(Vote.participant_id)))
        .where(Vote.workshop_id == workshop_id, Vote.participant_id.is_not(None))
        .group_by(Vote.phase_id)
    ):
        voters[phase_id] = voters.get(phase_id, 0) + n
    child = aliased(Idea)
    gone = db.session.scalars(
        select(Idea.id).where(
            Idea.workshop_id == workshop_id,
            Idea.deleted.is_(True),
            ~select(child.id).where(child.merged_into_id == Idea.id).exists(),
        )
    ).all()
    if gone:
        db.session.execute(
            delete(Idea).where(Idea.id.in_(gone)).execution_options(synchronize_session=False)
        )
    counts = {"deleted_ideas": len(gone)}
    for table, column in links:
        if not column.nullable:
            continue
        counts[table.name] = counts.get(table.name, 0) + (
            db.session.execute(
                update(table)
                .where(column.in_(select(Participant.id).where(in_session)))
                .values({column.name: None})
            ).rowcount
            or 0
        )
    db.session.execute(delete(Participant).where(in_session))
    workshop.unlinked_participants = (workshop.unlinked_participants or 0) + participants
    workshop.unlinked_voters = voters
    db.session.flush()
    result.sessions += 1
    result.participants += participants
    result.deleted_ideas += counts["deleted_ideas"]
    result.ideas += counts.pop("idea", 0)
    result.votes += counts.pop("vote", 0)
    result.ratings += counts.pop("rating", 0)
    result.other += sum(counts.values()) - counts["deleted_ideas"]


# --- participants -----------------------------------------------------------


def join_participant(
    workshop: Workshop, token: str, participant: Participant | None
) -> Participant:
    """Return the participant behind a token, creating it on first join.

    `participant`: the token's row as `find_participant` found it (None: a new token).
    """
    token_hash = hash_token(token)
    if participant is not None:
        if participant.workshop_id != workshop.id:
            raise OperationError("forbidden")
        return participant
    participant = Participant(workshop_id=workshop.id, token_hash=token_hash)
    db.session.add(participant)
    try:
        # The insert goes out now: a second tab racing in hits the unique constraint here.
        db.session.flush()
    except IntegrityError:
        # Two tabs of the same phone joined at once: the other one made the row (the
        # join is the first write of its unit of work, so nothing else is lost).
        db.session.rollback()
        participant = db.session.scalar(select(Participant).filter_by(token_hash=token_hash))
    return participant


def find_participant(token: str) -> Participant | None:
    """Return the participant a token made when it joined before, or None."""
    return db.session.scalar(select(Participant).filter_by(token_hash=hash_token(token)))


def participant_count(workshop_id: int, executor=None) -> int:
    """Return how many phones have joined a session (on db.session unless told otherwise).

    Participants removed by the retention purge still count (`unlinked_participants`).
    """
    rows = (
        select(func.count(Participant.id))
        .where(Participant.workshop_id == workshop_id)
        .scalar_subquery()
    )
    unlinked = (
        select(Workshop.unlinked_participants).where(Workshop.id == workshop_id).scalar_subquery()
    )
    query = select(rows + func.coalesce(unlinked, 0))
    return (executor or db.session).scalar(query)


def _require_input(workshop: Workshop, kind: str):
    """Return the current phase if participants may write to it with this kind of input."""
    if workshop.status is SessionStatus.UPCOMING:
        raise OperationError("session_not_started")
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")
    if workshop.status is SessionStatus.COLLECTING:
        # Input before the session: only inside its window (facilitator/collecting.py).
        from .collecting import require_window

        require_window(workshop)
    phase = current_phase(workshop)
    if phase.kind != kind:
        raise OperationError("wrong_phase")
    if not workshop.input_open:
        raise OperationError("phase_closed")
    return phase


def _clean_text(text: str, max_chars: int) -> str:
    """Return stripped text, refusing empty or oversized text."""
    text = clean_input(text or "").strip()
    if not text:
        raise OperationError("empty")
    if len(text) > max_chars:
        raise OperationError("too_long", max=max_chars)
    return text


# --- the kinds' operations (facilitator/phases/<kind>/ops.py), under their old names ---

_MOVED = {
    "facilitator.phases.ideas.ops": (
        "IDEA_MAX_CHARS DELETED_IDEAS_FACTOR IdeaResult add_idea edit_idea delete_idea"
        " UNCHANGED moderate_idea merge_ideas visible_ideas merged_texts"
    ),
    "facilitator.phases.group.ops": (
        "THEME_MAX_CHARS GROUP_MAX_IDEAS add_theme rename_theme delete_theme assign_ideas"
        " add_theme_with_ideas"
    ),
    "facilitator.phases.vote.ops": "vote_items is_vote_item my_votes set_vote vote_tally",
    "facilitator.phases.rate.ops": "my_ratings set_rating rating_results",
    "facilitator.phases.actions.ops": (
        "ACTION_MAX_CHARS WHO_MAX_CHARS ActionFields ActionResult add_action update_action"
        " delete_action list_actions"
    ),
}
_MOVED_NAMES = {name: module for module, names in _MOVED.items() for name in names.split()}


def __getattr__(name: str):
    """Find a kind's operation by its old name here (the kinds import this module)."""
    module = _MOVED_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
