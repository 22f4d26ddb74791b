"""PostgreSQL connections the database dropped while they waited in the pool."""

from __future__ import annotations

import time

import psycopg

from tests.conftest import PG_ADMIN_URL, FacilitatorClient, fresh_database, test_app


def _drop_server_connections(database_url: str) -> int:
    """End every server-side connection to the test database (as a restart would)."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        ).fetchall()
    return len(rows)


def test_a_connection_dropped_while_idle_is_replaced_before_use(tmp_path):
    """After the database dropped the pooled connections, the next request still works.

    A connection idle longer than DATABASE_PING_AFTER is checked before use; one used
    within it is not (that saves a round trip per socket event), so without the check
    the same request fails.
    """
    for ping_after, works in ((0.2, True), (3600.0, False)):
        with (
            fresh_database("postgresql", tmp_path) as database_url,
            test_app(database_url, DATABASE_PING_AFTER=ping_after) as app,
        ):
            facilitator = FacilitatorClient(app, app.test_client())
            session = facilitator.create_session()
            path = f"/api/v1/sessions/{session['id']}"
            assert facilitator.client.get(path).status_code == 200
            assert _drop_server_connections(database_url) >= 1
            time.sleep(0.4)
            response = facilitator.client.get(path)
            if works:
                assert response.status_code == 200
                assert response.get_json()["session"]["id"] == session["id"]
            else:
                assert response.status_code == 500


def test_connections_are_kept_open_between_requests_not_opened_for_each(tmp_path):
    """Busy moments reuse the pool's connections: after 30 requests, 5 of them at a time,
    PostgreSQL has seen only the handful of connections the pool opened, and they stay
    open (idle) for the next requests instead of being closed on return."""
    import threading

    with (
        fresh_database("postgresql", tmp_path) as database_url,
        test_app(database_url, DATABASE_POOL_SIZE=8) as app,
    ):
        facilitator = FacilitatorClient(app, app.test_client())
        session = facilitator.create_session()
        name = database_url.rsplit("/", 1)[1]
        barrier = threading.Barrier(5)

        def reads():
            barrier.wait()
            for _ in range(6):
                # A phone opening the join link: the session is read from the database.
                assert app.test_client().get(f"/j/{session['join_code']}").status_code < 400

        threads = [threading.Thread(target=reads) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            opened, still_open = admin.execute(
                "SELECT (SELECT sessions FROM pg_stat_database WHERE datname = %s),"
                " (SELECT count(*) FROM pg_stat_activity WHERE datname = %s)",
                (name, name),
            ).fetchone()
        assert opened <= 8, opened
        assert still_open >= 2, still_open
