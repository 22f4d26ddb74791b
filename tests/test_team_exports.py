"""Team follow-up files: the calendar (file and feed behind the team link), CSV for Excel
in a Finnish locale, XLSX, and the posters."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tests.conftest import FacilitatorClient


@pytest.fixture
def other(app):
    return FacilitatorClient(app, app.test_client(), email="toinen@example.fi")


def make_team(fac, name="Osasto 5") -> dict:
    r = fac.api("POST", "/teams", {"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["team"]


def session_in(fac, team_id: int, title: str, language: str = "fi") -> dict:
    r = fac.api(
        "POST",
        "/sessions",
        {
            "model_id": "keep-change-give-up",
            "title": title,
            "team_id": team_id,
            "language": language,
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def add_action(fac, session_id: int, what: str, **fields) -> dict:
    body = {"client_id": uuid.uuid4().hex, "what": what, **fields}
    r = fac.api("POST", f"/sessions/{session_id}/actions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["action"]


def rotate(fac, team_id: int) -> str:
    r = fac.api("POST", f"/teams/{team_id}/link")
    assert r.status_code == 201
    return r.get_json()["link"]["secret"]


@pytest.fixture
def team_with_items(facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"], "Kevät")
    a = add_action(
        facilitator,
        session["id"],
        "Vuorolistat julki kolme viikkoa etukäteen",
        who="Osastonhoitaja",
        due="2026-12-31",
        first_step="Sovitaan listan tekijät",
        follow_up="2027-01-15",
    )
    b = add_action(
        facilitator,
        session["id"],
        '=HYPERLINK("http://evil.example";"klikkaa")',
        who="+358 40 123",
        due="2027-02-01",
    )
    c = add_action(facilitator, session["id"], "Taukohuoneen siivous", due="2027-03-01")
    facilitator.api(
        "PATCH", f"/teams/{team['id']}/items/{c['id']}", {"version": 1, "status": "done"}
    )
    return team, session, (a, b, c)


def test_calendar_file_parses_with_stable_uids(facilitator, team_with_items):
    team, _session, (a, b, c) = team_with_items
    r = facilitator.client.get(f"/teams/{team['id']}/calendar.ics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    cal = Calendar.from_ical(r.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    # Open items only: a's due and follow-up, b's due; the done item is not there.
    by_uid = {str(e["UID"]): e for e in events}
    assert sorted(by_uid) == sorted(
        [
            f"item-{a['id']}-due@facilitator",
            f"item-{a['id']}-follow-up@facilitator",
            f"item-{b['id']}-due@facilitator",
        ]
    )
    due = by_uid[f"item-{a['id']}-due@facilitator"]
    # All-day: a DATE, not a DATE-TIME, ending the next day.
    assert due["DTSTART"].dt == date(2026, 12, 31) and due["DTEND"].dt == date(2027, 1, 1)
    assert "VALUE=DATE" in due.to_ical().decode().replace("\r\n ", "")
    # The team's language (its sessions are Finnish).
    assert str(due["SUMMARY"]) == "Määräaika: Vuorolistat julki kolme viikkoa etukäteen" or str(
        due["SUMMARY"]
    ).endswith("Vuorolistat julki kolme viikkoa etukäteen")
    follow = by_uid[f"item-{a['id']}-follow-up@facilitator"]
    assert follow["DTSTART"].dt == date(2027, 1, 15)
    # Downloading again gives the same UIDs (calendar apps update, not duplicate);
    # an update raises the SEQUENCE.
    facilitator.api(
        "PATCH", f"/teams/{team['id']}/items/{a['id']}", {"version": 1, "status": "in_progress"}
    )
    again = Calendar.from_ical(facilitator.client.get(f"/teams/{team['id']}/calendar.ics").data)
    again_uids = {str(e["UID"]): e for e in again.walk("VEVENT")}
    assert set(again_uids) == set(by_uid)
    assert int(again_uids[f"item-{a['id']}-due@facilitator"]["SEQUENCE"]) == 2
    # Nothing about participants: no participant, token or client id.
    text = r.data.decode()
    assert a["id"] and "client" not in text.lower() and "participant" not in text.lower()


def test_calendar_feed_behind_the_team_link(app, facilitator, other, team_with_items):
    team, _session, (a, _b, _c) = team_with_items
    # No link yet; an unknown or made-up secret is refused.
    phone = app.test_client()
    assert phone.get("/t/fat_nope/calendar.ics").status_code == 404
    secret = rotate(facilitator, team["id"])
    r = phone.get(f"/t/{secret}/calendar.ics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Disposition"].startswith("inline;")
    events = Calendar.from_ical(r.data).walk("VEVENT")
    assert f"item-{a['id']}-due@facilitator" in {str(e["UID"]) for e in events}
    # Rotating ends the old feed at once (like the team page), the new one works.
    new_secret = rotate(facilitator, team["id"])
    gone = phone.get(f"/t/{secret}/calendar.ics")
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "link_revoked"
    assert phone.get(f"/t/{secret}").status_code == 404
    assert phone.get(f"/t/{new_secret}/calendar.ics").status_code == 200
    facilitator.api("DELETE", f"/teams/{team['id']}/link")
    assert phone.get(f"/t/{new_secret}/calendar.ics").status_code == 404
    # The facilitator download is for the team's facilitators only.
    assert other.client.get(f"/teams/{team['id']}/calendar.ics").status_code == 404
    assert app.test_client().get(f"/teams/{team['id']}/calendar.ics").status_code in (302, 401)


def test_csv_for_finnish_excel(facilitator, team_with_items):
    team, _session, (a, b, c) = team_with_items
    r = facilitator.client.get(f"/teams/{team['id']}/items.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == f'attachment; filename="team-{team["id"]}-items.csv"'
    raw = r.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads ä and ö right
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert len(header) == 11 and all(header)
    body = rows[1:]
    assert len(body) == 3
    first = body[0]
    assert "Vuorolistat julki kolme viikkoa etukäteen" in first
    assert "31.12.2026" in first and "15.1.2027" in first  # Finnish dates
    assert "Osastonhoitaja" in first and "Sovitaan listan tekijät" in first
    # Formula injection: the cells starting with = and + are prefixed with '.
    second = body[1]
    assert second[1] == '\'=HYPERLINK("http://evil.example";"klikkaa")'
    assert second[2] == "'+358 40 123"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    # A reader that guesses the dialect finds the semicolon.
    assert csv.Sniffer().sniff(text[:4000], delimiters=";,").delimiter == ";"
    # The excel dialect (comma) splits nothing right: the file is semicolon-separated.
    assert len(next(csv.reader(io.StringIO(text)))) < len(header)
    # Header in the reader's language: English when the account asks for it.
    facilitator.client.get("/lang/en")
    english = facilitator.client.get(f"/teams/{team['id']}/items.csv").data.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Kind;What;Who;By when;First step")


def test_xlsx_read_back_with_openpyxl(facilitator, team_with_items):
    team, _session, (a, b, c) = team_with_items
    facilitator.client.get("/lang/en")
    r = facilitator.client.get(f"/teams/{team['id']}/items.xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(r.data))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Kind", "What", "Who", "By when"]
    assert "Last update" in header and "Source session" in header
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    assert sheet.max_row == 4
    assert sheet.column_dimensions["B"].width >= 40
    due_col = header.index("By when") + 1
    cell = sheet.cell(row=2, column=due_col)
    assert cell.is_date and cell.value.date() == date(2026, 12, 31)
    assert cell.number_format == "d.m.yyyy"
    updated = sheet.cell(row=2, column=header.index("Last update") + 1)
    assert updated.is_date
    # A text that looks like a formula stays text.
    evil = sheet.cell(row=3, column=2)
    assert evil.data_type == "s" and evil.value.startswith("=HYPERLINK")
    assert sheet.cell(row=4, column=header.index("Status") + 1).value == "Done"


def test_posters(app, facilitator, team_with_items):
    team, session, _items = team_with_items
    add_rule = facilitator.client.get(f"/teams/{team['id']}/poster")
    assert add_rule.status_code == 200
    html = add_rule.get_data(as_text=True)
    assert "Vuorolistat julki kolme viikkoa etukäteen" in html
    assert "Taukohuoneen siivous" not in html  # done: not on the poster
    assert "data:image/svg+xml" not in html  # no secret known here
    secret = rotate(facilitator, team["id"])
    phone = app.test_client()
    poster = phone.get(f"/t/{secret}/poster")
    assert poster.status_code == 200 and poster.headers["Cache-Control"] == "no-store"
    assert "data:image/svg+xml;base64," in poster.get_data(as_text=True)
    member = phone.get(f"/t/{secret}").get_data(as_text=True)
    for path in ("/calendar.ics", "/poster", "/qr-poster"):
        assert f'href="/t/{secret}{path}"' in member
    qr = phone.get(f"/t/{secret}/qr-poster")
    assert qr.status_code == 200 and secret in qr.get_data(as_text=True)
    # The team page offers the files and, right after making a link, the feed and posters.
    page = facilitator.client.post(
        f"/teams/{team['id']}/link", data={"csrf_token": facilitator.csrf}
    ).get_data(as_text=True)
    assert "/calendar.ics" in page and "/qr-poster" in page and "items.xlsx" in page
    facilitator.api("DELETE", f"/teams/{team['id']}/link")
    assert phone.get(f"/t/{secret}/poster").status_code == 404
    assert phone.get(f"/t/{secret}/qr-poster").status_code == 404


def test_session_export_gains_a_follow_up_section(app, facilitator, team_with_items):
    team, session, (a, _b, _c) = team_with_items
    secret = rotate(facilitator, team["id"])
    phone = app.test_client()
    page = phone.get(f"/t/{secret}").get_data(as_text=True)
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    r = phone.post(
        f"/t/{secret}/items/{a['id']}",
        json={"version": 1, "status": "in_progress", "note": "Pohja tehty"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200, r.get_json()
    # A later session of the team carries the item forward.
    later = session_in(facilitator, team["id"], "Syksy")
    carried = add_action(facilitator, later["id"], "Vuorolistat julki (jatkuu)")
    from facilitator.extensions import db
    from facilitator.models import Action

    with app.app_context():
        row = db.session.get(Action, carried["id"])
        if not hasattr(row, "carried_from_id"):
            pytest.skip("no carried_from_id column yet")
        row.carried_from_id = a["id"]
        db.session.commit()
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    follow = data["follow_up"]
    assert follow["team"] == "Osasto 5"
    first = next(i for i in follow["items"] if i["id"] == a["id"])
    assert first["status"] == "in_progress"
    assert [(h["who"], h["from"], h["to"], h["note"]) for h in first["history"]] == [
        (None, "open", "in_progress", "Pohja tehty")
    ]
    assert [(c["id"], c["session"]["title"]) for c in first["carried"]] == [
        (carried["id"], "Syksy")
    ]
    assert "participant" not in str(follow) and "client_id" not in str(follow)
    md = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "Pohja tehty" in md and "Syksy" in md
    printable = facilitator.client.get(f"/sessions/{session['id']}/export").get_data(as_text=True)
    assert "report-follow-up" in printable and "Pohja tehty" in printable
    # A session without a team has none.
    plain = facilitator.create_session()
    assert (
        facilitator.api("GET", f"/sessions/{plain['id']}/export.json").get_json()["follow_up"]
        is None
    )
