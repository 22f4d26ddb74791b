"""Logging that never records who did what: no request lines, addresses or socket ids."""

from __future__ import annotations

import logging

# Libraries whose messages name a client: Werkzeug's request log carries addresses,
# Engine.IO and Socket.IO put socket ids ("Invalid session <sid>") into theirs.
SCRUBBED_LOGGERS = ("werkzeug", "engineio.server", "socketio.server")


class ScrubIdentifiers(logging.Filter):
    """Keep a library's message template but drop its arguments (addresses, ids)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            try:
                record.msg = str(record.msg) % tuple("-" for _ in args)
            except (TypeError, ValueError):
                record.msg = f"{record.name}: message withheld"
            record.args = None
        # Tracebacks of library internals can hold request data; keep the type only.
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.msg} ({record.exc_info[0].__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


_scrubber = ScrubIdentifiers()


def scrub_library_logs() -> None:
    """Strip identifiers from the web server's and Socket.IO's own log messages."""
    for name in SCRUBBED_LOGGERS:
        logger = logging.getLogger(name)
        if _scrubber not in logger.filters:
            logger.addFilter(_scrubber)
    # Werkzeug's request lines ("<address> - - [date] GET ...") are INFO: never logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def quiet_request_handler():
    """Return a Werkzeug request handler that writes no request or error lines."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietRequestHandler(WSGIRequestHandler):
        """Werkzeug's handler without its per-request log (it names the client)."""

        def log_request(self, *args, **kwargs) -> None:
            """Write nothing for a served request."""

        def log(self, type: str, message: str, *args) -> None:
            """Count malformed requests without naming the client or the request line."""
            if type == "error":
                logging.getLogger("facilitator.http").debug("a malformed request was refused")

    return QuietRequestHandler
