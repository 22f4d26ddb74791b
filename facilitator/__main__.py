"""Command line: `python -m facilitator [serve options]`, `... check-models`,
`... reset-password EMAIL` or `... purge`."""

from __future__ import annotations

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    """Build the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m facilitator",
        description="Run the facilitator server (default) or check the workshop templates.",
    )
    parser.add_argument(
        "--host",
        default=os.environ.get("FACILITATOR_HOST", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("FACILITATOR_PORT", "5000")),
        help="port to listen on (default 5000)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
        "(default: SQLite file in instance/)",
    )
    parser.add_argument(
        "--async-mode",
        default=None,
        choices=["eventlet", "threading"],
        help="Socket.IO async mode (default eventlet)",
    )
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check-models", help="validate the workshop templates and exit")
    check.add_argument("--models-dir", default=None, help="folder of *.yaml templates")
    reset = sub.add_parser(
        "reset-password",
        help="set a new password for a facilitator account (no email needed)",
        description="Set a new password for the account with this email address. "
        "Asks for it twice unless --password-stdin or --generate is given.",
    )
    reset.add_argument("email", help="the account's email address")
    how = reset.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input (for scripts)",
    )
    how.add_argument(
        "--generate", action="store_true", help="generate a random password and print it"
    )
    reset.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL (default: FACILITATOR_DATABASE_URL or the SQLite file in instance/)",
    )
    purge = sub.add_parser(
        "purge",
        help="unlink participants of sessions closed longer than the retention period ago",
        description="Delete the participant rows of sessions closed more than "
        "FACILITATOR_RETENTION_DAYS (default 30) days ago; their ideas, votes and ratings "
        "stay, linked to no one, and results and exports do not change. The running "
        "server does this hourly too; this command is for cron. Prints what it did.",
    )
    purge.add_argument(
        "--days",
        type=float,
        default=None,
        help="retention period in days for this run (default FACILITATOR_RETENTION_DAYS or 30)",
    )
    purge.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL (default: FACILITATOR_DATABASE_URL or the SQLite file in instance/)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command given on the command line."""
    args = _parser().parse_args(argv)
    if args.command == "check-models":
        from .config import ROOT
        from .workshop_models import check_models_cli

        return check_models_cli(args.models_dir or str(ROOT / "workshop_models"))
    if args.command == "reset-password":
        return reset_password(args)
    if args.command == "purge":
        return purge(args)
    return serve(args)


def reset_password(args: argparse.Namespace) -> int:
    """Set a facilitator's password from the terminal, stdin or a generated one."""
    import getpass
    import secrets

    from . import create_app
    from . import operations as ops
    from .extensions import db
    from .forms import PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS

    if args.generate:
        password = secrets.token_urlsafe(12)
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("New password: ")
            again = getpass.getpass("New password again: ")
        except (EOFError, KeyboardInterrupt):
            print("\nreset-password: cancelled, nothing changed", file=sys.stderr)
            return 1
        if password != again:
            print("reset-password: the passwords do not match, nothing changed", file=sys.stderr)
            return 1
    if not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
        print(
            f"reset-password: the password must be {PASSWORD_MIN_CHARS} to "
            f"{PASSWORD_MAX_CHARS} characters long, nothing changed",
            file=sys.stderr,
        )
        return 1
    # The web server's settings are not needed: no secret key file is made, no eventlet.
    config = {"SECRET_KEY": secrets.token_hex(16), "SOCKETIO_ASYNC_MODE": "threading"}
    database_url = getattr(args, "database_url", None)
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(config)
    with app.app_context():
        user = ops.find_facilitator(args.email)
        if user is None:
            print(f"reset-password: no account with the email {args.email}", file=sys.stderr)
            return 1
        from .realtime import unit_of_work

        with unit_of_work():
            ops.set_password(user, password)
        email = user.email
        db.engine.dispose()
    if args.generate:
        print(password)
    print(f"reset-password: the password of {email} was changed", file=sys.stderr)
    return 0


def purge(args: argparse.Namespace) -> int:
    """Run the retention purge once (for cron) and print what it did."""
    import secrets

    from . import create_app
    from . import operations as ops
    from .extensions import db

    if args.days is not None and not args.days >= 0:
        print("purge: --days must be 0 or more, nothing changed", file=sys.stderr)
        return 2
    config = {"SECRET_KEY": secrets.token_hex(16), "SOCKETIO_ASYNC_MODE": "threading"}
    database_url = getattr(args, "database_url", None)
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(config)
    with app.app_context():
        try:
            period = ops.retention_period(args.days)
        except ValueError as exc:
            print(f"purge: {exc}, nothing changed", file=sys.stderr)
            return 2
        result = ops.purge_participants(args.days)
        db.engine.dispose()
    days = period.total_seconds() / 86400
    print(
        f"purge: sessions closed more than {days:g} days ago: {result.sessions} sessions, "
        f"{result.participants} participants and {result.deleted_ideas} deleted ideas "
        f"removed; unlinked {result.ideas} ideas, "
        f"{result.votes} votes, {result.ratings} ratings, {result.other} other answers"
    )
    return 0


def serve(args: argparse.Namespace) -> int:
    """Start the web and Socket.IO server."""
    async_mode = args.async_mode or os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet")
    if async_mode == "eventlet":
        # Must happen before anything imports sockets or threads; only in eventlet mode.
        import warnings

        # Eventlet warns that it is in maintenance mode; the async mode is a setting here.
        warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    import logging

    from . import create_app
    from .extensions import socketio
    from .logs import quiet_request_handler, scrub_library_logs

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    scrub_library_logs()
    from . import transport

    # Bind first: a second server on a taken port stops here with a clear message,
    # before it touches the database.
    try:
        if async_mode == "eventlet":
            listener = transport.listen(args.host, args.port)
        else:
            transport.check_port_free(args.host, args.port)
    except transport.PortInUse as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    config = {
        "SOCKETIO_ASYNC_MODE": async_mode,
        "LISTEN_HOST": args.host,
        "LISTEN_PORT": args.port,
    }
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(config)
    tune_garbage_collection(int(app.config["GC_THRESHOLD"]))
    print(f"facilitator: http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    print(_join_hint(app, args.host, args.port), flush=True)
    if async_mode == "eventlet":
        transport.serve_eventlet(app, listener, _quiet_eventlet_protocol())
    else:
        # No per-request access log: addresses next to socket ids risk anonymity.
        socketio.run(
            app,
            host=args.host,
            port=args.port,
            log_output=False,
            allow_unsafe_werkzeug=True,
            request_handler=transport.werkzeug_handler(
                quiet_request_handler(),
                float(app.config["HEADER_TIMEOUT"]),
                float(app.config["IDLE_TIMEOUT"]),
            ),
        )
    return 0


def tune_garbage_collection(threshold: int) -> None:
    """Collect cyclic garbage less often than Python's default, and never the objects
    the server made while starting.

    A server holding a thousand phones keeps hundreds of thousands of objects alive.
    With Python's default (a young collection every 700 allocations) the objects of the
    events in flight at that moment are promoted to the old generation, which then
    fills up and is scanned whole, 0.2–0.4 s at a time with the event loop stopped: in
    a vote burst of 1,000 phones (bench/vote_burst.py) a quarter of the server's CPU.
    Young collections every `threshold` allocations (FACILITATOR_GC_THRESHOLD, 50,000)
    let those objects die young; `gc.freeze` moves what starting made (modules, the
    app, templates) out of every later scan. 0 keeps Python's defaults.
    """
    import gc

    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 20, 10)


def _join_hint(app, host: str, port: int) -> str:
    """Say where phones in the room can join, or how to make that possible."""
    from .joinurl import WILDCARD_HOSTS, is_loopback, lan_address

    if app.config.get("PUBLIC_URL"):
        return f"facilitator: phones join at {app.config['PUBLIC_URL']}/"
    if is_loopback(host):
        return (
            "facilitator: only this computer can open these pages. For phones in the room, "
            "start with --host 0.0.0.0 (or set FACILITATOR_PUBLIC_URL)."
        )
    address = lan_address() if host in WILDCARD_HOSTS else host
    if address is None:
        return "facilitator: no network address found; phones cannot join yet."
    return f"facilitator: phones in the room join at http://{address}:{port}/"


def _quiet_eventlet_protocol():
    """Return eventlet's HTTP protocol without its stderr lines naming the client."""
    import logging

    import eventlet.wsgi

    class QuietProtocol(eventlet.wsgi.HttpProtocol):
        """Eventlet's protocol; a malformed request is counted, not logged with its address."""

        def log_message(self, format, *args):
            """Write nothing that names the client or repeats its request line."""
            logging.getLogger("facilitator.http").debug("a malformed request was refused")

    return QuietProtocol


if __name__ == "__main__":
    sys.exit(main())
