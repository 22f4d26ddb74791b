"""Sign-ins that signing out really ends, and a growing delay for password guessing.

Every sign-in is a `LoginSession` row holding a SHA-256 of a random token. Flask-Login
keeps that token (not the account id) in the session cookie and, with "keep me signed
in", in the remember-me cookie (`login_manager.id_attribute = "get_login_token"`).
The user loader accepts a token only while its row exists and has not expired, so
deleting the row (sign out, sign out of all devices) makes every copy of both cookies
worthless: for pages, the cookie-authenticated API and the facilitator's socket alike.

Guessing is slowed per account (the e-mail typed, whether or not it has an account, so
the answers reveal nothing) and per address (a larger budget): after the free attempts
each further failure doubles the wait, up to a cap. The counters live in process memory
(`app.extensions`), like the join-code limiter: per process, reset by a restart.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from datetime import timedelta

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select

from . import ratelimit
from .extensions import db
from .models import Facilitator, LoginSession, utcnow

# last_seen_at is written at most this often per sign-in (a page load is not a write).
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sign-ins ------------------------------------------------------------------------


def sign_in(user: Facilitator, remember: bool) -> None:
    """Start a new sign-in for this browser: a fresh random token in a new row."""
    now = utcnow()
    # Expired rows of anyone go now; they could not be used anyway.
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    lifetime = _lifetime(remember)
    db.session.add(
        LoginSession(
            facilitator_id=user.id,
            token_hash=_hash(token),
            remembered=remember,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.commit()
    user._login_token = token
    login_user(user, remember=remember, duration=current_app.config["LOGIN_REMEMBER_LIFETIME"])


def _lifetime(remembered: bool) -> timedelta:
    """Return how long a sign-in lasts: fixed when remembered, else since last use."""
    key = "LOGIN_REMEMBER_LIFETIME" if remembered else "LOGIN_IDLE_LIFETIME"
    return current_app.config[key]


def load(token: str) -> Facilitator | None:
    """Return the facilitator of a live sign-in token (Flask-Login's user loader)."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(LoginSession).filter_by(token_hash=_hash(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.session.get(Facilitator, row.facilitator_id)
    if user is not None:
        user._login_token = token
        user._login_session = row
    return user


def touch() -> None:
    """Note that the current sign-in is in use (before each request, at most every
    few minutes); a sign-in without "keep me signed in" lasts while it is used."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if not current_user.is_authenticated:
        return
    row = getattr(current_user._get_current_object(), "_login_session", None)
    now = utcnow()
    if row is None or now - row.last_seen_at < TOUCH_EVERY:
        return
    row.last_seen_at = now
    if not row.remembered:
        row.expires_at = now + _lifetime(False)
    db.session.commit()


def current_session_id() -> int | None:
    """Return the id of this browser's sign-in row, if signed in."""
    if not current_user.is_authenticated:
        return None
    row = getattr(current_user._get_current_object(), "_login_session", None)
    return row.id if row is not None else None


def sign_out() -> None:
    """End this browser's sign-in: its row goes, so copies of its cookies stop working,
    and its open control-view and projector sockets are disconnected."""
    token = session.get("_user_id")
    if token:
        ended = db.session.scalars(
            select(LoginSession.id).where(LoginSession.token_hash == _hash(token))
        ).all()
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(token)))
        db.session.commit()
        end_sockets(ended)
    logout_user()


def sign_out_everywhere(user: Facilitator) -> int:
    """End every sign-in of the facilitator, this one included; return how many."""
    ended = db.session.scalars(
        select(LoginSession.id).where(LoginSession.facilitator_id == user.id)
    ).all()
    db.session.execute(delete(LoginSession).where(LoginSession.facilitator_id == user.id))
    db.session.commit()
    end_sockets(ended)
    logout_user()
    return len(ended)


def socket_room() -> str | None:
    """Return the room a facilitator's socket joins for its sign-in (see end_sockets)."""
    login_id = current_session_id()
    return f"login:{login_id}" if login_id is not None else None


def end_sockets(login_ids) -> None:
    """Disconnect the sockets that joined through these sign-ins (on this process;
    elsewhere they are refused at their next join, which every reconnect makes)."""
    from .extensions import socketio

    server = getattr(socketio, "server", None)
    if server is None:
        return
    for login_id in login_ids:
        for sid, _eio_sid in list(server.manager.get_participants("/", f"login:{login_id}")):
            server.disconnect(sid, namespace="/")


def active(user: Facilitator) -> list[LoginSession]:
    """Return the facilitator's live sign-ins, the most recently used first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.facilitator_id == user.id, LoginSession.expires_at > utcnow())
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        )
    )


# --- guessing ------------------------------------------------------------------------


class Backoff:
    """Free failures per key, then a wait that doubles with each further failure.

    A key's count is forgotten a day after its last failure. At most `max_keys` keys are
    kept (the oldest go first), so a flood of made-up keys cannot fill the memory.
    """

    FORGET_AFTER = 24 * 3600.0

    def __init__(self, free: int, base: float, cap: float, max_keys: int = 20_000):
        self.free = free
        self.base = base
        self.cap = cap
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[int, float, float]] = {}  # failures, last, locked until

    def _get(self, key: str, now: float) -> tuple[int, float, float]:
        entry = self._keys.get(key)
        if entry is None or now - entry[1] > self.FORGET_AFTER:
            return (0, now, 0.0)
        return entry

    def wait(self, key: str, now: float | None = None) -> float:
        """Return how many seconds the key must still wait (0: it may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return max(0.0, self._get(key, now)[2] - now)

    def fail(self, key: str, now: float | None = None) -> float:
        """Count one failure; return the wait it starts (0 while within the free budget)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures, _, locked_until = self._get(key, now)
            failures += 1
            wait = 0.0
            if failures >= self.free:
                wait = min(self.cap, self.base * 2 ** min(failures - self.free, 32))
                locked_until = now + wait
            self._keys.pop(key, None)  # re-insert: dict order is then oldest first
            self._keys[key] = (failures, now, locked_until)
            if len(self._keys) > self.max_keys:
                for old in list(self._keys)[: self.max_keys // 10]:
                    del self._keys[old]
            return wait

    def clear(self, key: str) -> None:
        """Forget the key's failures (a successful sign-in to the account)."""
        with self._lock:
            self._keys.pop(key, None)


def _limits() -> dict[str, Backoff]:
    """Return this app's four counters, made on first use from its configuration."""
    ext = current_app.extensions
    limits = ext.get("login_backoff")
    if limits is None:
        cfg = current_app.config
        base, cap = cfg["LOGIN_BACKOFF_SECONDS"], cfg["LOGIN_BACKOFF_MAX_SECONDS"]
        limits = ext.setdefault(
            "login_backoff",
            {
                "login_account": Backoff(cfg["LOGIN_ACCOUNT_FREE_ATTEMPTS"], base, cap),
                "login_address": Backoff(cfg["LOGIN_ADDRESS_FREE_ATTEMPTS"], base, cap),
                "signup_account": Backoff(cfg["SIGNUP_ACCOUNT_FREE_ATTEMPTS"], base, cap),
                "signup_address": Backoff(cfg["SIGNUP_ADDRESS_FREE_ATTEMPTS"], base, cap),
            },
        )
    return limits


def client_address() -> str:
    """Return the client's address (X-Forwarded-For only from a trusted proxy)."""
    return ratelimit.client_address(request.environ)


def _account_key(email: str) -> str:
    # A hash: the counters never hold typed e-mail addresses in memory dumps.
    return _hash(email.strip().lower())


def login_wait(email: str) -> float:
    """Return the seconds before this account may be tried from this address again."""
    limits = _limits()
    return max(
        limits["login_account"].wait(_account_key(email)),
        limits["login_address"].wait(client_address()),
    )


def login_failed(email: str) -> None:
    """Count a wrong password (or unknown e-mail) against the account and the address."""
    limits = _limits()
    limits["login_account"].fail(_account_key(email))
    limits["login_address"].fail(client_address())


def login_succeeded(email: str) -> None:
    """Forget the account's failures; the address keeps its count."""
    _limits()["login_account"].clear(_account_key(email))


def signup_wait(email: str) -> float:
    """Return the seconds before another sign-up with this e-mail or from this address."""
    limits = _limits()
    return max(
        limits["signup_account"].wait(_account_key(email)),
        limits["signup_address"].wait(client_address()),
    )


def signup_attempted(email: str) -> None:
    """Count a sign-up, whatever came of it (so the count reveals nothing either)."""
    limits = _limits()
    limits["signup_account"].fail(_account_key(email))
    limits["signup_address"].fail(client_address())


def minutes(seconds: float) -> int:
    """Return a wait in whole minutes, rounded up (at least one)."""
    return max(1, math.ceil(seconds / 60))
