"""Flask extensions, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
socketio = SocketIO()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()


def choose_database_waits(config) -> str:
    """Choose how psycopg waits for PostgreSQL; return the choice made.

    ``DATABASE_WAIT``: ``auto`` (the default) waits cooperatively when the process runs
    under eventlet with ``select`` monkey-patched, and leaves psycopg's own choice
    otherwise; ``cooperative`` and ``blocking`` force one. Cooperative: psycopg's
    pure-Python ``wait_select``, whose ``select.select`` is eventlet's green one after
    ``eventlet.monkey_patch()``, so a query or a commit waiting for the database yields
    to the other connections instead of holding the event loop (psycopg detects only
    gevent's patching by itself and otherwise waits in C, blocking the loop). Blocking:
    psycopg's C wait, right for the threading mode where each request has its own
    thread. ``PSYCOPG_WAIT_FUNC`` in the environment (psycopg's own switch) wins.
    Figures: ``bench/README.md`` (*pg_latency.py*).
    """
    import os
    import sys

    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return "not PostgreSQL"
    if os.environ.get("PSYCOPG_WAIT_FUNC"):
        return os.environ["PSYCOPG_WAIT_FUNC"]
    choice = str(config.get("DATABASE_WAIT") or "auto").strip().lower()
    if choice not in ("auto", "cooperative", "blocking"):
        raise ValueError(
            f"FACILITATOR_DATABASE_WAIT must be auto, cooperative or blocking, not {choice!r}"
        )
    from psycopg import waiting

    patched = False
    if "eventlet" in sys.modules:
        from eventlet import patcher

        patched = patcher.is_monkey_patched("select")
    _psycopg_wait.setdefault("default", waiting.wait)
    if choice == "cooperative" or (choice == "auto" and patched):
        waiting.wait = waiting.wait_select
        return "cooperative"
    waiting.wait = _psycopg_wait["default"]
    return "blocking"


_psycopg_wait: dict = {}


def size_pool(config) -> None:
    """Keep ``DATABASE_POOL_SIZE`` PostgreSQL connections open in each process.

    Under eventlet one process serves many sockets at once, and each event holds a
    connection while it waits for the database. SQLAlchemy's default pool keeps 5 and
    opens up to 10 more that it closes again on return: in a busy session that is a new
    PostgreSQL backend (a fork, its catalog caches cold, its prepared statements gone)
    every few events. Ten more may still open beyond the size when a burst needs them.
    ``SQLALCHEMY_ENGINE_OPTIONS`` given by the deployment wins.
    """
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return
    options = config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    size = int(config["DATABASE_POOL_SIZE"])
    if size < 1:
        raise ValueError(f"FACILITATOR_DATABASE_POOL_SIZE must be at least 1, not {size}")
    options.setdefault("pool_size", size)
    options.setdefault("max_overflow", 10)


def tune_postgresql(engine, synchronous_commit: str) -> None:
    """Set ``synchronous_commit`` on every PostgreSQL connection of the app.

    ``off`` (the default, ``DATABASE_SYNCHRONOUS_COMMIT``): a commit returns without
    waiting for its WAL record to reach the disk, as SQLite's WAL with
    ``synchronous=NORMAL`` does here: a crash of the database server can lose the last
    fraction of a second of commits (PostgreSQL: up to 3 × ``wal_writer_delay``, 0.6 s by
    default), never the database's consistency. Each write otherwise waits for a disk
    flush, which measured 1.5–60× SQLite's acknowledgement times (``bench/README.md``,
    *pg_latency.py*). ``on`` keeps PostgreSQL's own durability.
    """
    if engine.dialect.name != "postgresql":
        return
    value = str(synchronous_commit or "off").strip().lower()
    if value not in ("on", "off", "local", "remote_write", "remote_apply"):
        raise ValueError(
            f"FACILITATOR_DATABASE_SYNCHRONOUS_COMMIT must be on or off, not {value!r}"
        )
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def set_synchronous_commit(dbapi_connection, _record):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            dbapi_connection.execute(f"SET synchronous_commit TO {value}")
        finally:
            dbapi_connection.autocommit = autocommit


def ping_idle_connections(engine, after: float) -> None:
    """Check a PostgreSQL connection that sat idle in the pool for `after` seconds before
    handing it out; replace it if the check fails.

    SQLAlchemy's ``pool_pre_ping`` checks every checkout: one more round trip per socket
    event (a vote, an idea). A connection in steady use was just used; one that waited
    in the pool may have been closed meanwhile (the database restarted, an idle timeout
    on the way). A failed check replaces that connection. A connection dropped within
    the last `after` seconds fails its next statement once (that event is answered
    `server_error`; the phone shows "try again"), and SQLAlchemy then replaces every
    older connection of the pool.
    """
    if engine.dialect.name == "sqlite":
        return
    import time

    from sqlalchemy import event, exc

    @event.listens_for(engine, "checkin")
    def note_idle(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check_if_idle(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001  any failure: a new connection
            raise exc.DisconnectionError() from error


# Execution options of a unit of work that writes at most one statement (see
# `guard_single_writes` and `realtime.unit_of_work(single_write=True)`).
SINGLE_WRITE = {"isolation_level": "AUTOCOMMIT", "facilitator_single_write": True}


def guard_single_writes(engine) -> None:
    """Refuse a second write in a unit of work declared to write at most once.

    Such a unit runs without BEGIN and COMMIT (``AUTOCOMMIT``): its reads see committed
    rows as each statement of a READ COMMITTED transaction would, and its one write (an
    INSERT, an UPDATE) is a transaction by itself. On PostgreSQL that spares two round
    trips of the event's five or six. A second write would not be atomic with the first,
    nor would a ``SELECT ... FOR UPDATE`` hold its lock: both raise here, before they
    reach the database.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def one_write_only(conn, _cursor, statement, _parameters, _context, _executemany):
        if not conn.get_execution_options().get("facilitator_single_write"):
            return
        head = statement.lstrip()[:6].upper()
        if head == "SELECT" and " FOR " not in statement.upper():
            return
        writes = conn.info.get("facilitator_writes", 0) + 1
        conn.info["facilitator_writes"] = writes
        if writes > 1 or head == "SELECT":
            raise RuntimeError("a second write (or a locking read) in a single-write unit")
