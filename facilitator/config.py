"""Embedded defaults; every value can be overridden by environment or test config."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
UI_LANGUAGES = LANGUAGES


def instance_path() -> Path:
    """Return the folder for the SQLite file and the generated secret key."""
    return Path(os.environ.get("FACILITATOR_INSTANCE", ROOT / "instance"))


def _secret_key(folder: Path) -> str:
    """Return a persistent secret key, made once per instance folder.

    It must survive restarts: participants are recognised by a signed cookie,
    and a new key after a restart would turn everyone into a new participant.
    """
    if os.environ.get("FACILITATOR_SECRET_KEY"):
        return os.environ["FACILITATOR_SECRET_KEY"]
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _int_env(name: str, default: int) -> int:
    """Return an integer environment setting, or the default when unset."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def defaults(folder: Path, secret_key: str | None = None) -> dict:
    """Return the configuration used when nothing else is given."""
    from .passwords import default_threads as hash_threads

    secure_cookies = os.environ.get("FACILITATOR_SECURE_COOKIES", "") == "1"
    return {
        "SECRET_KEY": secret_key or _secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "FACILITATOR_DATABASE_URL", f"sqlite:///{folder / 'facilitator.db'}"
        ),
        # PostgreSQL connections idle longer than DATABASE_PING_AFTER seconds are checked
        # before use (extensions.ping_idle_connections), busy ones are not.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "MODELS_DIR": os.environ.get("FACILITATOR_MODELS_DIR", str(ROOT / "workshop_models")),
        # Public base URL for join links and QR codes, e.g. https://fasilitointi.example.fi
        "PUBLIC_URL": os.environ.get("FACILITATOR_PUBLIC_URL", "").rstrip("/"),
        "SOCKETIO_ASYNC_MODE": os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet"),
        # e.g. redis://127.0.0.1:6379/0 to run several server processes behind a load balancer
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("FACILITATOR_MESSAGE_QUEUE") or None,
        "SOCKETIO_CHANNEL": os.environ.get("FACILITATOR_MESSAGE_CHANNEL", "facilitator"),
        "RESULTS_INTERVAL": float(os.environ.get("FACILITATOR_RESULTS_INTERVAL", "0.5")),
        "MAX_SOCKET_MESSAGE_BYTES": 64 * 1024,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": secure_cookies,
        # A workshop page stays open for hours; its CSRF token must not expire mid-session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "JOIN_ATTEMPTS_PER_MINUTE": 30,
        # Sign-ins (logins.py): "keep me signed in" lasts a fixed time, otherwise a
        # sign-in lapses when unused this long; signing out ends it on the server.
        "LOGIN_REMEMBER_LIFETIME": timedelta(days=30),
        "LOGIN_IDLE_LIFETIME": timedelta(hours=24),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        # Password guessing: free failures per account (the e-mail typed) and per
        # address, then a wait of LOGIN_BACKOFF_SECONDS doubling with each failure.
        "LOGIN_ACCOUNT_FREE_ATTEMPTS": _int_env("FACILITATOR_LOGIN_ACCOUNT_FREE_ATTEMPTS", 5),
        "LOGIN_ADDRESS_FREE_ATTEMPTS": _int_env("FACILITATOR_LOGIN_ADDRESS_FREE_ATTEMPTS", 50),
        "SIGNUP_ACCOUNT_FREE_ATTEMPTS": 3,
        "SIGNUP_ADDRESS_FREE_ATTEMPTS": 20,
        "LOGIN_BACKOFF_SECONDS": float(os.environ.get("FACILITATOR_LOGIN_BACKOFF_SECONDS", "60")),
        "LOGIN_BACKOFF_MAX_SECONDS": 3600.0,
        # A refused (429) sign-in or sign-up is answered after this pause.
        "LOGIN_REFUSED_DELAY_SECONDS": 1.0,
        # Password hashes run off the event loop, this many at once (a core stays free).
        "PASSWORD_HASH_THREADS": _int_env("FACILITATOR_PASSWORD_HASH_THREADS", hash_threads()),
        # Proxies whose X-Forwarded-For is believed (addresses or networks, comma separated);
        # empty: the direct peer's address is the client's, whatever the header says.
        "TRUSTED_PROXIES": os.environ.get("FACILITATOR_TRUSTED_PROXIES", ""),
        # A closed session can still be joined and read for this long; then its code retires.
        "JOIN_GRACE_HOURS": float(os.environ.get("FACILITATOR_JOIN_GRACE_HOURS", "24")),
        # Retention (operations.purge_participants): this many days after a session
        # closes, its participant rows go and its content stays, linked to no one. The
        # served app purges at start and then every RETENTION_PURGE_INTERVAL seconds.
        "RETENTION_DAYS": float(os.environ.get("FACILITATOR_RETENTION_DAYS", "30")),
        "RETENTION_PURGE_INTERVAL": 3600.0,
        # Socket events (token buckets: burst, then per second). A lively phone replaying
        # a full outbox after a tunnel sends at most ~50 writes at once and then a few a
        # second; a socket far over (its burst and twice that refused) is disconnected.
        "SOCKET_EVENT_BURST": 60,
        "SOCKET_EVENT_RATE": 10.0,
        "SOCKET_FLOOD_DISCONNECT": 3,
        # Unanswered events per socket: a phone has at most a write and a sync in flight.
        "SOCKET_MAX_PENDING": 4,
        # Every socket of one participant (tabs) together.
        "PARTICIPANT_EVENT_BURST": 120,
        "PARTICIPANT_EVENT_RATE": 20.0,
        # Per address and session: new participants and ideas. A venue's Wi-Fi puts a
        # whole hall behind one NAT address: 2,000 phones joining within a few minutes,
        # 1,000 phones posting an idea every 30 s (33 a second). A ward of 40 phones
        # posts ~2 a second at a lively pace.
        "NEW_PARTICIPANTS_PER_ADDRESS_BURST": _int_env(
            "FACILITATOR_NEW_PARTICIPANTS_PER_ADDRESS_BURST", 2000
        ),
        "NEW_PARTICIPANTS_PER_ADDRESS_PER_MINUTE": _int_env(
            "FACILITATOR_NEW_PARTICIPANTS_PER_ADDRESS_PER_MINUTE", 600
        ),
        "IDEAS_PER_ADDRESS_BURST": _int_env("FACILITATOR_IDEAS_PER_ADDRESS_BURST", 300),
        "IDEAS_PER_ADDRESS_RATE": float(os.environ.get("FACILITATOR_IDEAS_PER_ADDRESS_RATE", "40")),
        # Connections (transport.py, the eventlet server): open at once in all, and from
        # one client address (0 = no per-address cap; trusted proxies and 127.0.0.1 count
        # only in the total). Measured: a phone holds up to 8 connections for the ~10 s
        # its page loads (keep-alives until HEADER_TIMEOUT), then its one websocket. So
        # 2,000 phones need 2,000 plus 7 per phone joining in the last 10 s; a venue's
        # Wi-Fi can put a whole hall behind one NAT address.
        "MAX_CONNECTIONS": _int_env("FACILITATOR_MAX_CONNECTIONS", 10000),
        "MAX_CONNECTIONS_PER_ADDRESS": _int_env("FACILITATOR_MAX_CONNECTIONS_PER_ADDRESS", 2500),
        # Seconds for a connection to send its request line and headers (from connecting
        # or from its previous response), and the longest silence within a request.
        "HEADER_TIMEOUT": float(os.environ.get("FACILITATOR_HEADER_TIMEOUT", "10")),
        "IDLE_TIMEOUT": float(os.environ.get("FACILITATOR_IDLE_TIMEOUT", "60")),
        # permessage-deflate on websockets: off, on, or a size in bytes (only messages at
        # least that long, each compressed alone). Off: chosen by measurement, see
        # bench/README.md (connections.py): deflate per phone costs memory and CPU.
        "WEBSOCKET_COMPRESSION": os.environ.get("FACILITATOR_WEBSOCKET_COMPRESSION", "off"),
        # How psycopg waits for PostgreSQL: auto (cooperative under eventlet), cooperative
        # or blocking (extensions.choose_database_waits; figures in bench/README.md).
        "DATABASE_WAIT": os.environ.get("FACILITATOR_DATABASE_WAIT", "auto"),
        "DATABASE_PING_AFTER": float(os.environ.get("FACILITATOR_DATABASE_PING_AFTER", "5")),
        # Allocations between the garbage collector's youngest collections in the
        # server process (python -m facilitator; __main__.tune_garbage_collection).
        "GC_THRESHOLD": _int_env("FACILITATOR_GC_THRESHOLD", 50_000),
        # Connections a process keeps open to PostgreSQL (extensions.size_pool).
        "DATABASE_POOL_SIZE": _int_env("FACILITATOR_DATABASE_POOL_SIZE", 20),
        # PostgreSQL's synchronous_commit for the app's connections: off = SQLite's WAL
        # durability (a database crash can lose the last ~0.6 s of commits, never
        # consistency); on = wait for the disk at every commit (extensions.py).
        "DATABASE_SYNCHRONOUS_COMMIT": os.environ.get(
            "FACILITATOR_DATABASE_SYNCHRONOUS_COMMIT", "off"
        ),
    }
