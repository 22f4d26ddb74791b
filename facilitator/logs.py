"""Logging that never records who did what: no request lines, addresses or socket ids."""

from __future__ import annotations

import logging
import threading
import time
import traceback

# Libraries whose messages name a client: Werkzeug's request log carries addresses,
# Engine.IO and Socket.IO put socket ids ("Invalid session <sid>") into theirs.
SCRUBBED_LOGGERS = ("werkzeug", "engineio.server", "socketio.server")


SUMMARY_INTERVAL = 60.0
# Full lines of one kind written per interval before the rest are only counted.
LINES_PER_INTERVAL = 5


class Tally:
    """Counts repeated log events and writes a summary line per interval, not each one.

    `allow(kind)` says whether a line of this kind may still be written in full this
    interval; after that the events are counted and `flush` (called with the next
    event after the interval, or by the periodic task) writes one line per kind,
    e.g. "1843 malformed packets in the last 60 s".
    """

    def __init__(self, interval: float = SUMMARY_INTERVAL, lines: int = LINES_PER_INTERVAL):
        self.interval = interval
        self.lines = lines
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._written: dict[str, int] = {}
        self._counted: dict[str, int] = {}
        self.logger = logging.getLogger("facilitator.abuse")

    def allow(self, kind: str) -> bool:
        """Count one event; tell whether it may be written out in full."""
        self.flush()
        with self._lock:
            written = self._written.get(kind, 0)
            if written < self.lines and len(self._written) < 1000:
                self._written[kind] = written + 1
                return True
            if kind in self._counted or len(self._counted) < 1000:
                self._counted[kind] = self._counted.get(kind, 0) + 1
            return False

    def count(self, kind: str, n: int = 1) -> None:
        """Count events that are never written one by one."""
        self.flush()
        with self._lock:
            if kind in self._counted or len(self._counted) < 1000:
                self._counted[kind] = self._counted.get(kind, 0) + n

    def flush(self, force: bool = False) -> None:
        """Write the summary lines if the interval has passed (or when forced)."""
        now = time.monotonic()
        with self._lock:
            elapsed = now - self._start
            if not force and elapsed < self.interval:
                return
            counted, self._counted = self._counted, {}
            self._written = {}
            self._start = now
        for kind, n in sorted(counted.items()):
            self.logger.warning("%d %s in the last %d s", n, kind, max(1, round(elapsed)))


tally = Tally()


def short_traceback(exc: BaseException) -> str:
    """Return where an exception came from: type and frames, never its message.

    Messages of database errors repeat the statement's parameters (participants'
    text); file, line and function names are enough to find the bug.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames)
    )
    return f"{type(exc).__name__} at {where}"


class ScrubIdentifiers(logging.Filter):
    """Keep a library's message template but drop its arguments (addresses, ids).

    Repeats are counted, not written: a client sending thousands of malformed packets
    makes a few lines and then one summary per minute.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not tally.allow(f"'{record.name}: {str(record.msg)[:80]}' messages"):
            return False
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
