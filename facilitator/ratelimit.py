"""In-process rate limits: join-code guessing, socket floods, per-address budgets."""

import ipaddress
import threading
import time
from collections import deque

from flask import current_app


class Limiter:
    """Allow at most `limit` events per key per window."""

    def __init__(self, config_key: str, window: float = 60.0):
        self.config_key = config_key
        self.window = window
        self._lock = threading.Lock()

    @property
    def _hits(self) -> dict[str, deque]:
        """Return this app's hit log (per app, so apps never share counts)."""
        return current_app.extensions.setdefault("rate_limits", {}).setdefault(self.config_key, {})

    def _recent(self, key: str, now: float) -> deque:
        """Return the key's hits inside the window (caller holds the lock)."""
        table = self._hits
        if len(table) > 10_000:
            table.clear()
        hits = table.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def exceeded(self, key: str) -> bool:
        """Tell whether the key has used up its events in the window."""
        with self._lock:
            hits = self._recent(key, time.monotonic())
            return len(hits) >= current_app.config[self.config_key]

    def hit(self, key: str) -> None:
        """Record one event for the key."""
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)


# Counts failed code look-ups per address: guessing codes in bulk gets slow,
# while a room of phones behind one Wi-Fi address joining correctly is never limited.
# Shared by every way of testing a code: the `/join` form, `/j/<code>` and the socket `join`.
join_limiter = Limiter("JOIN_ATTEMPTS_PER_MINUTE")


def clock() -> float:
    """Return the limiters' clock (seconds; tests replace it to let minutes pass)."""
    return time.monotonic()


class TokenBuckets:
    """Token buckets keyed by anything, in a table of bounded size.

    Each key holds up to `burst` tokens and regains `rate` tokens a second; an
    event takes one. `take` may keep taking below zero (down to `floor`), so a
    caller can tell "a little over" (refuse) from "far over" (disconnect).
    Thread- and greenlet-safe; no app context needed (the hot path of a flood).
    """

    def __init__(self, max_keys: int = 20_000):
        self.max_keys = max_keys
        self._lock = threading.Lock()
        # key -> [tokens, last refill time]
        self._table: dict = {}

    def take(self, key, burst: float, rate: float, floor: float = 0.0) -> float:
        """Take one token for the key; return what is left (below 0: over the limit).

        The balance never goes below `floor`: a caller refuses events while it is
        negative and treats reaching the floor as "far over" (e.g. disconnects).
        """
        now = clock()
        with self._lock:
            entry = self._table.get(key)
            if entry is None:
                if len(self._table) >= self.max_keys:
                    self._prune(now, burst, rate)
                entry = self._table[key] = [float(burst), now]
            else:
                entry[0] = min(float(burst), entry[0] + (now - entry[1]) * rate)
                entry[1] = now
            if entry[0] >= 1:
                entry[0] -= 1
                return entry[0]
            # Refused: the balance sinks further (to the floor), the answer is negative.
            entry[0] = max(float(floor), entry[0] - 1)
            return min(entry[0], -0.5)

    def allow(self, key, burst: float, rate: float) -> bool:
        """Take a token if there is one; tell whether the event may go ahead."""
        now = clock()
        with self._lock:
            entry = self._table.get(key)
            if entry is None:
                if len(self._table) >= self.max_keys:
                    self._prune(now, burst, rate)
                entry = self._table[key] = [float(burst), now]
            else:
                entry[0] = min(float(burst), entry[0] + (now - entry[1]) * rate)
                entry[1] = now
            if entry[0] >= 1:
                entry[0] -= 1
                return True
            return False

    def forget(self, key) -> None:
        """Drop one key (its socket closed)."""
        with self._lock:
            self._table.pop(key, None)

    def __len__(self) -> int:
        return len(self._table)

    def _prune(self, now: float, burst: float, rate: float) -> None:
        """Make room: drop keys that have refilled (idle), else the oldest half."""
        idle = [
            k for k, (tokens, last) in self._table.items() if tokens + (now - last) * rate >= burst
        ]
        for key in idle:
            del self._table[key]
        if len(self._table) >= self.max_keys:
            oldest = sorted(self._table.items(), key=lambda item: item[1][1])
            for key, _entry in oldest[: len(oldest) // 2 + 1]:
                del self._table[key]


def _networks(spec) -> list:
    """Parse FACILITATOR_TRUSTED_PROXIES: addresses or networks, comma or space separated."""
    if not spec:
        return []
    items = spec.replace(",", " ").split() if isinstance(spec, str) else list(spec)
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip()]


def _trusted(address: str, networks: list) -> bool:
    """Tell whether an address is one of the configured proxies."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(environ: dict, trusted_proxies=None) -> str:
    """Return the address a request came from, for rate limits only (never logged).

    X-Forwarded-For is believed only when the direct peer is a configured trusted
    proxy; it is then read from the right, skipping further trusted proxies, so a
    client cannot choose its own address by sending the header itself.
    """
    if trusted_proxies is None:
        try:
            trusted_proxies = current_app.config.get("TRUSTED_PROXIES")
        except RuntimeError:
            trusted_proxies = None
    peer = environ.get("REMOTE_ADDR") or "-"
    networks = _parsed_networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: fall back to the proxy itself
    return hops[0] if hops else peer


_network_cache: dict = {}


def _parsed_networks(spec) -> list:
    """Return the parsed proxy list, cached per setting value."""
    key = spec if isinstance(spec, str) or spec is None else tuple(spec)
    if key not in _network_cache:
        if len(_network_cache) > 16:
            _network_cache.clear()
        _network_cache[key] = _networks(spec)
    return _network_cache[key]
