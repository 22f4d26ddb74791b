"""Proofs of the follow-up issue that the other team tests leave open:

- two (or six) people updating the same item at the very same moment: exactly one update
  wins, every other gets `409 stale` with the current item, and the history holds exactly
  the winner (run in threads against the same database, SQLite and PostgreSQL);
- the CSV read back with the csv module in both dialects a reader meets: the declared one
  (Excel in a Finnish locale: `;`, `\\r\\n`, minimal quoting) and the one `csv.Sniffer`
  guesses from the file, giving the same rows, with semicolons, quotes, line breaks and
  Finnish letters in the texts coming back unchanged;
- the calendar parsed back with the icalendar library: texts with `;`, `,` and line
  breaks come back unchanged, an experiment's date is there and a ground rule (no date)
  is not.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import uuid
from datetime import date

from icalendar import Calendar

TRICKY = 'Kahvihuone; "siisti" pöytä,\nja ääkköset: åäö'


def make_team(fac, name="Osasto 7") -> dict:
    r = fac.api("POST", "/teams", {"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["team"]


def session_in(fac, team_id: int, model_id: str = "keep-change-give-up") -> dict:
    body = {"model_id": model_id, "title": "Syksy", "team_id": team_id, "language": "fi"}
    r = fac.api("POST", "/sessions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def add_item(fac, session_id: int, what: str, **fields) -> dict:
    body = {"client_id": uuid.uuid4().hex, "what": what, **fields}
    r = fac.api("POST", f"/sessions/{session_id}/actions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["action"]


def member(app, secret: str):
    """A phone with the team link open: its client and the page's CSRF token."""
    phone = app.test_client()
    page = phone.get(f"/t/{secret}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return phone, re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


# --- concurrent updates -----------------------------------------------------------


def test_simultaneous_updates_from_one_version_one_wins_the_rest_get_stale(app, facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"])
    item = add_item(facilitator, session["id"], "Perehdytyskansio ajan tasalle")
    link = facilitator.api("POST", f"/teams/{team['id']}/link").get_json()["link"]["secret"]
    phones = [member(app, link) for _ in range(6)]
    statuses = ["done", "in_progress", "dropped", "done", "in_progress", "done"]
    barrier = threading.Barrier(len(phones))
    answers: list = [None] * len(phones)

    def update(n: int) -> None:
        phone, csrf = phones[n]
        body = {"version": 1, "status": statuses[n], "note": f"päivitys {n}"}
        barrier.wait()
        r = phone.post(f"/t/{link}/items/{item['id']}", json=body, headers={"X-CSRFToken": csrf})
        answers[n] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=update, args=(n,)) for n in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(code for code, _body in answers)
    assert codes == [200] + [409] * (len(phones) - 1), answers
    winner = next(n for n, (code, _b) in enumerate(answers) if code == 200)
    won = answers[winner][1]["item"]
    assert won["version"] == 2 and won["status"] == statuses[winner]
    for code, body in answers:
        if code == 409:
            # A clear message and the current version, so the phone can show it and retry.
            assert body["error"]["code"] == "stale" and body["error"]["message"]
            assert body["item"]["version"] >= 2
    # Nothing was lost silently: the history holds exactly the one update that was made.
    r = facilitator.api("GET", f"/teams/{team['id']}/board")
    current = next(i for i in r.get_json()["items"] if i["id"] == item["id"])
    assert current["version"] == 2 and current["status"] == statuses[winner]
    assert [h["note"] for h in current["history"]] == [f"päivitys {winner}"]
    # A loser retries from the version it was given, and that works.
    loser = next(n for n, (code, _b) in enumerate(answers) if code == 409)
    phone, csrf = phones[loser]
    r = phone.post(
        f"/t/{link}/items/{item['id']}",
        json={"version": 2, "status": "in_progress", "note": "uudestaan"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200 and r.get_json()["item"]["version"] == 3


def test_facilitator_and_member_at_once(app, facilitator):
    """The facilitator's board (PATCH) and a member's phone (POST) race from version 1."""
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"])
    item = add_item(facilitator, session["id"], "Vuorolistat ajoissa")
    link = facilitator.api("POST", f"/teams/{team['id']}/link").get_json()["link"]["secret"]
    phone, csrf = member(app, link)
    barrier = threading.Barrier(2)
    answers: dict = {}

    def by_facilitator() -> None:
        barrier.wait()
        path = f"/teams/{team['id']}/items/{item['id']}"
        answers["facilitator"] = facilitator.api("PATCH", path, {"version": 1, "status": "done"})

    def by_member() -> None:
        barrier.wait()
        answers["member"] = phone.post(
            f"/t/{link}/items/{item['id']}",
            json={"version": 1, "status": "in_progress"},
            headers={"X-CSRFToken": csrf},
        )

    threads = [threading.Thread(target=by_facilitator), threading.Thread(target=by_member)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], {k: r.get_json() for k, r in answers.items()}
    stale = next(r for r in answers.values() if r.status_code == 409).get_json()
    fresh = next(r for r in answers.values() if r.status_code == 200).get_json()
    assert stale["item"]["status"] == fresh["item"]["status"]
    assert stale["item"]["version"] == fresh["item"]["version"] == 2


# --- CSV in both dialects ------------------------------------------------------------


class FinnishExcel(csv.excel):
    """The dialect the file declares in docs/api.md: Excel in a Finnish locale."""

    delimiter = ";"
    lineterminator = "\r\n"


def test_csv_reads_back_the_same_in_both_dialects(facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"])
    add_item(
        facilitator,
        session["id"],
        TRICKY,
        who='Osastonhoitaja; "Maija"',
        due="2027-01-05",
        first_step="Rivi 1\nRivi 2",
        follow_up="2027-02-28",
    )
    plain = add_item(facilitator, session["id"], "Taukojen vuorot", due="2027-03-10")
    link_path = f"/teams/{team['id']}/items/{plain['id']}"
    r = facilitator.api("PATCH", link_path, {"version": 1, "status": "done", "note": "Tehty; ok"})
    assert r.status_code == 200

    for lang in ("fi", "en"):
        facilitator.client.get(f"/lang/{lang}")
        raw = facilitator.client.get(f"/teams/{team['id']}/items.csv").data
        assert raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        declared = list(csv.reader(io.StringIO(text, newline=""), dialect=FinnishExcel))
        sniffed_dialect = csv.Sniffer().sniff(text[:4000], delimiters=";,")
        sniffed = list(csv.reader(io.StringIO(text, newline=""), dialect=sniffed_dialect))
        assert sniffed_dialect.delimiter == ";"
        assert declared == sniffed, lang
        # DictReader with the declared dialect: one row per item, every row as wide.
        header, *rows = declared
        assert len(rows) == 2 and {len(r) for r in declared} == {len(header)}
        first, second = rows
        assert TRICKY in first  # semicolon, quotes, line break and åäö unchanged
        assert 'Osastonhoitaja; "Maija"' in first and "Rivi 1\nRivi 2" in first
        assert "5.1.2027" in first and "28.2.2027" in first
        assert "Taukojen vuorot" in second and "Tehty; ok" in second and "10.3.2027" in second
        # Written back with the same dialect, the file is byte for byte what was served.
        out = io.StringIO(newline="")
        csv.writer(out, dialect=FinnishExcel).writerows(declared)
        assert out.getvalue() == text
    assert header[:2] == ["Kind", "What"]  # the last round was English


# --- the calendar ----------------------------------------------------------------------


def test_calendar_texts_and_kinds_round_trip(facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"], "dynamo-tapaaminen")
    action = add_item(facilitator, session["id"], TRICKY, due="2027-01-05", follow_up="2027-02-01")
    experiment = add_item(
        facilitator,
        session["id"],
        "Seisova aamupalaveri",
        item_kind="experiment",
        why="Lyhyempi palaveri",
        due="2027-01-20",
    )
    other = session_in(facilitator, team["id"], "pelisaannot-laadinta")
    rule = add_item(
        facilitator,
        other["id"],
        "Vastaamme viesteihin saman päivän aikana",
        item_kind="ground_rule",
    )
    assert rule["item_kind"] == "ground_rule"
    cal = Calendar.from_ical(facilitator.client.get(f"/teams/{team['id']}/calendar.ics").data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    due = events[f"item-{action['id']}-due@facilitator"]
    assert str(due["SUMMARY"]).endswith(TRICKY)
    assert due["DTSTART"].dt == date(2027, 1, 5)
    assert events[f"item-{action['id']}-follow-up@facilitator"]["DTSTART"].dt == date(2027, 2, 1)
    tried = events[f"item-{experiment['id']}-due@facilitator"]
    assert tried["DTSTART"].dt == date(2027, 1, 20)
    assert "Seisova aamupalaveri" in str(tried["SUMMARY"])
    # A ground rule has no date: nothing of it in the calendar.
    assert not any(f"item-{rule['id']}-" in uid for uid in events)
    # Every event is all-day and parses back to a date (not a date-time).
    assert all(type(e["DTSTART"].dt) is date for e in events.values())
