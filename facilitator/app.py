"""The application factory."""

from __future__ import annotations

import logging

from flask import Flask, Request, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from . import config
from .extensions import (
    babel,
    choose_database_waits,
    csrf,
    db,
    guard_single_writes,
    login_manager,
    ping_idle_connections,
    size_pool,
    socketio,
    tune_postgresql,
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app; the database schema is migrated on start."""
    test_config = test_config or {}
    instance = config.instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
    )
    app.config.from_mapping(config.defaults(instance, test_config.get("SECRET_KEY")))
    app.config.update(test_config)

    app.request_class = CleanFormRequest
    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    # Websocket compression as configured (transport.py), around Engine.IO's middleware.
    from .transport import websocket_compression

    app.wsgi_app = websocket_compression(
        app.wsgi_app, app.config, app.config["SOCKETIO_ASYNC_MODE"]
    )
    # Outermost: every response, Flask's and Engine.IO's (polling) alike, gets them.
    app.wsgi_app = SecurityHeaders(app.wsgi_app, security_headers(app.config))

    from .migrate import upgrade_database

    with app.app_context():
        upgrade_database()
    _start_retention_purge(app)
    # With a message queue: other processes' phase changes reach this one's sockets.
    from .fanout import start_phase_listener

    start_phase_listener(app)
    return app


def _start_retention_purge(app: Flask) -> None:
    """Purge expired participant links at start and then hourly, in the served app only.

    `LISTEN_PORT` is set by `python -m facilitator` (serve); tests and the other
    commands build apps without it and start no task (`python -m facilitator purge`).
    """
    from . import operations as ops

    interval = float(app.config.get("RETENTION_PURGE_INTERVAL") or 0)
    if not app.config.get("LISTEN_PORT") or interval <= 0:
        return
    with app.app_context():
        ops.retention_period()  # a bad FACILITATOR_RETENTION_DAYS stops the start here

    def purge_forever():
        log = logging.getLogger("facilitator.retention")
        while True:
            try:
                with app.app_context():
                    result = ops.purge_participants()
                    db.session.remove()
                if result.sessions:
                    log.info(
                        "retention purge: %d sessions, %d participants unlinked",
                        result.sessions,
                        result.participants,
                    )
            except Exception as exc:  # noqa: BLE001  the loop must outlive a bad hour
                # The type only: a database message could quote row values.
                log.error(
                    "retention purge failed (%s); next try in %d s", type(exc).__name__, interval
                )
            socketio.sleep(interval)

    socketio.start_background_task(purge_forever)


class _CleanForm(ImmutableMultiDict):
    """Form and query values without control characters, before any view or form reads them."""

    def __init__(self, mapping=None):
        from .text import clean_input

        if mapping is None:
            super().__init__()
            return
        items = mapping.items(multi=True) if isinstance(mapping, MultiDict) else mapping
        if isinstance(items, dict):
            items = items.items()
        super().__init__([(clean_input(k), clean_input(v)) for k, v in items])


class CleanFormRequest(Request):
    """A request whose form fields and query string are cleaned like socket text.

    A NUL in a typed e-mail would otherwise reach PostgreSQL, which refuses it.
    """

    parameter_storage_class = _CleanForm


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, not decoded again for every socket event.

    Flask-SocketIO pushes a request context per event, which opens the session from
    the cookie (a signature check and a decode), then replaces it with the socket's
    own copy made at its first event (`saved_session` in the socket's environ). From
    the second event on, that copy is returned at once.
    """

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        if saved is not None:
            return saved
        return super().open_session(app, request)


def _init_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    from . import (
        logins,
        realtime,  # noqa: F401  registers the socket handlers
    )
    from .i18n import select_locale

    size_pool(app.config)
    db.init_app(app)
    app.session_interface = SocketSessionInterface()
    # PostgreSQL waits yield to other connections under eventlet (extensions.py).
    app.extensions["database_wait"] = choose_database_waits(app.config)
    with app.app_context():
        _tune_sqlite(db.engine)
        tune_postgresql(db.engine, app.config.get("DATABASE_SYNCHRONOUS_COMMIT"))
        ping_idle_connections(db.engine, float(app.config["DATABASE_PING_AFTER"]))
        guard_single_writes(db.engine)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # The session and remember-me cookies carry a sign-in token, never the account id:
    # signing out deletes the sign-in, and every copy of either cookie stops working.
    login_manager.id_attribute = "get_login_token"
    login_manager.user_loader(logins.load)
    app.before_request(logins.touch)
    app.jinja_env.globals["active_sign_ins"] = _active_sign_ins

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        max_http_buffer_size=app.config["MAX_SOCKET_MESSAGE_BYTES"],
        # Same-origin only: a foreign page must not drive a participant's socket.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
        # Engine.IO logs carry socket ids and addresses; keep them out of the logs.
        logger=False,
        engineio_logger=False,
        ping_interval=20,
        ping_timeout=20,
    )

    from .logs import scrub_library_logs
    from .realtime import install_flood_guard

    scrub_library_logs()
    # Per-socket rate limits in front of python-socketio's dispatch (realtime.FloodGuard).
    install_flood_guard(app)

    @app.context_processor
    def inject_languages():
        from flask_babel import get_locale

        return {"languages": config.UI_LANGUAGES, "current_lang": str(get_locale())}


def _active_sign_ins() -> list[dict]:
    """Return the signed-in facilitator's live sign-ins for the account page."""
    from flask_login import current_user

    from . import logins

    if not current_user.is_authenticated:
        return []
    this = logins.current_session_id()
    return [
        {"row": row, "this_browser": row.id == this}
        for row in logins.active(current_user._get_current_object())
    ]


# Scripts and styles only from our own origin: even if some text slipped through
# as HTML, a browser would refuse to run it. connect-src 'self' covers the page's own
# ws:/wss: origin too (CSP Level 3), so sockets reach this server and no other.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Powerful features the app never uses, switched off for every page and any frame.
# (Fullscreen, screen wake lock and clipboard writes stay: the projector and the
# control view use them.)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "hid=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()"
)


def content_security_policy(public_url: str = "") -> str:
    """Return the policy; a configured public URL's websocket origin is allowed too."""
    from urllib.parse import urlsplit

    parts = urlsplit(public_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return CONTENT_SECURITY_POLICY
    socket_origin = ("wss://" if parts.scheme == "https" else "ws://") + parts.netloc
    return CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self';",
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {socket_origin};",
    )


def security_headers(config) -> list[tuple[str, str]]:
    """Return the headers that keep pages from being framed, sniffed or injected into."""
    return [
        ("Content-Security-Policy", content_security_policy(config.get("PUBLIC_URL", ""))),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]


class SecurityHeaders:
    """WSGI middleware: add each security header a response does not already carry.

    It wraps Flask and Engine.IO together, so long-polling responses under
    /socket.io/ carry the same policy as pages.
    """

    def __init__(self, app, headers: list[tuple[str, str]]):
        self.app = app
        self.headers = list(headers)

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers = list(headers) + [
                (name, value) for name, value in self.headers if name.lower() not in present
            ]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _tune_sqlite(engine) -> None:
    """Use WAL and fewer fsyncs on SQLite: every commit otherwise stalls all sockets."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL with synchronous=NORMAL stays consistent after a crash; at worst
        # the last commits before a power cut are lost, never the database.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    """Register one blueprint per audience."""
    from .views import api, auth, dashboard, main, participant, teams

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(api.bp)
    teams.register(app)
    from .qwl import views as qwl_views

    # QWL results of a session: import, rounds, the development plan (facilitator/qwl/).
    app.register_blueprint(qwl_views.bp)


def _register_error_pages(app: Flask) -> None:
    """Show friendly, translated error pages (JSON under /api/) and never a stack trace."""
    from werkzeug.exceptions import HTTPException

    from .errors import error_dict

    @app.errorhandler(Exception)
    def handle_error(exc):
        error_id = None
        if isinstance(exc, HTTPException):
            code = exc.code or 500
        else:
            from .errors import new_error_id
            from .logs import short_traceback

            # An id to quote to support; the line names the endpoint and where the code
            # failed, never the path's values, the form's content or who sent it.
            error_id = new_error_id()
            logging.getLogger(__name__).error(
                "request %s failed [error %s]: %s",
                request.endpoint or "-",
                error_id,
                short_traceback(exc),
            )
            db.session.rollback()
            code = 500
        api_codes = {
            400: "invalid",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            413: "too_large",
            429: "rate_limited",
        }
        if request.path.startswith("/api/"):
            name = api_codes.get(code, "server_error" if code >= 500 else "invalid")
            err = error_dict(name, error_id=error_id) if error_id else error_dict(name)
            return {"error": err}, code
        title, message = _error_text(code)
        if error_id:
            message = f"{message} {gettext('Error reference: %(error_id)s', error_id=error_id)}"
        return render_template("error.html", code=code, title=title, message=message), code


def _error_text(code: int) -> tuple[str, str]:
    """Return the title and explanation shown on an error page."""
    if code == 404:
        return gettext("Page not found"), gettext(
            "The page does not exist. Check the address or the join code."
        )
    if code in (401, 403):
        return gettext("No access"), gettext("You do not have access to this page.")
    if code == 429:
        return gettext("Too many attempts"), gettext(
            "Too many attempts. Please wait a moment and try again."
        )
    if code >= 500:
        return gettext("Something went wrong"), gettext(
            "Something went wrong on our side. Please try again in a moment."
        )
    return gettext("Request not handled"), gettext(
        "The request could not be handled. Please go back and try again."
    )
