"""Export layout: agreed actions first as a table, localised dates and numbers, raw ideas last."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.test_live_loop import _assert_no_identifiers

# Dates and averages as each session language writes them (Babel: fi_FI, sv_FI, en_GB).
FORMATS = {
    "fi": {"date": "31.12.2026", "mean": "3,4", "status": "Tehty", "actions": "Sovitut"},
    "sv": {"date": "31.12.2026", "mean": "3,4", "status": "Klar", "actions": "Överenskomna"},
    "en": {"date": "31 Dec 2026", "mean": "3.4", "status": "Done", "actions": "Agreed actions"},
}


def create(facilitator, model_id: str, language: str) -> dict:
    """Create a session in a language and return it."""
    body = {"model_id": model_id, "title": "Osasto 5", "team_name": "Tiimi", "language": language}
    response = facilitator.api("POST", "/sessions", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add_action(facilitator, sid: int, **fields) -> dict:
    """Record an agreed action and return it."""
    body = {"client_id": uuid.uuid4().hex, "who": "", "first_step": "", **fields}
    response = facilitator.api("POST", f"/sessions/{sid}/actions", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["action"]


def exports(facilitator, sid: int) -> tuple[dict, str, str]:
    """Return the JSON, the Markdown and the printable page of a session."""
    data = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()
    md = facilitator.api("GET", f"/sessions/{sid}/export.md").get_data(as_text=True)
    page = facilitator.client.get(f"/sessions/{sid}/export").get_data(as_text=True)
    return data, md, page


def article(page: str) -> str:
    """Return the summary document of the printable page."""
    return page[page.index('<article class="summary-doc') : page.index("</article>")]


def md_table(md: str, text: str) -> list[list[str]]:
    """Return the rows (header first) of the Markdown table with a line holding some text."""
    lines = md.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("|") and text in line)
    while start > 0 and lines[start - 1].startswith("|"):
        start -= 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return [rows[0]] + rows[2:]


def test_actions_come_first_as_a_table_then_ranked_themes_then_raw_ideas(
    app, facilitator, phone_factory
):
    """A reader sees the agreed actions first, the most-voted theme next, raw ideas last."""
    session = create(facilitator, "keep-change-give-up", "fi")
    sid = session["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    state = facilitator.go_to(sid, "ideas")
    keep, change, _ = [c["id"] for c in state["phase"]["settings"]["columns"]]
    ids = [
        phones[0].add_idea("Aamupalaverit säilytetään", keep)["idea"]["id"],
        phones[1].add_idea("Vuorolistat ajoissa", change)["idea"]["id"],
        phones[2].add_idea("Raportointi paperille pois", change)["idea"]["id"],
    ]
    group = facilitator.go_to(sid, "group")["phase"]["id"]
    themes = {}
    # Both themes hold "change" ideas: the revised template votes on change and give up only.
    for title, idea in (("Palaverit", ids[2]), ("Työvuorot", ids[1])):
        r = facilitator.api("POST", f"/sessions/{sid}/themes", {"title": title, "phase_id": group})
        themes[title] = r.get_json()["theme"]["id"]
        facilitator.api("PATCH", f"/sessions/{sid}/ideas/{idea}", {"theme_id": themes[title]})
    facilitator.go_to(sid, "vote")
    for phone in phones:
        ack = phone.emit(
            "vote.set",
            {"client_id": uuid.uuid4().hex, "item": f"theme:{themes['Työvuorot']}", "count": 2},
        )
        assert ack["ok"], ack
    first = add_action(
        facilitator,
        sid,
        what="Vuorolistat julki",
        who="Osastonhoitaja",
        due="2026-12-31",
        first_step="Sovitaan tekijät",
        follow_up="2027-01-15",
    )
    add_action(facilitator, sid, what="Palaverit 10 minuuttiin", who="Kaikki")
    facilitator.api("PATCH", f"/sessions/{sid}/actions/{first['id']}", {"status": "done"})

    data, md, page = exports(facilitator, sid)
    doc = article(page)

    # Markdown: actions table (with status) before the themes, themes before the appendix.
    table = md_table(md, "Tila")
    assert table[0][1:] == [
        "Mitä",
        "Kuka",
        "Mihin mennessä",
        "Ensimmäinen askel",
        "Seuranta",
        "Tila",
    ]
    assert table[1][1:] == [
        "Vuorolistat julki",
        "Osastonhoitaja",
        "31.12.2026",
        "Sovitaan tekijät",
        "15.1.2027",
        "Tehty",
    ]
    assert table[2][1] == "Palaverit 10 minuuttiin" and table[2][-1] == "Tekemättä"
    # The winning theme (6 votes) is ranked first with its count, its ideas under it.
    winner = re.search(r"^### 1\. Työvuorot — 6 \S+$", md, re.M)
    runner_up = re.search(r"^### 2\. Palaverit — 0 \S+$", md, re.M)
    assert winner and runner_up
    assert md.index("| Vuorolistat julki |") < winner.start() < runner_up.start()
    assert winner.start() < md.index("- Vuorolistat ajoissa") < runner_up.start()
    # The raw ideas come last, by column, after every theme and the ungrouped idea.
    appendix = md.index("#### Säilytä")
    assert md.index("- Raportointi paperille pois") < appendix
    assert "- Aamupalaverit säilytetään" in md[appendix:] and "#### Muuta" in md[appendix:]

    # HTML: the same order; the actions are a real table with a status column.
    assert (
        doc.index('<table class="actions-table">')
        < doc.index("Työvuorot")
        < doc.index('id="appendix"')
    )
    rows = re.findall(r"<tr>(.*?)</tr>", doc[: doc.index("</table>")], re.S)
    assert "Tila" in rows[0] and 'scope="col"' in rows[0]
    assert "Vuorolistat julki" in rows[1] and "31.12.2026" in rows[1] and "Tehty" in rows[1]
    assert "Tekemättä" in rows[2]

    # JSON keeps ISO dates and the status code.
    assert data["actions"][0]["due"] == "2026-12-31" and data["actions"][0]["status"] == "done"
    _assert_no_identifiers(app, json.dumps(data) + md + page, phones)


def rated_session(facilitator, phone_factory, language: str) -> int:
    """Return a session where five people rated a statement 3, 3, 3, 4, 4 (mean 3.4)."""
    session = create(facilitator, "sytyttaja", language)
    phones = [phone_factory(session["join_code"]) for _ in range(5)]
    state = facilitator.go_to(session["id"], "rate")
    statement = state["rate"]["statements"][0]["id"]
    for phone, value in zip(phones, (3, 3, 3, 4, 4), strict=True):
        ack = phone.emit(
            "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": value}
        )
        assert ack["ok"], ack
    add_action(facilitator, session["id"], what="Kahvitauot", due="2026-12-31")
    return session["id"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_dates_and_numbers_follow_the_session_language(facilitator, phone_factory, language):
    """31.12.2026 and 3,4 in Finnish and Swedish, 31 Dec 2026 and 3.4 in English; JSON stays ISO."""
    sid = rated_session(facilitator, phone_factory, language)
    data, md, page = exports(facilitator, sid)
    expected = FORMATS[language]
    doc = article(page)
    rated = next(p for p in data["phases"] if p["kind"] == "rate")
    statement = rated["statements"][0]["text"]
    # The average sits in the statement's row of the rating table, five answers beside it.
    row = next(cells for cells in md_table(md, statement)[1:] if cells[0] == statement)
    assert row[1:3] == ["5", expected["mean"]]
    html_row = re.search(r"<tr>\s*<th scope=\"row\">([^<]*)</th>(.*?)</tr>", doc, re.S)
    assert html_row and html_row.group(1) == statement
    assert f'<td class="num">{expected["mean"]}</td>' in html_row.group(2)
    # The due date in the actions table, in both.
    action_row = next(line for line in md.splitlines() if line.startswith("| 1 | Kahvitauot"))
    assert f"| {expected['date']} |" in action_row
    assert f'<td class="col-date">{expected["date"]}</td>' in doc
    assert expected["actions"] in md and expected["actions"] in doc
    assert "2026-12-31" not in md and "2026-12-31" not in doc
    # The JSON keeps ISO dates and plain numbers.
    assert rated["statements"][0]["mean"] == 3.4
    assert data["actions"][0]["due"] == "2026-12-31"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", data["session"]["date"])


def test_participant_text_in_the_actions_table_stays_text(facilitator):
    """Pipes, Markdown and HTML typed into an action cannot break the table or inject markup."""
    session = create(facilitator, "keep-change-give-up", "fi")
    what = "Lista | tauot <b>heti</b> **nyt** [x](javascript:alert(1))"
    add_action(facilitator, session["id"], what=what, who="<script>alert(1)</script>")
    _, md, page = exports(facilitator, session["id"])
    table = md_table(md, "Tila")
    assert len(table[1]) == 7
    assert table[1][1] == r"Lista \| tauot \<b\>heti\</b\> \*\*nyt\*\* \[x\](javascript:alert(1))"
    assert table[1][2] == r"\<script\>alert(1)\</script\>"
    doc = article(page)
    assert "<b>heti</b>" not in doc and "<script>" not in doc and "href=" not in doc
    assert "Lista | tauot &lt;b&gt;heti&lt;/b&gt; **nyt**" in doc
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
