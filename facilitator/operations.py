"""State changes. Plain functions over values and model objects, never `request`.

Every function validates against the session's state, changes the database and
commits before returning, so callers can acknowledge and publish afterwards.
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from . import passwords
from .errors import OperationError
from .extensions import db
from .models import (
    Action,
    ActionStatus,
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
from .workshop_models import PhaseKind, WorkshopModel, localize

IDEA_MAX_CHARS = 500
# Ideas a participant may have posted in a phase, deleted ones included: this times the cap.
DELETED_IDEAS_FACTOR = 2
ACTION_MAX_CHARS = 1000
THEME_MAX_CHARS = 200
WHO_MAX_CHARS = 200
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
    db.session.commit()
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
    db.session.commit()
    return token, plain


def revoke_api_token(user: Facilitator, token_id: int) -> None:
    """Delete one of the facilitator's API tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.facilitator_id != user.id:
        raise OperationError("not_found")
    db.session.delete(token)
    db.session.commit()


def facilitator_for_token(plain: str) -> Facilitator | None:
    """Return the owner of a personal API token, recording its use."""
    token = db.session.scalar(select(ApiToken).filter_by(token_hash=hash_token(plain)))
    if token is None:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
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
    that changed it), so a stolen cookie stops working; returns how many ended.
    """
    user.password_hash = passwords.hash_password(password)
    ended = delete(LoginSession).where(LoginSession.facilitator_id == user.id)
    if keep_login_id is not None:
        ended = ended.where(LoginSession.id != keep_login_id)
    count = db.session.execute(ended).rowcount or 0
    db.session.commit()
    return count


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
    db.session.commit()


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
    owner: Facilitator, model: WorkshopModel, title: str, team_name: str, language: str
) -> Workshop:
    """Create an upcoming session from a template, with the template's suggested themes."""
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
    db.session.commit()
    return workshop


def _add_suggested_themes(workshop: Workshop, model: WorkshopModel) -> None:
    """Create the suggested themes of the template's group phases (no commit)."""
    for phase in model.phases:
        if phase.kind is PhaseKind.GROUP:
            for position, theme_title in enumerate(phase.settings.themes):
                db.session.add(
                    Theme(
                        workshop_id=workshop.id,
                        phase_id=phase.id,
                        title=localize(theme_title, workshop.language),
                        position=position,
                    )
                )


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
    db.session.commit()


def close_workshop(workshop: Workshop) -> None:
    """Close the session."""
    _transition(workshop.close)
    db.session.commit()


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
    db.session.commit()


def set_input_open(workshop: Workshop, is_open: bool) -> None:
    """Open or close input for the current phase."""
    _transition(workshop.set_input_open, is_open)
    db.session.commit()


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
    db.session.commit()


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
    db.session.commit()


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
    db.session.commit()
    return copied


def reopen_workshop(workshop: Workshop) -> None:
    """Bring a closed session back to live for corrections, input closed."""
    _transition(workshop.reopen)
    if workshop.join_code.startswith("~"):
        # Its code was retired and given to another session: it gets a new one.
        workshop.join_code = _new_join_code()
    db.session.commit()


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
    ratings and actions in the same transaction.
    """
    db.session.execute(delete(Workshop).where(Workshop.id == workshop.id))
    db.session.commit()


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
    deleted sessions' ids and languages, so their screens can be told.
    """
    uid = user.id
    sessions = db.session.execute(
        select(Workshop.id, Workshop.language).where(Workshop.facilitator_id == uid)
    ).all()
    db.session.execute(delete(Workshop).where(Workshop.facilitator_id == uid))
    db.session.execute(delete(ApiToken).where(ApiToken.facilitator_id == uid))
    db.session.execute(delete(LoginSession).where(LoginSession.facilitator_id == uid))
    db.session.execute(delete(Facilitator).where(Facilitator.id == uid))
    db.session.commit()
    db.session.expunge_all()
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


def purge_participants(days: float | None = None, now=None) -> PurgeResult:
    """Unlink the participants of sessions closed longer than the retention period ago.

    Per session: ideas their writers deleted (kept until now so a late retry could
    not bring them back) are removed for good; the other ideas, votes and ratings lose
    their `participant_id`; the participant rows (a token hash each) are deleted, and
    the session keeps how many there were
    (and how many had voted in each vote phase), so counts, results and exports read
    exactly as before. Live and upcoming sessions, and sessions closed more recently,
    are not touched. Safe to run in several processes at once.
    """
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
        _unlink_participants(workshop_id, cutoff, result)
    return result


def _unlink_participants(workshop_id: int, cutoff, result: PurgeResult) -> None:
    """Unlink one session's participants in one transaction (see purge_participants)."""
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
        db.session.rollback()
        return
    in_session = Participant.workshop_id == workshop_id
    participants = db.session.scalar(select(func.count(Participant.id)).where(in_session))
    if not participants:
        db.session.rollback()
        return
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
    for name, table in (("ideas", Idea), ("votes", Vote), ("ratings", Rating)):
        counts[name] = (
            db.session.execute(
                update(table)
                .where(table.workshop_id == workshop_id, table.participant_id.is_not(None))
                .values(participant_id=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    db.session.execute(delete(Participant).where(in_session))
    workshop.unlinked_participants = (workshop.unlinked_participants or 0) + participants
    workshop.unlinked_voters = voters
    db.session.commit()
    result.sessions += 1
    result.participants += participants
    result.deleted_ideas += counts["deleted_ideas"]
    result.ideas += counts["ideas"]
    result.votes += counts["votes"]
    result.ratings += counts["ratings"]


# --- participants -----------------------------------------------------------


def join_participant(workshop: Workshop, token: str) -> Participant:
    """Return the participant behind a token, creating it on first join."""
    token_hash = hash_token(token)
    participant = db.session.scalar(select(Participant).filter_by(token_hash=token_hash))
    if participant is not None:
        if participant.workshop_id != workshop.id:
            raise OperationError("forbidden")
        return participant
    participant = Participant(workshop_id=workshop.id, token_hash=token_hash)
    db.session.add(participant)
    try:
        db.session.commit()
    except IntegrityError:
        # Two tabs of the same phone joined at once: the other one made the row.
        db.session.rollback()
        participant = db.session.scalar(select(Participant).filter_by(token_hash=token_hash))
    return participant


def participant_exists(token: str) -> bool:
    """Tell whether a participant token has joined before."""
    token_hash = hash_token(token)
    return db.session.scalar(select(Participant.id).filter_by(token_hash=token_hash)) is not None


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


def _require_input(workshop: Workshop, kind: PhaseKind):
    """Return the current phase if participants may write to it with this kind of input."""
    if workshop.status is SessionStatus.UPCOMING:
        raise OperationError("session_not_started")
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")
    phase = current_phase(workshop)
    if phase.kind is not kind:
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


@dataclass
class IdeaResult:
    idea: Idea
    created: bool


def add_idea(
    workshop: Workshop, participant: Participant, client_id: str, text: str, column: str | None
) -> IdeaResult:
    """Post an anonymous idea; a retried client id returns the idea made the first time."""
    existing = db.session.scalar(
        select(Idea).filter_by(workshop_id=workshop.id, client_id=client_id)
    )
    if existing is not None:
        if existing.participant_id != participant.id:
            raise OperationError("invalid")
        if existing.deleted:
            # A late retry of an idea its writer has since deleted: say so, post nothing.
            raise OperationError("idea_deleted")
        return IdeaResult(existing, created=False)
    phase = _require_input(workshop, PhaseKind.IDEAS)
    text = _clean_text(text, IDEA_MAX_CHARS)
    column = _check_column(phase, column)
    live, deleted = db.session.execute(
        select(
            func.count(Idea.id).filter(Idea.deleted.is_(False)),
            func.count(Idea.id).filter(Idea.deleted.is_(True)),
        ).where(
            Idea.workshop_id == workshop.id,
            Idea.phase_id == phase.id,
            Idea.participant_id == participant.id,
        )
    ).one()
    limit = phase.settings.max_ideas_per_person
    if live >= limit:
        raise OperationError("too_many_ideas", max=limit)
    # Deleted ideas count too, up to a second cap's worth: fixing typos by deleting
    # and re-posting is fine, add-then-delete cannot fill the table with rows.
    if live + deleted >= limit * DELETED_IDEAS_FACTOR:
        raise OperationError("too_many_deleted")
    idea = Idea(
        workshop_id=workshop.id,
        phase_id=phase.id,
        participant_id=participant.id,
        client_id=client_id,
        column=column,
        text=text,
    )
    db.session.add(idea)
    try:
        db.session.commit()
    except IntegrityError:
        # The same event raced in twice (two sockets of one phone): keep the first.
        db.session.rollback()
        idea = db.session.scalar(
            select(Idea).filter_by(workshop_id=workshop.id, client_id=client_id)
        )
        return IdeaResult(idea, created=False)
    return IdeaResult(idea, created=True)


def _check_column(phase, column: str | None) -> str | None:
    """Return a valid column id for the phase (None when the phase has no columns)."""
    columns = [c.id for c in phase.settings.columns]
    if not columns:
        return None
    if column not in columns:
        raise OperationError("invalid")
    return column


def _own_idea(workshop: Workshop, participant: Participant, idea_id: int) -> Idea | None:
    """Return the participant's own idea, or None if it is gone."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id or idea.deleted:
        return None
    if idea.participant_id != participant.id:
        raise OperationError("not_yours")
    return idea


def edit_idea(
    workshop: Workshop, participant: Participant, idea_id: int, text: str, column: str | None
) -> Idea:
    """Change the text (and column) of one's own idea while its phase is open."""
    idea = _own_idea(workshop, participant, idea_id)
    if idea is None:
        raise OperationError("not_found")
    phase = _require_input(workshop, PhaseKind.IDEAS)
    if idea.phase_id != phase.id:
        raise OperationError("phase_closed")
    idea.text = _clean_text(text, IDEA_MAX_CHARS)
    idea.column = _check_column(phase, column) if column is not None else idea.column
    db.session.commit()
    return idea


def delete_idea(workshop: Workshop, participant: Participant, idea_id: int) -> Idea | None:
    """Delete one's own idea while its phase is open; deleting twice is harmless."""
    idea = _own_idea(workshop, participant, idea_id)
    if idea is None:
        return None
    phase = _require_input(workshop, PhaseKind.IDEAS)
    if idea.phase_id != phase.id:
        raise OperationError("phase_closed")
    # Soft delete: the row keeps its client id, so a late retry cannot resurrect it.
    idea.deleted = True
    idea.text = "-"
    db.session.commit()
    return idea


# --- facilitator moderation -------------------------------------------------


def _session_idea(workshop: Workshop, idea_id: int) -> Idea:
    """Return a non-deleted idea of this session."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id or idea.deleted:
        raise OperationError("not_found")
    return idea


def _session_theme(workshop: Workshop, theme_id: int) -> Theme:
    """Return a theme of this session."""
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.workshop_id != workshop.id:
        raise OperationError("not_found")
    return theme


UNCHANGED = object()


def moderate_idea(
    workshop: Workshop, idea_id: int, hidden: bool | None = None, theme_id=UNCHANGED
) -> Idea:
    """Hide or show an idea and/or put it under a theme, all or nothing."""
    idea = _session_idea(workshop, idea_id)
    if theme_id is not UNCHANGED:
        _check_theme_for(workshop, idea, theme_id)
        idea.theme_id = theme_id
    if hidden is not None:
        idea.hidden = hidden
    db.session.commit()
    return idea


def _check_theme_for(workshop: Workshop, idea: Idea, theme_id: int | None) -> None:
    """Refuse a theme that does not group the idea's phase."""
    if theme_id is not None:
        theme = _session_theme(workshop, theme_id)
        model = workshop_model(workshop)
        group = model.phases[model.phase_index(theme.phase_id)]
        # A theme groups the ideas of its own group phase's source, nothing else.
        if group.settings.source != idea.phase_id:
            raise OperationError("invalid")


def merge_ideas(workshop: Workshop, idea_id: int, into_id: int) -> tuple[Idea, Idea]:
    """Merge one idea into another; its votes move with it."""
    if idea_id == into_id:
        raise OperationError("invalid")
    idea = _session_idea(workshop, idea_id)
    target = _session_idea(workshop, into_id)
    if target.merged_into_id is not None or idea.phase_id != target.phase_id:
        raise OperationError("invalid")
    idea.merged_into_id = target.id
    # Ideas merged earlier into this one follow it to the new target.
    for child in db.session.scalars(select(Idea).filter_by(merged_into_id=idea.id)):
        child.merged_into_id = target.id
    if target.theme_id is None:
        target.theme_id = idea.theme_id
    old_key, new_key = f"idea:{idea.id}", f"idea:{target.id}"
    for vote in db.session.scalars(
        select(Vote).filter_by(workshop_id=workshop.id, item_key=old_key)
    ):
        twin = db.session.scalar(
            select(Vote).filter_by(
                participant_id=vote.participant_id, phase_id=vote.phase_id, item_key=new_key
            )
        )
        if twin is None:
            vote.item_key = new_key
        else:
            twin.count += vote.count
            db.session.delete(vote)
    db.session.commit()
    return idea, target


def add_theme(workshop: Workshop, phase_id: str, title: str) -> Theme:
    """Create a theme in a group phase."""
    theme = _new_theme(workshop, phase_id, title)
    db.session.commit()
    return theme


def _new_theme(workshop: Workshop, phase_id: str, title: str) -> Theme:
    """Add (not commit) a theme at the end of a group phase."""
    model = workshop_model(workshop)
    try:
        phase = model.phases[model.phase_index(phase_id)]
    except (KeyError, ValueError):
        raise OperationError("not_found") from None
    if phase.kind is not PhaseKind.GROUP:
        raise OperationError("wrong_phase")
    last = db.session.scalar(
        select(func.max(Theme.position)).where(
            Theme.workshop_id == workshop.id, Theme.phase_id == phase_id
        )
    )
    position = 0 if last is None else last + 1
    theme = Theme(
        workshop_id=workshop.id,
        phase_id=phase_id,
        title=_clean_text(title, THEME_MAX_CHARS),
        position=position,
    )
    db.session.add(theme)
    return theme


def rename_theme(workshop: Workshop, theme_id: int, title: str) -> Theme:
    """Rename a theme."""
    theme = _session_theme(workshop, theme_id)
    theme.title = _clean_text(title, THEME_MAX_CHARS)
    db.session.commit()
    return theme


def delete_theme(workshop: Workshop, theme_id: int) -> None:
    """Delete a theme; its ideas become ungrouped and its votes are dropped."""
    theme = _session_theme(workshop, theme_id)
    for idea in db.session.scalars(select(Idea).filter_by(theme_id=theme.id)):
        idea.theme_id = None
    for vote in db.session.scalars(
        select(Vote).filter_by(workshop_id=workshop.id, item_key=f"theme:{theme.id}")
    ):
        db.session.delete(vote)
    db.session.delete(theme)
    db.session.commit()


# --- grouping several ideas at once ------------------------------------------

# The most ideas one grouping request may name: a whole wall of a big workshop.
GROUP_MAX_IDEAS = 500


def _selected_ideas(workshop: Workshop, idea_ids: list[int]) -> list[Idea]:
    """Return the named ideas of this session in the given order, duplicates dropped."""
    ids = list(dict.fromkeys(idea_ids))
    if not ids:
        raise OperationError("empty_selection")
    if len(ids) > GROUP_MAX_IDEAS:
        raise OperationError("selection_too_large", max=GROUP_MAX_IDEAS)
    found = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(Idea.workshop_id == workshop.id, Idea.id.in_(ids))
        )
    }
    ideas = [found.get(i) for i in ids]
    if any(idea is None or idea.deleted for idea in ideas):
        raise OperationError("not_found")
    return ideas


def _group_source(workshop: Workshop, group_phase_id: str) -> str:
    """Return the id of the ideas phase a group phase sorts."""
    model = workshop_model(workshop)
    return model.phases[model.phase_index(group_phase_id)].settings.source


def _check_groupable(ideas: list[Idea], source_phase_id: str) -> None:
    """Refuse ideas that a group phase with this source cannot hold."""
    if any(idea.phase_id != source_phase_id for idea in ideas):
        raise OperationError("not_groupable")


def assign_ideas(
    workshop: Workshop, idea_ids: list[int], theme_id: int | None
) -> tuple[Theme | None, list[Idea]]:
    """Put several ideas under one theme (or none) in one transaction, all or nothing."""
    ideas = _selected_ideas(workshop, idea_ids)
    theme = None
    if theme_id is not None:
        theme = _session_theme(workshop, theme_id)
        _check_groupable(ideas, _group_source(workshop, theme.phase_id))
    for idea in ideas:
        idea.theme_id = theme_id
    db.session.commit()
    return theme, ideas


def add_theme_with_ideas(
    workshop: Workshop, phase_id: str, title: str, idea_ids: list[int]
) -> tuple[Theme, list[Idea]]:
    """Create a theme in a group phase holding the given ideas, in one transaction."""
    ideas = _selected_ideas(workshop, idea_ids)
    theme = _new_theme(workshop, phase_id, title)
    try:
        _check_groupable(ideas, _group_source(workshop, phase_id))
    except OperationError:
        db.session.rollback()
        raise
    db.session.flush()
    for idea in ideas:
        idea.theme_id = theme.id
    db.session.commit()
    return theme, ideas


# --- voting -----------------------------------------------------------------


def vote_items(workshop: Workshop, vote_phase) -> list[dict]:
    """Return what can be voted on in a vote phase: themes and ungrouped ideas."""
    model = workshop_model(workshop)
    source = model.phases[model.phase_index(vote_phase.settings.source)]
    items: list[dict] = []
    if source.kind is PhaseKind.GROUP:
        ideas_phase_id = source.settings.source
        themes = db.session.scalars(
            select(Theme)
            .filter_by(workshop_id=workshop.id, phase_id=source.id)
            .order_by(Theme.position, Theme.id)
        ).all()
        ideas = visible_ideas(workshop, ideas_phase_id)
        for theme in themes:
            items.append(
                {
                    "key": f"theme:{theme.id}",
                    "title": theme.title,
                    "ideas": [i.text for i in ideas if i.theme_id == theme.id],
                }
            )
        theme_ids = {t.id for t in themes}
        ungrouped = [i for i in ideas if i.theme_id not in theme_ids]
    else:
        ungrouped = visible_ideas(workshop, source.id)
    items.extend({"key": f"idea:{i.id}", "title": i.text, "ideas": []} for i in ungrouped)
    return items


def is_vote_item(workshop: Workshop, vote_phase, key: str) -> bool:
    """Tell whether a key is on the ballot, without loading the whole ballot."""
    kind, _, raw_id = key.partition(":")
    if not raw_id.isdigit():
        return False
    model = workshop_model(workshop)
    source = model.phases[model.phase_index(vote_phase.settings.source)]
    grouped = source.kind is PhaseKind.GROUP
    if kind == "theme":
        theme = db.session.get(Theme, int(raw_id))
        return (
            grouped
            and theme is not None
            and theme.workshop_id == workshop.id
            and (theme.phase_id == source.id)
        )
    if kind != "idea":
        return False
    idea = db.session.get(Idea, int(raw_id))
    ideas_phase_id = source.settings.source if grouped else source.id
    if idea is None or idea.workshop_id != workshop.id or idea.phase_id != ideas_phase_id:
        return False
    if not idea.visible:
        return False
    if grouped and idea.theme_id is not None:
        # A grouped idea is voted on through its theme (when the theme is of this group).
        theme = db.session.get(Theme, idea.theme_id)
        return theme is None or theme.phase_id != source.id
    return True


def visible_ideas(workshop: Workshop, phase_id: str) -> list[Idea]:
    """Return the ideas of a phase that show on the wall, oldest first."""
    return list(
        db.session.scalars(
            select(Idea)
            .filter_by(workshop_id=workshop.id, phase_id=phase_id, deleted=False, hidden=False)
            .where(Idea.merged_into_id.is_(None))
            .order_by(Idea.id)
        )
    )


def merged_texts(workshop: Workshop, phase_id: str) -> dict[int, list[str]]:
    """Return, per idea, the texts of the ideas merged into it."""
    rows = db.session.scalars(
        select(Idea)
        .filter_by(workshop_id=workshop.id, phase_id=phase_id, deleted=False, hidden=False)
        .where(Idea.merged_into_id.is_not(None))
        .order_by(Idea.id)
    )
    merged: dict[int, list[str]] = {}
    for idea in rows:
        merged.setdefault(idea.merged_into_id, []).append(idea.text)
    return merged


def my_votes(participant: Participant, phase_id: str) -> dict[str, int]:
    """Return the participant's dots per item in a vote phase."""
    rows = db.session.scalars(
        select(Vote).filter_by(participant_id=participant.id, phase_id=phase_id)
    )
    return {v.item_key: v.count for v in rows}


def set_vote(workshop: Workshop, participant: Participant, item_key: str, count: int) -> dict:
    """Set how many dots the participant puts on an item, within the cap and budget."""
    phase = _require_input(workshop, PhaseKind.VOTE)
    settings = phase.settings
    if not 0 <= count <= settings.per_item_cap:
        raise OperationError("cap_exceeded", cap=settings.per_item_cap)
    if not is_vote_item(workshop, phase, item_key):
        raise OperationError("not_found")
    # Lock the participant's row so two concurrent votes cannot both pass the budget check.
    db.session.scalar(select(Participant).filter_by(id=participant.id).with_for_update())
    votes = my_votes(participant, phase.id)
    others = sum(c for key, c in votes.items() if key != item_key)
    if others + count > settings.budget:
        db.session.rollback()
        raise OperationError("budget_exceeded", budget=settings.budget)
    vote = db.session.scalar(
        select(Vote).filter_by(participant_id=participant.id, phase_id=phase.id, item_key=item_key)
    )
    if count == 0:
        if vote is not None:
            db.session.delete(vote)
    elif vote is None:
        db.session.add(
            Vote(
                workshop_id=workshop.id,
                phase_id=phase.id,
                participant_id=participant.id,
                item_key=item_key,
                count=count,
            )
        )
    else:
        vote.count = count
    db.session.commit()
    return my_votes(participant, phase.id)


def vote_tally(workshop: Workshop, phase_id: str) -> tuple[dict[str, int], int]:
    """Return dots per item and the number of people who voted."""
    in_phase = (Vote.workshop_id == workshop.id, Vote.phase_id == phase_id)
    rows = db.session.execute(
        select(Vote.item_key, func.sum(Vote.count)).where(*in_phase).group_by(Vote.item_key)
    ).all()
    voters = db.session.scalar(
        select(func.count(func.distinct(Vote.participant_id))).where(*in_phase)
    )
    # Voters whose participant row the retention purge removed (their dots stay).
    voters += (workshop.unlinked_voters or {}).get(phase_id, 0)
    return {key: int(total) for key, total in rows}, voters


# --- rating -----------------------------------------------------------------


def my_ratings(participant: Participant, phase_id: str) -> dict[str, int]:
    """Return the participant's own answers in a rate phase."""
    rows = db.session.scalars(
        select(Rating).filter_by(participant_id=participant.id, phase_id=phase_id)
    )
    return {r.statement_id: r.value for r in rows}


def set_rating(workshop: Workshop, participant: Participant, statement_id: str, value: int) -> dict:
    """Set the participant's answer to one statement."""
    phase = _require_input(workshop, PhaseKind.RATE)
    settings = phase.settings
    if statement_id not in {s.id for s in settings.statements}:
        raise OperationError("not_found")
    if not settings.scale.min <= value <= settings.scale.max:
        raise OperationError("invalid")
    rating = db.session.scalar(
        select(Rating).filter_by(
            participant_id=participant.id, phase_id=phase.id, statement_id=statement_id
        )
    )
    if rating is None:
        db.session.add(
            Rating(
                workshop_id=workshop.id,
                phase_id=phase.id,
                participant_id=participant.id,
                statement_id=statement_id,
                value=value,
            )
        )
    else:
        rating.value = value
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return set_rating(workshop, participant, statement_id, value)
    return my_ratings(participant, phase.id)


def rating_results(workshop: Workshop, phase) -> dict[str, dict]:
    """Return per-statement distributions, withheld below the anonymity threshold."""
    settings = phase.settings
    threshold = max(5, settings.min_responses)
    rows = db.session.execute(
        select(Rating.statement_id, Rating.value, func.count(Rating.id))
        .where(Rating.workshop_id == workshop.id, Rating.phase_id == phase.id)
        .group_by(Rating.statement_id, Rating.value)
    ).all()
    counts: dict[str, dict[int, int]] = {s.id: {} for s in settings.statements}
    for statement_id, value, n in rows:
        if statement_id in counts:
            counts[statement_id][value] = n
    results = {}
    for statement_id, by_value in counts.items():
        responses = sum(by_value.values())
        if responses >= threshold:
            distribution = {
                str(v): by_value.get(v, 0)
                for v in range(settings.scale.min, settings.scale.max + 1)
            }
            mean = round(sum(v * n for v, n in by_value.items()) / responses, 2)
        else:
            distribution, mean = None, None
        results[statement_id] = {"responses": responses, "distribution": distribution, "mean": mean}
    return results


# --- agreed actions ---------------------------------------------------------


@dataclass
class ActionFields:
    what: str | None = None
    who: str | None = None
    due: date | None = None
    first_step: str | None = None
    follow_up: date | None = None
    status: ActionStatus | None = None
    # Which fields the caller gave; an update leaves the others as they are.
    given: frozenset[str] = frozenset({"what", "who", "due", "first_step", "follow_up", "status"})


@dataclass
class ActionResult:
    action: Action
    created: bool


def add_action(workshop: Workshop, client_id: str, fields: ActionFields) -> ActionResult:
    """Record an agreed action; a retried client id returns the first one, not created."""
    existing = db.session.scalar(
        select(Action).filter_by(workshop_id=workshop.id, client_id=client_id)
    )
    if existing is not None:
        return ActionResult(existing, created=False)
    action = Action(workshop_id=workshop.id, client_id=client_id)
    _apply_action_fields(action, fields, partial=False)
    db.session.add(action)
    try:
        db.session.commit()
    except IntegrityError:
        # The same request raced in twice (a double click, a retry): keep the first.
        db.session.rollback()
        first = db.session.scalar(
            select(Action).filter_by(workshop_id=workshop.id, client_id=client_id)
        )
        return ActionResult(first, created=False)
    return ActionResult(action, created=True)


def update_action(workshop: Workshop, action_id: int, fields: ActionFields) -> Action:
    """Change an agreed action."""
    action = db.session.get(Action, action_id)
    if action is None or action.workshop_id != workshop.id:
        raise OperationError("not_found")
    _apply_action_fields(action, fields, partial=True)
    db.session.commit()
    return action


def _optional_text(text: str | None, max_chars: int) -> str:
    """Return stripped optional text, refusing oversized text."""
    text = (text or "").strip()
    if len(text) > max_chars:
        raise OperationError("too_long", max=max_chars)
    return text


def _apply_action_fields(action: Action, fields: ActionFields, partial: bool) -> None:
    """Copy validated fields onto an action; a partial update touches only given fields."""
    given = fields.given if partial else fields.given | {"what"}
    if "what" in given:
        action.what = _clean_text(fields.what or "", ACTION_MAX_CHARS)
    if "who" in given:
        action.who = _optional_text(fields.who, WHO_MAX_CHARS)
    if "due" in given:
        action.due = fields.due
    if "first_step" in given:
        action.first_step = _optional_text(fields.first_step, ACTION_MAX_CHARS)
    if "follow_up" in given:
        action.follow_up = fields.follow_up
    if "status" in given and fields.status is not None:
        action.status = fields.status


def delete_action(workshop: Workshop, action_id: int) -> None:
    """Delete an agreed action; deleting twice is harmless."""
    action = db.session.get(Action, action_id)
    if action is not None and action.workshop_id == workshop.id:
        db.session.delete(action)
        db.session.commit()


def list_actions(workshop: Workshop) -> list[Action]:
    """Return the session's agreed actions in the order they were made."""
    return list(
        db.session.scalars(select(Action).filter_by(workshop_id=workshop.id).order_by(Action.id))
    )
