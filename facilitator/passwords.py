"""Password hashing that never holds up the server's event loop.

A password hash (scrypt) costs tens of milliseconds of CPU on purpose. Computed on the
event loop, every socket waits for it: four wrong passwords in a row stalled every
participant. So each hash runs in a real operating-system thread, and at most
`PASSWORD_HASH_THREADS` of them at once, which keeps a core free for everyone else.

How the work leaves the loop depends on the configured async mode, and only here:
- `eventlet`: `eventlet.tpool.execute` (under monkey-patching `threading` is green, so
  an ordinary thread pool would still run on the loop); the waiting request yields.
- `threading`: every request already has its own thread; the hash runs in it.
hashlib's scrypt releases the GIL, so other threads keep running meanwhile; on Linux the
hashing threads also run at a lower priority (nice 10), so that when the machine is busy
the event loop gets the CPU first.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

# Checked when an e-mail has no account, so that an unknown address costs as much time
# as a known one with a wrong password. Same method and parameters as
# generate_password_hash's default (tests/test_auth_hardening.py keeps them in step).
DUMMY_HASH = (
    "scrypt:32768:8:1$TZJsaCdIXZhp5NAc$d09dbf1d6e5e3c8bd62b175d8fcd1c8f6f5b1f7715798ca872"
    "96b0b27e848551d244e0af77068e1b4603e82ede544fc8ec6ebecfc81f700d984915f44bb4c830"
)


def default_threads() -> int:
    """Return how many hashes may run at once: one core is left for the event loop."""
    return max(1, (os.cpu_count() or 2) - 1)


_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    """Return this app's semaphore of hashing slots (made on first use, after any
    monkey-patching, so under eventlet a waiting request yields instead of blocking)."""
    with _slots_lock:
        slots = current_app.extensions.get("password_hash_slots")
        if slots is None:
            slots = threading.BoundedSemaphore(current_app.config["PASSWORD_HASH_THREADS"])
            current_app.extensions["password_hash_slots"] = slots
        return slots


_niced = threading.local()


def _lowered(fn: Callable, *args):
    """Call fn in a thread that yields the CPU to the event loop when both want it."""
    if not getattr(_niced, "done", False):
        _niced.done = True
        # Linux: a thread's own nice value; elsewhere the hash runs at normal priority.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    return fn(*args)


def _off_the_loop(fn: Callable, *args):
    """Run a CPU-heavy call where it cannot stall the sockets; return its result."""
    if not has_app_context():  # the command line: no event loop to protect
        return fn(*args)
    with _slots():
        if current_app.config.get("SOCKETIO_ASYNC_MODE") == "eventlet":
            from eventlet import tpool

            return tpool.execute(_lowered, fn, *args)
        return fn(*args)


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of the password."""
    return _off_the_loop(generate_password_hash, password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Tell whether the password matches; with no hash, spend the same time and say no."""
    if password_hash is None:
        _off_the_loop(check_password_hash, DUMMY_HASH, password)
        return False
    return _off_the_loop(check_password_hash, password_hash, password)
