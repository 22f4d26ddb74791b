"""Connection limits for the embedded servers: caps, a header deadline, a clear bind.

The eventlet server (the default) gets the full set:

- at most ``MAX_CONNECTIONS`` open connections in all and
  ``MAX_CONNECTIONS_PER_ADDRESS`` from one client address; a connection over either cap
  is answered ``503`` with ``Connection: close`` at once, so a new phone never waits
  behind a crowd of half-open sockets. Trusted proxies (``TRUSTED_PROXIES``) and this
  machine itself (127.0.0.1, ::1) count only against the overall cap: everything
  behind a reverse proxy arrives from the proxy's address.
- a connection that has not sent a complete request line and headers within
  ``HEADER_TIMEOUT`` seconds of connecting, or of its previous response, is closed;
- a connection silent for ``IDLE_TIMEOUT`` seconds in the middle of a request (a
  body, a websocket without its pongs) is closed.

The threading mode (Werkzeug's development server) gets the header and idle timeouts
per read only.

Websocket compression (``WEBSOCKET_COMPRESSION``, both modes): ``off`` (the default)
hides the client's ``Sec-WebSocket-Extensions`` offer from the websocket library, so no
permessage-deflate is negotiated; ``on`` leaves it (every message compressed, with a
compressor and a decompressor kept per connection); a number of bytes compresses only
messages at least that long, each on its own (no context kept between messages, so no
per-connection zlib memory), under eventlet; the threading mode treats a number as
``off``. Figures: ``bench/README.md`` (*connections.py*).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import sys

from .ratelimit import _parsed_networks, _trusted

log = logging.getLogger("facilitator.transport")

#: Addresses of this machine: its own reverse proxy, or a local benchmark.
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
#: Listen backlog (the kernel caps it at net.core.somaxconn, 4096 on current Linux).
LISTEN_BACKLOG = 4096
#: File descriptors kept free for the database, log files and the like.
RESERVED_FILES = 200

_REFUSED_BODY = b"Too many open connections. Try again in a moment.\n"
REFUSED_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 10\r\n"
    b"Connection: close\r\n"
    b"Content-Length: %d\r\n"
    b"\r\n%s" % (len(_REFUSED_BODY), _REFUSED_BODY)
)


_HEALTHZ_FULL_BODY = b'{"status": "ok", "connections": "full"}\n'
HEALTHZ_FULL_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Cache-Control: no-store\r\n"
    b"Connection: close\r\n"
    b"Content-Length: %d\r\n"
    b"\r\n%s" % (len(_HEALTHZ_FULL_BODY), _HEALTHZ_FULL_BODY)
)


class PortInUse(SystemExit):
    """The port is taken: another server (maybe another facilitator) listens on it."""


class ConnectionLimiter:
    """Counts open connections, overall and per client address."""

    def __init__(self, max_total: int, max_per_address: int, trusted_proxies=None):
        self.max_total = max(1, int(max_total))
        self.max_per_address = max(0, int(max_per_address))
        self._networks = _parsed_networks(trusted_proxies or "")
        self.total = 0
        self.per_address: dict[str, int] = {}
        self.refused = 0

    def _exempt(self, address: str) -> bool:
        """Tell whether an address counts only against the overall cap."""
        return address in LOCAL_ADDRESSES or _trusted(address, self._networks)

    def acquire(self, address: str) -> bool:
        """Count a new connection from this address; False when it is over a cap."""
        if self.total >= self.max_total:
            self.refused += 1
            return False
        if self.max_per_address and not self._exempt(address):
            count = self.per_address.get(address, 0)
            if count >= self.max_per_address:
                self.refused += 1
                return False
            self.per_address[address] = count + 1
        self.total += 1
        return True

    def release(self, address: str) -> None:
        """Forget a closed connection."""
        self.total = max(0, self.total - 1)
        count = self.per_address.get(address)
        if count is None:
            return
        if count <= 1:
            del self.per_address[address]
        else:
            self.per_address[address] = count - 1


def _host(client_address) -> str:
    """Return the host part of a socket address."""
    if isinstance(client_address, tuple) and client_address:
        return str(client_address[0])
    return str(client_address)


def raise_file_limit(wanted: int) -> int:
    """Raise the soft open-file limit towards the hard one; return the soft limit now."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def fit_to_file_limit(max_connections: int) -> int:
    """Return the connection cap the open-file limit allows, warning when it is lower."""
    limit = raise_file_limit(max_connections + RESERVED_FILES)
    allowed = max(16, limit - RESERVED_FILES)
    if allowed < max_connections:
        print(
            f"facilitator: the open-file limit ({limit}) allows only {allowed} connections, "
            f"not {max_connections}; raise it (ulimit -n, LimitNOFILE=) for more",
            file=sys.stderr,
            flush=True,
        )
        return allowed
    return max_connections


def port_in_use_message(host: str, port: int) -> str:
    """Say that the port is taken, and what to do."""
    return (
        f"facilitator: cannot listen on {host}:{port}: the port is already in use "
        "(is another facilitator server running?). Stop it or choose another --port."
    )


def listen(host: str, port: int):
    """Bind a listening socket without SO_REUSEPORT; a taken port raises PortInUse.

    SO_REUSEPORT would let a second server start on the same port and silently take
    half of the new connections.
    """
    import eventlet

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = eventlet.listen(
            (host, port), family=family, backlog=LISTEN_BACKLOG, reuse_port=False
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port_in_use_message(host, port)) from None
        raise
    # An ack written right after a broadcast would otherwise wait ~40 ms for the
    # client's delayed ACK (Nagle); accepted sockets inherit the option on Linux.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse when something already listens on host:port (threading mode)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port_in_use_message(host, port)) from None
        raise
    finally:
        probe.close()


class LimitedListener:
    """A listening socket whose accept() refuses connections over the caps at once."""

    def __init__(self, sock, limiter: ConnectionLimiter):
        self._sock = sock
        self.limiter = limiter

    def accept(self):
        """Return the next connection within the caps; answer the others 503 and close."""
        while True:
            client, address = self._sock.accept()
            if self.limiter.acquire(_host(address)):
                return client, address
            _refuse(client)

    def __getattr__(self, name):
        return getattr(self._sock, name)


#: Refused connections still reading the client's request before closing (at most).
MAX_LINGERING = 256
_lingering = [0]


def _refuse(client) -> None:
    """Answer 503 and close; read the client's request first, so it sees the answer.

    Closing with the request unread would send a reset, and the client would show a
    network error instead of the message. Reading waits at most a second, and only for
    MAX_LINGERING refused connections at once; any more are answered and closed
    straight away. A refused ``GET /healthz`` is answered ``200`` with
    ``{"status": "ok", "connections": "full"}``: the process is alive and serving the
    connections it has, and a monitor can tell it is full.
    """
    if _lingering[0] >= MAX_LINGERING:
        with contextlib.suppress(OSError):
            client.setblocking(False)
            client.send(REFUSED_RESPONSE)
        with contextlib.suppress(OSError):
            client.close()
        return
    import eventlet

    _lingering[0] += 1
    eventlet.spawn_n(_answer_and_close, client)


def _answer_and_close(client) -> None:
    """Read the request head (a second at most), answer it, drain for a second, close."""
    import eventlet

    try:
        head = b""
        client.settimeout(1.0)
        with eventlet.Timeout(1.0, False):
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = client.recv(4096)
                if not chunk:
                    break
                head += chunk
        healthz = head.startswith((b"GET /healthz ", b"GET /healthz?"))
        client.sendall(HEALTHZ_FULL_RESPONSE if healthz else REFUSED_RESPONSE)
        client.shutdown(socket.SHUT_WR)
        with eventlet.Timeout(1.0, False):
            while client.recv(4096):
                pass
    except OSError:
        pass
    finally:
        _lingering[0] -= 1
        with contextlib.suppress(OSError):
            client.close()


def limited_pool(limiter: ConnectionLimiter):
    """Return a green pool that gives a connection's place back when it closes."""
    import eventlet

    class LimitedPool(eventlet.GreenPool):
        """eventlet's pool; each finished connection releases its count."""

        def spawn(self, function, connection, *args, **kwargs):
            thread = super().spawn(function, connection, *args, **kwargs)
            address = _host(connection[0])
            thread.link(lambda _thread: limiter.release(address))
            return thread

    # One green thread per admitted connection; the limiter refuses before the pool fills.
    return LimitedPool(limiter.max_total + 1)


class HeaderTimeout(socket.timeout):
    """A client did not send its request line and headers in time."""


def eventlet_protocol(base, header_timeout: float):
    """Return eventlet's HTTP protocol with a deadline on the request line and headers."""
    import eventlet

    class DeadlineProtocol(base):
        """Close a connection whose request head is not complete within the deadline."""

        def handle_one_request(self):
            # One deadline for the request line and every header line together: a
            # client sending a byte now and then cannot keep the connection forever.
            self._head_deadline = eventlet.Timeout(header_timeout, HeaderTimeout())
            try:
                super().handle_one_request()
            finally:
                self._head_deadline.cancel()

        def parse_request(self):
            try:
                return super().parse_request()
            finally:
                self._head_deadline.cancel()

    return DeadlineProtocol


def werkzeug_handler(base, header_timeout: float, idle_timeout: float):
    """Return a Werkzeug request handler with read timeouts (threading mode)."""

    class TimeoutHandler(base):
        """Werkzeug's handler; the head must come within header_timeout per read."""

        timeout = header_timeout

        def handle_one_request(self):
            self.connection.settimeout(header_timeout)
            super().handle_one_request()

        def parse_request(self):
            ok = super().parse_request()
            # Past the head: a websocket stays quiet up to a ping interval.
            self.connection.settimeout(idle_timeout)
            return ok

    return TimeoutHandler


def compression_setting(value) -> int | None:
    """Parse WEBSOCKET_COMPRESSION: None = off, 0 = every message, n = messages >= n bytes."""
    text = str(value if value is not None else "off").strip().lower()
    if text in ("off", "no", "false", "0", ""):
        return None
    if text in ("on", "yes", "true", "all"):
        return 0
    try:
        threshold = int(text)
    except ValueError:
        raise ValueError(
            f"FACILITATOR_WEBSOCKET_COMPRESSION must be off, on or a number of bytes, not {value!r}"
        ) from None
    if threshold < 0:
        raise ValueError("FACILITATOR_WEBSOCKET_COMPRESSION must not be negative")
    return threshold or None


class NoWebsocketExtensions:
    """WSGI middleware: websocket upgrades reach the library without extension offers.

    With no ``Sec-WebSocket-Extensions`` the websocket library (eventlet's or
    simple-websocket's) negotiates no permessage-deflate, whatever the browser offered.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


def websocket_compression(wsgi_app, config, async_mode: str):
    """Wrap the WSGI app for the configured websocket compression."""
    threshold = compression_setting(config.get("WEBSOCKET_COMPRESSION"))
    if threshold is None or (threshold and async_mode != "eventlet"):
        return NoWebsocketExtensions(wsgi_app)
    if threshold:
        install_compression_threshold(threshold)
    return wsgi_app


_threshold_installed = [0]


def install_compression_threshold(threshold: int) -> None:
    """Under eventlet: compress only messages of at least `threshold` bytes, each alone.

    The negotiation answer adds ``server_no_context_takeover`` and
    ``client_no_context_takeover`` (RFC 7692 lets a server add both to any offer), so
    eventlet makes a compressor or decompressor per compressed message and none stays
    with the connection; shorter messages go out uncompressed (RSV1 clear).
    """
    from eventlet import websocket as ws

    if _threshold_installed[0]:
        _threshold_installed[0] = threshold
        return
    _threshold_installed[0] = threshold
    negotiate = ws.WebSocketWSGI._negotiate_permessage_deflate
    pack = ws.RFC6455WebSocket._pack_message
    compressor = ws.RFC6455WebSocket._get_permessage_deflate_enc

    def negotiate_without_context(self, extensions):
        chosen = negotiate(self, extensions)
        if chosen is not None:
            chosen["server_no_context_takeover"] = True
            chosen["client_no_context_takeover"] = True
        return chosen

    def pack_long_only(self, message, *args, **kwargs):
        self._facilitator_plain = len(message) < _threshold_installed[0]
        return pack(self, message, *args, **kwargs)

    def compressor_for_long(self):
        if getattr(self, "_facilitator_plain", False):
            return None
        return compressor(self)

    ws.WebSocketWSGI._negotiate_permessage_deflate = negotiate_without_context
    ws.RFC6455WebSocket._pack_message = pack_long_only
    ws.RFC6455WebSocket._get_permessage_deflate_enc = compressor_for_long


def serve_eventlet(app, listener, protocol_base) -> None:
    """Serve the app with eventlet's WSGI server within the configured limits."""
    import eventlet.wsgi

    config = app.config
    max_total = fit_to_file_limit(int(config["MAX_CONNECTIONS"]))
    limiter = ConnectionLimiter(
        max_total, int(config["MAX_CONNECTIONS_PER_ADDRESS"]), config.get("TRUSTED_PROXIES")
    )
    app.extensions["connection_limiter"] = limiter
    # No per-request access log: addresses next to socket ids risk anonymity.
    # debug=False: an unexpected error never sends a traceback to the client.
    eventlet.wsgi.server(
        LimitedListener(listener, limiter),
        app,
        log_output=False,
        debug=False,
        protocol=eventlet_protocol(protocol_base, float(config["HEADER_TIMEOUT"])),
        custom_pool=limited_pool(limiter),
        socket_timeout=float(config["IDLE_TIMEOUT"]),
    )
