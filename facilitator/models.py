"""Database models: facilitators, workshop sessions and what participants contribute."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class TZDateTime(TypeDecorator):
    """Store aware datetimes as UTC and always read them back aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class IllegalTransition(Exception):
    """A state change that the session's current state does not allow."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class SessionStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    # Input before the session: the first phase takes ideas within a time window
    # (facilitator/collecting.py); starting the session keeps what was collected.
    COLLECTING = "collecting"
    LIVE = "live"
    CLOSED = "closed"


class TimerState(enum.StrEnum):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"


class ActionStatus(enum.StrEnum):
    # "not started" on the team board.
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"
    CARRIED_FORWARD = "carried_forward"


class ItemKind(enum.StrEnum):
    """What an agreed item is (the actions kind's `item_kinds` setting)."""

    ACTION = "action"
    EXPERIMENT = "experiment"
    GROUND_RULE = "ground_rule"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by value, with a CHECK constraint on every backend."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda e: [m.value for m in e],
        length=16,
    )


class Facilitator(UserMixin, db.Model):
    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(5), default="fi")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    workshops: Mapped[list[Workshop]] = relationship(back_populates="facilitator")
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="facilitator", cascade="all, delete-orphan"
    )

    def get_login_token(self) -> str | None:
        """Return the sign-in this object was loaded through (set by logins.py).

        Flask-Login keeps this, never the account id, in the session and remember-me
        cookies (`login_manager.id_attribute`), so ending the sign-in ends both cookies.
        """
        return getattr(self, "_login_token", None)


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    # Only a SHA-256 of the token is kept: a database leak does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    facilitator: Mapped[Facilitator] = relationship(back_populates="tokens")


class LoginSession(db.Model):
    """One sign-in of a facilitator in one browser; deleting the row signs it out.

    Only a SHA-256 of the random token is kept. No user agent or address is stored.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "Keep me signed in": a fixed lifetime; otherwise it lapses when unused for a while.
    remembered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)


class Workshop(db.Model):
    """One live session run from a workshop template."""

    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint("phase_index >= 0", name="phase_index_nonnegative"),
        CheckConstraint("timer_duration >= 0", name="timer_duration_nonnegative"),
        CheckConstraint("language IN ('fi', 'sv', 'en')", name="language_known"),
        CheckConstraint("series_number >= 1", name="series_number_positive"),
        CheckConstraint(
            "collect_closes_at IS NULL OR collect_opens_at IS NULL"
            " OR collect_closes_at > collect_opens_at",
            name="collect_window_order",
        ),
        UniqueConstraint("series_id", "series_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    team_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="fi")
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    model_id: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[int] = mapped_column(Integer)
    # The template as it was when the session was made: editing a template file
    # later never changes a running or past session. Loaded when first read, not with
    # the row: every socket event loads its session, and the parsed template is
    # cached (operations.workshop_model).
    model_snapshot: Mapped[dict] = mapped_column(JSON, deferred=True)
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus, "session_status"), default=SessionStatus.UPCOMING
    )
    phase_index: Mapped[int] = mapped_column(Integer, default=0)
    input_open: Mapped[bool] = mapped_column(default=True)
    timer_state: Mapped[TimerState] = mapped_column(
        _enum(TimerState, "timer_state"), default=TimerState.STOPPED
    )
    timer_duration: Mapped[int] = mapped_column(Integer, default=0)
    timer_ends_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    timer_remaining: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # Retention (operations.purge_participants): participants whose rows were removed
    # after the retention period, and per vote phase how many of them had voted, so
    # counts and results read the same as before the purge.
    unlinked_participants: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unlinked_voters: Mapped[dict | None] = mapped_column(JSON)
    # The team it was run for (facilitator/teams.py); `team_name` stays a display fallback.
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    # The series it belongs to (facilitator/series.py) and its number there (1, 2, 3 ...).
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    series_number: Mapped[int | None] = mapped_column(Integer)
    # Input before the session (status `collecting`): the window phones may add to
    # the first phase in; phones are shown only the days (facilitator/collecting.py).
    collect_opens_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    collect_closes_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    facilitator: Mapped[Facilitator] = relationship(back_populates="workshops")

    # --- state transitions: the only way status and phase change ---------

    def start(self) -> None:
        """Open the session for participants at its first phase.

        From `collecting` too: what phones added before the session stays.
        """
        if self.status not in (SessionStatus.UPCOMING, SessionStatus.COLLECTING):
            raise IllegalTransition("already_started")
        self.status = SessionStatus.LIVE
        self.started_at = utcnow()
        self.phase_index = 0
        self.input_open = True
        self.reset_timer()

    def open_collecting(
        self, opens_at: datetime, closes_at: datetime, phase_index: int = 0
    ) -> None:
        """Take input to one early phase before the session, between two times.

        From `upcoming`, or from `collecting` to change the window. The window must
        end after it begins and after now. `phase_index`: the phase phones write to
        (the template's first phase that takes input; collecting.py chooses it).
        """
        if self.status is SessionStatus.CLOSED:
            raise IllegalTransition("session_closed")
        if self.status is SessionStatus.LIVE:
            raise IllegalTransition("already_started")
        if opens_at.tzinfo is None or closes_at.tzinfo is None:
            raise IllegalTransition("invalid_window")
        if closes_at <= opens_at or closes_at <= utcnow():
            raise IllegalTransition("invalid_window")
        self.status = SessionStatus.COLLECTING
        self.collect_opens_at = opens_at
        self.collect_closes_at = closes_at
        self.phase_index = phase_index
        self.input_open = True
        self.reset_timer()

    def stop_collecting(self) -> None:
        """Back to `upcoming`: phones stop adding; what they added stays."""
        if self.status is not SessionStatus.COLLECTING:
            raise IllegalTransition("not_collecting")
        self.status = SessionStatus.UPCOMING

    def collecting_state(self, now: datetime | None = None) -> str | None:
        """Return "before", "open" or "after" while collecting, else None."""
        if self.status is not SessionStatus.COLLECTING:
            return None
        now = now or utcnow()
        if self.collect_opens_at is not None and now < self.collect_opens_at:
            return "before"
        if self.collect_closes_at is not None and now >= self.collect_closes_at:
            return "after"
        return "open"

    def takes_input(self, now: datetime | None = None) -> bool:
        """Tell whether phones may write now: live with input open, or inside the window."""
        if self.status is SessionStatus.LIVE:
            return self.input_open
        return self.collecting_state(now) == "open"

    def close(self) -> None:
        """End the session: no more input, results stay readable."""
        if self.status is SessionStatus.CLOSED:
            raise IllegalTransition("session_closed")
        self.status = SessionStatus.CLOSED
        self.closed_at = utcnow()
        self.input_open = False
        self.timer_state = TimerState.STOPPED
        self.timer_ends_at = None

    def reopen(self) -> None:
        """Bring a closed session back to live for corrections.

        It stays in the phase it was closed in, with input closed and the timer
        stopped: phones can see the session again but add nothing until the
        facilitator opens input.
        """
        if self.status is SessionStatus.UPCOMING:
            raise IllegalTransition("session_not_started")
        if self.status is not SessionStatus.CLOSED:
            raise IllegalTransition("session_not_closed")
        self.status = SessionStatus.LIVE
        self.closed_at = None
        self.input_open = False
        self.reset_timer()

    def move_to_phase(self, index: int, phase_count: int) -> None:
        """Go to another phase; input opens and the timer resets to its planned length."""
        if self.status is not SessionStatus.LIVE:
            raise IllegalTransition(
                "session_closed" if self.status is SessionStatus.CLOSED else "session_not_started"
            )
        if not 0 <= index < phase_count:
            raise IllegalTransition("no_such_phase")
        self.phase_index = index
        self.input_open = True
        self.reset_timer()

    def set_input_open(self, is_open: bool) -> None:
        """Open or close input in the current phase."""
        if self.status is not SessionStatus.LIVE:
            raise IllegalTransition("session_not_live")
        self.input_open = is_open

    def reset_timer(self) -> None:
        """Stop the timer at the current phase's planned length."""
        minutes = self.model_snapshot["phases"][self.phase_index]["minutes"]
        self.timer_state = TimerState.STOPPED
        self.timer_duration = minutes * 60
        self.timer_remaining = minutes * 60
        self.timer_ends_at = None

    def timer_left(self, now: datetime | None = None) -> int:
        """Return whole seconds left on the timer (never negative)."""
        if self.timer_state is TimerState.RUNNING and self.timer_ends_at is not None:
            left = (self.timer_ends_at - (now or utcnow())).total_seconds()
            return max(0, round(left))
        return max(0, self.timer_remaining or 0)

    def start_timer(self) -> None:
        """Run the timer from what is left."""
        if self.status is not SessionStatus.LIVE:
            raise IllegalTransition("session_not_live")
        if self.timer_state is TimerState.RUNNING:
            return
        self.timer_ends_at = utcnow() + timedelta(seconds=self.timer_left())
        self.timer_state = TimerState.RUNNING

    def pause_timer(self) -> None:
        """Freeze the timer at what is left."""
        if self.timer_state is not TimerState.RUNNING:
            return
        self.timer_remaining = self.timer_left()
        self.timer_ends_at = None
        self.timer_state = TimerState.PAUSED

    def extend_timer(self, seconds: int) -> None:
        """Add time to the timer, running or not."""
        if self.status is not SessionStatus.LIVE:
            raise IllegalTransition("session_not_live")
        self.timer_duration += seconds
        if self.timer_state is TimerState.RUNNING and self.timer_ends_at is not None:
            # A timer that already hit zero restarts from now rather than from the past.
            self.timer_ends_at = max(self.timer_ends_at, utcnow()) + timedelta(seconds=seconds)
        else:
            self.timer_remaining = self.timer_left() + seconds


class Participant(db.Model):
    """An anonymous phone in one session; known only by a hashed random token."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class Theme(db.Model):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Idea(db.Model):
    __tablename__ = "idea"
    __table_args__ = (
        # A retried event after a reconnect carries the same client id: never a duplicate.
        UniqueConstraint("workshop_id", "client_id"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_idea_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    column: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    @hybrid_property
    def visible(self) -> bool:
        """Tell whether the idea shows on the wall (not hidden, merged or deleted)."""
        return not (self.hidden or self.deleted or self.merged_into_id is not None)

    @visible.inplace.expression
    @classmethod
    def _visible_expression(cls):
        """The same rule in SQL (a column a query can select)."""
        return and_(cls.hidden.is_(False), cls.deleted.is_(False), cls.merged_into_id.is_(None))


class Vote(db.Model):
    """How many dots one participant put on one item in one vote phase."""

    __tablename__ = "vote"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id", "item_key"),
        CheckConstraint("count >= 1", name="count_positive"),
        Index("ix_vote_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    # None once the retention purge has unlinked the participant; the dots still count.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    item_key: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)


class Rating(db.Model):
    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id", "statement_id"),
        Index("ix_rating_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    # None once the retention purge has unlinked the participant; the answer still counts.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    statement_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    # "En osaa sanoa" (rate `dont_know`): counted apart, `value` is then not used.
    dont_know: Mapped[bool] = mapped_column(default=False, server_default="0")


class Action(db.Model):
    """An agreed action: what, who, by when, first step, follow-up."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("workshop_id", "client_id"),
        CheckConstraint("length(what) > 0", name="what_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date | None] = mapped_column(Date)
    first_step: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    # The item it was agreed from ("idea:12", "theme:3"), if the control view chose one.
    source_item: Mapped[str | None] = mapped_column(String(40))
    # An action, an experiment or a ground rule; the extra fields of the other kinds:
    # experiment: `what` (what we try), `why`, `how_know` (how we will know), `due`
    # (until when), `learned`; ground rule: `what` (the rule), `how_check`.
    item_kind: Mapped[ItemKind] = mapped_column(
        _enum(ItemKind, "item_kind"), default=ItemKind.ACTION, server_default="action"
    )
    why: Mapped[str | None] = mapped_column(Text)
    how_know: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    how_check: Mapped[str | None] = mapped_column(Text)
    # Raised by every team-board update: a stale update is refused (409 `stale`).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
    # The earlier item this one carries forward (a review phase, phases/review); an item
    # is carried at most once, so the chain of an item's versions never forks.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("action.id", ondelete="SET NULL"), unique=True
    )


class Team(db.Model):
    """A work community or unit whose sessions and agreed items belong together."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class Series(db.Model):
    """Sessions of one team run in order from the templates of one series (series.py).

    `series_key` is the templates' `series.id` (e.g. "dynamo"); the sessions carry
    `series_id` and their number.
    """

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    series_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class TeamMember(db.Model):
    """Another facilitator account the team is shared with (co-facilitator, supervisor)."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "facilitator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class TeamLink(db.Model):
    """The team's secret member link (`/t/<secret>`); only a SHA-256 of it is kept.

    At most one per team: rotating replaces the row, revoking deletes it.
    """

    __tablename__ = "team_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class ItemUpdate(db.Model):
    """One dated entry of an agreed item's history on the team board.

    `who_label` is "team member" (the team link) or a facilitator's name: never a
    participant identity.
    """

    __tablename__ = "item_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    who_label: Mapped[str] = mapped_column(String(120))
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")


# Tables of the kinds that define their own (facilitator/phases/<kind>/tables.py).
from .phases.classify.tables import ClassifyChoice, ClassifyFinal  # noqa: E402, F401
