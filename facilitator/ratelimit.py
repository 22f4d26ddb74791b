"""A small in-process sliding-window limiter for join-code guessing."""

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
join_limiter = Limiter("JOIN_ATTEMPTS_PER_MINUTE")
