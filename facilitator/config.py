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


def defaults(folder: Path, secret_key: str | None = None) -> dict:
    """Return the configuration used when nothing else is given."""
    return {
        "SECRET_KEY": secret_key or _secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "FACILITATOR_DATABASE_URL", f"sqlite:///{folder / 'facilitator.db'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
        "SESSION_COOKIE_SECURE": os.environ.get("FACILITATOR_SECURE_COOKIES", "") == "1",
        # A workshop page stays open for hours; its CSRF token must not expire mid-session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "JOIN_ATTEMPTS_PER_MINUTE": 30,
    }
