"""Command line: `python -m facilitator [serve options]` or `... check-models`."""

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command given on the command line."""
    args = _parser().parse_args(argv)
    if args.command == "check-models":
        from .config import ROOT
        from .workshop_models import check_models_cli

        return check_models_cli(args.models_dir or str(ROOT / "workshop_models"))
    return serve(args)


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

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    config = {"SOCKETIO_ASYNC_MODE": async_mode}
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(config)
    print(f"facilitator: http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    if async_mode == "eventlet":
        _serve_eventlet(app, args.host, args.port)
    else:
        # No per-request access log: addresses next to socket ids risk anonymity.
        socketio.run(
            app, host=args.host, port=args.port, log_output=False, allow_unsafe_werkzeug=True
        )
    return 0


def _serve_eventlet(app, host: str, port: int) -> None:
    """Serve with eventlet on a listener whose connections send small packets at once."""
    import socket

    import eventlet
    import eventlet.wsgi

    listener = eventlet.listen((host, port))
    # An ack written right after a broadcast would otherwise wait ~40 ms for the
    # client's delayed ACK (Nagle); accepted sockets inherit the option on Linux.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # No per-request access log: addresses next to socket ids risk anonymity.
    eventlet.wsgi.server(listener, app, log_output=False)


if __name__ == "__main__":
    sys.exit(main())
