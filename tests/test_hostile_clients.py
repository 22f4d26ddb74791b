"""One hostile client cannot stall, flood, guess its way in or fill the logs.

Real server (`python -m facilitator`, eventlet) with real python-socketio clients for
floods, join guessing, bad values and wall flooding; the app-level tests (both
databases) check the budgets an honest ward never meets and the add-then-delete cap.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid

import pytest
import requests
import socketio

from facilitator import ratelimit
from facilitator.extensions import db
from facilitator.models import Idea
from tests.server_process import ServerProcess, signed_in_facilitator

SECRET_IDEA = "salainen-ajatus-joka-ei-kuulu-lokiin"


# --- helpers -----------------------------------------------------------------------


class Setup:
    """A running session on a real server: facilitator HTTP session and its join code."""

    def __init__(self, base: str):
        self.base = base
        self.http, csrf = signed_in_facilitator(base, f"fasi-{uuid.uuid4().hex[:6]}@example.fi")
        self.headers = {"X-CSRFToken": csrf}
        created = self.http.post(
            f"{base}/api/v1/sessions",
            json={"model_id": "keep-change-give-up", "title": "Hyökkäystesti"},
            headers=self.headers,
            timeout=10,
        ).json()
        self.id, self.code = created["id"], created["join_code"]
        api = f"{base}/api/v1/sessions/{self.id}"
        assert self.http.post(f"{api}/start", headers=self.headers, timeout=10).ok
        assert self.http.post(f"{api}/phase", json={"to": 1}, headers=self.headers, timeout=10).ok


def phone(base: str, code: str) -> tuple[socketio.Client, dict]:
    """Open /j/<code> like a phone, connect a real client, join; return it and the ack."""
    http = requests.Session()
    assert http.get(f"{base}/j/{code}", timeout=10).status_code == 200
    client = socketio.Client(http_session=http, reconnection=False)
    client.phone_http = http
    client.connect(base, transports=["websocket"], wait_timeout=10)
    ack = client.call("join", {"role": "participant", "code": code}, timeout=10)
    assert ack["ok"], ack
    return client, ack


def raw_call(client: socketio.Client, event: str, data=None) -> dict:
    """Send any event name, even ones the client library reserves, and wait for the ack."""
    answer: list = []
    done = threading.Event()

    def got(*args):
        answer.extend(args)
        done.set()

    ack_id = client._generate_ack_id("/", got)
    client.eio.send(f"2{ack_id}" + json.dumps([event, data or {}]))
    assert done.wait(10), f"no answer to {event!r}"
    return answer[0]


def latency(client: socketio.Client, rounds: int = 15) -> float:
    """Return the median `sync` acknowledgement time in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert client.call("sync", {}, timeout=20)["ok"]
        times.append(time.perf_counter() - start)
        time.sleep(0.02)
    return statistics.median(times)


@pytest.fixture
def server(tmp_path):
    """The real server on SQLite with the eventlet default (a ward-sized address budget)."""
    process = ServerProcess(tmp_path)
    process.env["FACILITATOR_IDEAS_PER_ADDRESS_BURST"] = "150"
    process.env["FACILITATOR_IDEAS_PER_ADDRESS_RATE"] = "5"
    process.start()
    yield process
    process.stop()


def assert_clean_log(server: ServerProcess) -> None:
    """No traceback and no participant text in the server's log."""
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert SECRET_IDEA not in log


# --- flood -------------------------------------------------------------------------


def test_flooding_socket_is_refused_then_disconnected_and_others_keep_their_pace(server):
    setup = Setup(server.url)
    honest, _ = phone(server.url, setup.code)
    before = latency(honest)

    attacker, _ = phone(server.url, setup.code)
    acks: list[dict] = []
    disconnected = threading.Event()
    attacker.on("disconnect", lambda *args: disconnected.set())
    during: list[float] = []

    def measure():
        while not disconnected.is_set() and len(during) < 40:
            start = time.perf_counter()
            assert honest.call("sync", {}, timeout=20)["ok"]
            during.append(time.perf_counter() - start)

    watcher = threading.Thread(target=measure)
    watcher.start()
    for _ in range(2000):
        if disconnected.is_set():
            break
        try:
            attacker.emit("sync", {}, callback=acks.append)
        except socketio.exceptions.BadNamespaceError:
            break
    assert disconnected.wait(15), "the flooding socket was not disconnected"
    watcher.join(30)

    codes = [ack["error"]["code"] if not ack["ok"] else "ok" for ack in acks]
    # A few are served (their acks may arrive after the socket is gone), the rest refused
    # at once, then the socket is closed: far fewer answers than events sent.
    assert "rate_limited" in codes
    assert set(codes) <= {"ok", "rate_limited"}
    assert len(codes) < 400
    refusal = next(a for a in acks if not a["ok"])
    assert refusal["error"]["message"]  # translated sentence, not just a code
    # The honest phone never waited long while the flood lasted, and still works after.
    assert max(during, default=0) < max(1.0, 10 * before), (before, during)
    assert honest.call("sync", {}, timeout=10)["ok"]
    assert latency(honest) < max(0.5, 3 * before)
    honest.disconnect()
    assert_clean_log(server)


# --- join guessing -----------------------------------------------------------------


def test_join_guessing_shares_one_limit_through_http_and_socket(server):
    setup = Setup(server.url)
    holder, _ = phone(server.url, setup.code)  # a phone that already has a token
    guesser = socketio.Client(reconnection=False)
    guesser.connect(server.url, transports=["websocket"])

    # Before the limit: a real code without the page's token answers like a wrong one.
    wrong = guesser.call("join", {"role": "participant", "code": "ZZZZZZ"}, timeout=10)
    real = guesser.call("join", {"role": "participant", "code": setup.code}, timeout=10)
    assert wrong == real
    assert wrong["error"]["code"] == "session_not_found"

    # 30 failed look-ups a minute per address, shared: 2 above, 13 by HTTP, 15 by socket.
    for i in range(13):
        assert requests.get(f"{server.url}/j/QQQQ{i:02d}", timeout=5).status_code == 404
    for i in range(15):
        guess = guesser.call("join", {"role": "participant", "code": f"YYYY{i:02d}"}, timeout=10)
        assert guess["error"]["code"] == "session_not_found"

    # Both paths are now closed, for unknown and real codes alike.
    assert requests.get(f"{server.url}/j/QQQQ99", timeout=5).status_code == 429
    assert requests.get(f"{server.url}/j/{setup.code}", timeout=5).status_code == 429
    again_wrong = guesser.call("join", {"role": "participant", "code": "XXXXXX"}, timeout=10)
    again_real = guesser.call("join", {"role": "participant", "code": setup.code}, timeout=10)
    assert again_wrong == again_real
    assert again_wrong["error"]["code"] == "rate_limited"
    form = requests.post(f"{server.url}/join", data={"code": setup.code}, timeout=5)
    assert form.status_code == 429

    # A phone that joined before keeps working: a reload and a reconnect.
    holder.disconnect()
    rejoined = socketio.Client(http_session=holder.phone_http, reconnection=False)
    rejoined.connect(server.url, transports=["websocket"])
    assert rejoined.call("join", {"role": "participant", "code": setup.code}, timeout=10)["ok"]
    assert holder.phone_http.get(f"{server.url}/j/{setup.code}", timeout=5).status_code == 200
    rejoined.disconnect()
    guesser.disconnect()
    assert_clean_log(server)


# --- bad values on both databases ----------------------------------------------------


def test_bad_values_are_refused_or_cleaned_without_a_traceback(tmp_path, database_url):
    server = ServerProcess(tmp_path, database_url=database_url)
    server.start()
    try:
        setup = Setup(server.url)
        client, ack = phone(server.url, setup.code)
        column = ack["state"]["phase"]["settings"]["columns"][0]["id"]

        # NUL and other control characters are removed; the idea is stored.
        added = client.call(
            "idea.add",
            {"client_id": uuid.uuid4().hex, "text": f"a\x00b\x07c {SECRET_IDEA}", "column": column},
            timeout=10,
        )
        assert added["ok"], added
        assert added["idea"]["text"] == f"abc {SECRET_IDEA}"
        only_controls = client.call(
            "idea.add", {"client_id": uuid.uuid4().hex, "text": "\x00\x01", "column": column}
        )
        assert only_controls["error"]["code"] == "empty"
        lone_surrogate = client.call(
            "idea.add", {"client_id": uuid.uuid4().hex, "text": "x\ud800y", "column": column}
        )
        assert lone_surrogate["ok"] and lone_surrogate["idea"]["text"] == "xy"

        # Ids beyond PostgreSQL INTEGER (and SQLite's 2^63) are refused before a query.
        for bad_id in (2**31, 2**63, 2**70, 0, -1):
            answer = client.call("idea.delete", {"id": bad_id}, timeout=10)
            assert answer["error"]["code"] == "invalid", (bad_id, answer)
        vote = client.call(
            "vote.set", {"client_id": uuid.uuid4().hex, "item": f"idea:{2**40}", "count": 1}
        )
        assert vote["error"]["code"] == "invalid"
        for path in (f"/api/v1/sessions/{2**31}", f"/api/v1/sessions/{2**64}/export.json"):
            response = setup.http.get(server.url + path, timeout=10)
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
        patched = setup.http.patch(
            f"{server.url}/api/v1/sessions/{setup.id}/ideas/{added['idea']['id']}",
            json={"theme_id": 2**40},
            headers=setup.headers,
            timeout=10,
        )
        assert patched.status_code == 422 and patched.json()["error"]["code"] == "invalid"

        # Deeply nested JSON: refused cheaply, on the socket and in the API (before login too).
        nested = "[" * 50_000 + "]" * 50_000
        assert client.call("idea.add", {"text": [[[[[[[[["x"]]]]]]]]]}, timeout=10)["ok"] is False
        deep = "[" * 20_000 + "]" * 20_000  # within the 64 KiB message limit
        client.eio.send('2999["idea.add",' + deep + "]")
        assert client.call("sync", {}, timeout=10)["ok"]  # still served, not stalled
        for headers in (setup.headers, {}):
            http = setup.http if headers else requests.Session()
            response = http.post(
                f"{server.url}/api/v1/sessions",
                data=nested,
                headers={**headers, "Content-Type": "application/json"},
                timeout=10,
            )
            assert response.status_code in (401, 422), response.text[:200]
            assert response.json()["error"]["code"] in ("invalid", "unauthorized")

        # Library names and unknown events get a proper `invalid`; a fake disconnect
        # leaves the socket joined (it keeps receiving the session's events).
        for name in ("*", "disconnect", "connect", "no.such.event"):
            assert raw_call(client, name)["error"]["code"] == "invalid", name
        seen = threading.Event()
        client.on("idea.added", lambda payload: seen.set())
        other, _ = phone(server.url, setup.code)
        other.call("idea.add", {"client_id": uuid.uuid4().hex, "text": "toinen", "column": column})
        assert seen.wait(10), "the socket stopped receiving after a client-sent disconnect"
        assert client.call("sync", {}, timeout=10)["ok"]
        other.disconnect()
        client.disconnect()
    finally:
        server.stop()
    assert_clean_log(server)


def test_malformed_packets_are_counted_not_logged_one_by_one(server):
    client = socketio.Client(reconnection=False)
    client.connect(server.url, transports=["websocket"])
    for _ in range(50):
        client.eio.send('2["sync", {"unterminated')
        time.sleep(0.01)
    assert client.call("sync", {}, timeout=10)["error"]["code"] == "not_joined"
    client.disconnect()
    server.stop()
    log = server.log()
    assert "Traceback" not in log
    # At most a few lines about them, never one per packet.
    assert sum(1 for line in log.splitlines() if "malformed" in line.lower()) <= 5


# --- wall flooding -----------------------------------------------------------------


def test_fresh_phones_from_one_address_cannot_flood_the_wall(server):
    setup = Setup(server.url)
    phones = [phone(server.url, setup.code) for _ in range(25)]
    column = phones[0][1]["state"]["phase"]["settings"]["columns"][0]["id"]
    posted = []
    lock = threading.Lock()

    def post(client):
        for _ in range(20):
            ack = client.call(
                "idea.add", {"client_id": uuid.uuid4().hex, "text": "roskaa", "column": column}
            )
            with lock:
                posted.append(ack["ok"] or ack["error"]["code"])

    threads = [threading.Thread(target=post, args=(c,)) for c, _ in phones]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    elapsed = time.monotonic() - start
    ok = posted.count(True)
    # 25 phones x 20 (their cap) = 500 without the address budget: 150 at once, then 5 a second.
    assert ok <= 150 + 5 * elapsed + 5, (ok, elapsed)
    assert posted.count("rate_limited") == 500 - ok
    state = setup.http.get(f"{server.url}/api/v1/sessions/{setup.id}", timeout=10).json()
    assert sum(1 for idea in state["ideas"] if not idea.get("hidden")) == ok
    for client, _ in phones:
        client.disconnect()


# --- app level: honest pace never limited, cycling capped (both databases) ------------


class FakeClock:
    """Stands in for time.monotonic in the limiters so minutes pass in milliseconds."""

    def __init__(self):
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


def test_a_ward_behind_one_nat_at_a_lively_pace_never_meets_a_limit(
    app, facilitator, phone_factory, monkeypatch
):
    clock = FakeClock()
    monkeypatch.setattr(ratelimit, "clock", clock)
    session = facilitator.create_session()
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(40)]
    assert all(p.join_ack["ok"] for p in phones)
    # 200 ideas in 90 s from 40 phones on one address, votes and syncs in between.
    for i in range(200):
        clock.now += 90 / 200
        ward_phone = phones[i % 40]
        ack = ward_phone.add_idea(f"ajatus {i}", column)
        assert ack["ok"], (i, ack)
        assert ward_phone.emit("sync", {})["ok"]


def test_add_then_delete_cycling_is_capped(app, facilitator, phone_factory):
    # Only the cycling cap is under test here, not the event rate.
    app.config.update(SOCKET_EVENT_BURST=10**6, PARTICIPANT_EVENT_BURST=10**6)
    session = facilitator.create_session()
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    cap = state["phase"]["settings"]["max_ideas_per_person"]
    cycler = phone_factory(session["join_code"])
    refused = None
    for i in range(cap * 5):
        ack = cycler.add_idea(f"kierrätys {i}", column)
        if not ack["ok"]:
            refused = ack["error"]
            break
        assert cycler.emit("idea.delete", {"id": ack["idea"]["id"]})["ok"]
    assert refused is not None and refused["code"] == "too_many_deleted"
    assert refused["message"]
    with app.app_context():
        rows = db.session.scalar(db.select(db.func.count(Idea.id)))
    assert rows <= 2 * cap
    # Ideas still standing count as before: the cap itself is unchanged for honest use.
    fresh = phone_factory(session["join_code"])
    for i in range(cap):
        assert fresh.add_idea(f"oma {i}", column)["ok"]
    assert fresh.add_idea("yksi liikaa", column)["error"]["code"] == "too_many_ideas"


def test_forwarded_address_is_believed_only_from_a_trusted_proxy():
    environ = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    # No proxy configured: the header is the client's own claim and ignored.
    assert ratelimit.client_address(environ, "") == "10.0.0.5"
    # From the configured proxy: the right-most address not a proxy is the client's.
    assert ratelimit.client_address(environ, "10.0.0.0/8") == "198.51.100.7"
    assert ratelimit.client_address(environ, "10.0.0.0/8, 198.51.100.7") == "1.2.3.4"
    # A peer that is not the proxy cannot pass an address along.
    assert ratelimit.client_address({**environ, "REMOTE_ADDR": "8.8.8.8"}, "10.0.0.0/8") == (
        "8.8.8.8"
    )
    assert ratelimit.client_address({**environ, "HTTP_X_FORWARDED_FOR": "junk"}, "10.0.0.5") == (
        "10.0.0.5"
    )


def test_join_limit_keys_on_the_client_behind_the_proxy(app, client):
    app.config["TRUSTED_PROXIES"] = "127.0.0.1"
    app.config["JOIN_ATTEMPTS_PER_MINUTE"] = 3
    for _ in range(3):
        guess = client.get("/j/ZZZZZZ", headers={"X-Forwarded-For": "203.0.113.9"})
        assert guess.status_code == 404
    assert client.get("/j/ZZZZZZ", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    # Someone else behind the same proxy is not locked out.
    assert client.get("/j/ZZZZZZ", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 404


def test_closed_session_stops_accepting_joins_after_the_grace(
    app, facilitator, phone_factory, monkeypatch
):
    session = facilitator.create_session()
    facilitator.go_to(session["id"], "ideas")
    joined = phone_factory(session["join_code"])
    assert facilitator.api("POST", f"/sessions/{session['id']}/close").status_code == 200
    # Within the grace the phone reads the final state and new phones can still look.
    assert joined.emit("sync", {})["ok"]
    assert app.test_client().get(f"/j/{session['join_code']}").status_code == 200
    app.config["JOIN_GRACE_HOURS"] = 0
    time.sleep(0.01)
    assert app.test_client().get(f"/j/{session['join_code']}").status_code == 404
    late = joined.emit("join", {"role": "participant", "code": session["join_code"]})
    assert late["error"]["code"] == "session_not_found"
    # The code is retired: a new session may get it, and the old one is never found by it.
    from facilitator import operations as ops

    letters = iter(session["join_code"] * 2)
    monkeypatch.setattr(ops.secrets, "choice", lambda _alphabet: next(letters))
    reused = facilitator.create_session(title="Uusi")
    assert reused["join_code"] == session["join_code"]
    monkeypatch.undo()
    with app.app_context():
        assert ops.find_workshop_by_code(session["join_code"]).id == reused["id"]
    old = facilitator.api("GET", "/sessions?status=closed").get_json()["sessions"]
    assert [s["join_code"] for s in old if s["id"] == session["id"]] == [f"~{session['id']}"]
    # Reopened for corrections, the old session gets a fresh code of its own.
    assert facilitator.api("POST", f"/sessions/{session['id']}/reopen").status_code == 200
    again = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    assert again["session"]["join_code"] not in (session["join_code"], f"~{session['id']}")
