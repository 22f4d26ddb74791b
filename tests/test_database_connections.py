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
