"""The classify kind end to end, and what one phase hands to the next (issue 7, part 3).

A facilitator and several phones through the Flask-SocketIO test client: phones place
tasks into categories (set semantics, retries harmless), the distribution shows only
from five answers, the facilitator sets a final category; then a vote on the items of
some categories, an ideas phase whose columns are the vote's winners, a banner, a vote
restricted to some columns, actions from a classify phase with their source item, and
the export grouping actions by item.
"""

from __future__ import annotations

import copy
import shutil
import uuid
from pathlib import Path

import pytest
import yaml

from facilitator.extensions import socketio
from facilitator.workshop_models import ModelFileError, load_model_file

TEMPLATE = {
    "id": "sorting",
    "version": 1,
    "title": "Kiireen hallinta",
    "description": "Tehtävien luokittelu",
    "phases": [
        {
            "id": "tasks",
            "kind": "ideas",
            "title": "Tehtävät",
            "prompt": "Mitä teet?",
            "minutes": 10,
            "settings": {
                "columns": [
                    {"id": "keep", "title": "Säilytä"},
                    {"id": "change", "title": "Muuta"},
                    {"id": "give-up", "title": "Luovu"},
                ]
            },
        },
        {
            "id": "sort",
            "kind": "classify",
            "title": "Luokittelu",
            "prompt": "Mihin ryhmään tehtävä kuuluu?",
            "minutes": 10,
            "settings": {
                "source": "tasks",
                "categories": [
                    {"id": "central", "title": {"fi": "Keskeinen", "sv": "Central"}},
                    {"id": "unnecessary", "title": "Tarpeeton"},
                    {"id": "unsuitable", "title": "Sopimaton"},
                ],
            },
        },
        {
            "id": "pick",
            "kind": "vote",
            "title": "Mihin tartutaan?",
            "prompt": "Valitse",
            "minutes": 5,
            "settings": {
                "source": "sort",
                "categories": ["unnecessary", "unsuitable"],
                "budget": 2,
                "show_results": "live",
            },
        },
        {
            "id": "ease",
            "kind": "ideas",
            "title": "Keinot",
            "prompt": "Miten kevennetään?",
            "minutes": 10,
            "banner": {"phase": "sort", "categories": ["unnecessary"]},
            "settings": {"columns_from": {"phase": "pick", "top": 2}},
        },
        {
            "id": "not-keep",
            "kind": "vote",
            "title": "Ei säilytettäviä",
            "prompt": "Valitse",
            "minutes": 5,
            "settings": {"source": "tasks", "columns": ["change", "give-up"]},
        },
        {
            "id": "act",
            "kind": "actions",
            "title": "Sovitut teot",
            "prompt": "Sovitaan",
            "minutes": 10,
            "banner": "pick",
            "settings": {"source": "sort", "categories": ["unnecessary"]},
        },
        {"id": "summary", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
    ],
}


@pytest.fixture
def sorting_app(app, tmp_path):
    """Return the app with the sorting template beside the shipped ones."""
    models = tmp_path / "models"
    shutil.copytree(Path(app.config["MODELS_DIR"]), models)
    (models / "sorting.yaml").write_text(yaml.safe_dump(TEMPLATE, allow_unicode=True))
    app.config["MODELS_DIR"] = str(models)
    app.extensions.pop("workshop_models", None)
    return app


def screen(app, http_client, session_id: int, role: str):
    """Return a facilitator or projector socket joined to a session."""
    sio = socketio.test_client(app, flask_test_client=http_client)
    ack = sio.emit("join", {"role": role, "session_id": session_id}, callback=True)
    assert ack["ok"], ack
    sio.get_received()
    return sio


def go_to(facilitator, sid: int, phase_id: str) -> dict:
    """Move the session to a phase by id and return the facilitator state."""
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    if state["session"]["status"] == "upcoming":
        facilitator.api("POST", f"/sessions/{sid}/start")
    index = next(p["index"] for p in state["phases"] if p["id"] == phase_id)
    response = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": index})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def place(phone, item: str, category: str | None, client_id: str | None = None) -> dict:
    """Send classify.set and return the ack."""
    payload = {"client_id": client_id or uuid.uuid4().hex, "item": item, "category": category}
    return phone.emit("classify.set", payload)


def results_of(sio) -> list[dict]:
    """Return the classify.results payloads a socket received since last asked."""
    return [e["args"][0] for e in sio.get_received() if e["name"] == "classify.results"]


@pytest.fixture
def sorting(sorting_app, facilitator, phone_factory):
    """A live sorting session in its classify phase: (sid, phones, item keys by text)."""
    session = facilitator.create_session("sorting")
    sid = session["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(6)]
    go_to(facilitator, sid, "tasks")
    for phone, (text, column) in zip(
        phones,
        [("Raportointi", "change"), ("Palaverit", "give-up"), ("Asiakastyö", "keep")],
        strict=False,
    ):
        assert phone.add_idea(text, column)["ok"]
    state = go_to(facilitator, sid, "sort")
    keys = {item["title"]: item["key"] for item in state["classify"]["items"]}
    assert set(keys) == {"Raportointi", "Palaverit", "Asiakastyö"}
    for phone in phones:
        phone.received()
    return sid, phones, keys


def test_classify_writes_retries_threshold_and_reveal(sorting, sorting_app, facilitator):
    sid, phones, keys = sorting
    projector = screen(sorting_app, facilitator.client, sid, "projector")
    control = screen(sorting_app, facilitator.client, sid, "facilitator")
    report = keys["Raportointi"]

    snap = phones[0].emit("sync")["state"]
    assert [c["id"] for c in snap["classify"]["categories"]] == [
        "central",
        "unnecessary",
        "unsuitable",
    ]
    assert snap["classify"]["my_choices"] == {}

    # A retry with the same client id, and a second placement of the same item, keep one
    # answer per person and item: the last one.
    client_id = uuid.uuid4().hex
    assert place(phones[0], report, "central", client_id)["my_choices"] == {report: "central"}
    assert place(phones[0], report, "central", client_id)["ok"]
    ack = place(phones[0], report, "unnecessary")
    assert ack == {"ok": True, "my_choices": {report: "unnecessary"}}
    # Taking it out again, then putting it back.
    assert place(phones[0], report, None)["my_choices"] == {}
    assert place(phones[0], report, "unnecessary")["ok"]

    # Four answers: counts and progress only, no distribution and no agreement marker.
    for phone in phones[1:4]:
        assert place(phone, report, "unnecessary")["ok"]
    live = results_of(control)[-1]
    row = next(r for r in live["results"] if r["key"] == report)
    assert (row["responses"], row["distribution"], row["agreed"]) == (4, None, None)
    # The room hears how many answered, never the results before input closes.
    last = results_of(projector)[-1]
    assert (last["results"], last["classifiers"], last["revealed"]) == (None, 4, False)
    assert phones[5].emit("sync")["state"]["classify"]["results"] is None

    # The fifth answer reveals the distribution (to the facilitator while input is open).
    assert place(phones[4], report, "central")["ok"]
    row = next(r for r in results_of(control)[-1]["results"] if r["key"] == report)
    assert row["responses"] == 5
    assert row["distribution"] == {"central": 1, "unnecessary": 4, "unsuitable": 0}
    assert row["agreed"] == "unnecessary"  # 4/5 = 0.8 >= 0.6

    # Closing input is the reveal for the room.
    assert facilitator.api("POST", f"/sessions/{sid}/input", {"open": False}).status_code == 200
    room = projector.emit("sync", {}, callback=True)["state"]["classify"]
    assert room["revealed"] is True
    assert next(r for r in room["results"] if r["key"] == report)["agreed"] == "unnecessary"
    assert place(phones[5], report, "central")["error"]["code"] == "phase_closed"
    # Nothing identifying in what the room sees.
    assert "participant" not in str(room["results"])
    for sio in (projector, control):
        sio.disconnect()


def test_classify_refuses_foreign_items_bad_categories_and_out_of_phase(
    sorting, sorting_app, facilitator, phone_factory
):
    sid, phones, keys = sorting
    # Another session's idea is not an item here.
    other = facilitator.create_session("sorting")
    stranger = phone_factory(other["join_code"])
    go_to(facilitator, other["id"], "tasks")
    foreign_id = stranger.add_idea("Vieras", "keep")["idea"]["id"]
    go_to(facilitator, other["id"], "sort")
    assert place(phones[0], f"idea:{foreign_id}", "central")["error"]["code"] == "not_found"
    assert place(phones[0], "idea:2147483647", "central")["error"]["code"] == "not_found"
    assert place(phones[0], "idea:2147483648", "central")["error"]["code"] == "invalid"
    assert place(phones[0], keys["Palaverit"], "no-such")["error"]["code"] == "not_found"
    assert place(phones[0], keys["Palaverit"], "Central!")["error"]["code"] == "invalid"
    assert phones[0].emit("classify.set", {"item": keys["Palaverit"]})["error"]["code"] == (
        "invalid"
    )
    # The phone of the other session, in its own classify phase, cannot place ours.
    assert place(stranger, keys["Palaverit"], "central")["error"]["code"] == "not_found"
    # Out of phase: in the ideas phase nothing can be classified.
    go_to(facilitator, sid, "tasks")
    assert place(phones[0], keys["Palaverit"], "central")["error"]["code"] == "wrong_phase"
    # A facilitator's socket is not a phone.
    control = screen(sorting_app, facilitator.client, sid, "facilitator")
    ack = control.emit(
        "classify.set",
        {"client_id": uuid.uuid4().hex, "item": keys["Palaverit"], "category": "central"},
        callback=True,
    )
    assert ack["error"]["code"] == "forbidden"
    control.disconnect()


def test_final_category_vote_columns_banner_actions_and_export(sorting, sorting_app, facilitator):
    sid, phones, keys = sorting
    report, meetings, clients = keys["Raportointi"], keys["Palaverit"], keys["Asiakastyö"]
    for phone in phones[:5]:
        assert place(phone, report, "unnecessary")["ok"]
        assert place(phone, meetings, "central")["ok"]
    projector = screen(sorting_app, facilitator.client, sid, "projector")

    # The facilitator's final category overrides what people agreed on, for every screen.
    url = f"/sessions/{sid}/classify/sort/final"
    response = facilitator.api("PUT", url, {"item": meetings, "category": "unsuitable"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["final"] == {meetings: "unsuitable"}
    finals = [e["args"][0] for e in projector.get_received() if e["name"] == "classify.final"]
    assert finals[-1] == {"phase_id": "sort", "final": {meetings: "unsuitable"}}
    bad = facilitator.api("PUT", url, {"item": meetings, "category": "nope"})
    assert bad.status_code == 404
    bad = facilitator.api("PUT", f"/sessions/{sid}/classify/tasks/final", {"item": meetings})
    assert bad.status_code == 422  # category is required (null clears)
    bad = facilitator.api(
        "PUT", f"/sessions/{sid}/classify/tasks/final", {"item": meetings, "category": None}
    )
    assert bad.status_code == 404  # not a classify phase
    assert bad.get_json()["error"]["message"]

    # The vote takes only the items decided unnecessary or unsuitable.
    state = go_to(facilitator, sid, "pick")
    assert {i["key"] for i in state["vote"]["items"]} == {report, meetings}
    vote = {"client_id": uuid.uuid4().hex, "item": clients, "count": 1}
    assert phones[0].emit("vote.set", vote)["error"]["code"] == "not_found"
    for phone in phones[:3]:
        vote = {"client_id": uuid.uuid4().hex, "item": meetings, "count": 1}
        assert phone.emit("vote.set", vote)["ok"]
    vote = {"client_id": uuid.uuid4().hex, "item": report, "count": 1}
    assert phones[3].emit("vote.set", vote)["ok"]

    # The next ideas phase: one column per vote winner (most votes first), and a banner
    # with the items classified unnecessary, on phones and the projector alike.
    go_to(facilitator, sid, "ease")
    phone_state = phones[0].emit("sync")["state"]
    columns = phone_state["phase"]["settings"]["columns"]
    assert columns == [
        {"id": meetings.replace(":", "-"), "title": "Palaverit"},
        {"id": report.replace(":", "-"), "title": "Raportointi"},
    ]
    assert phone_state["banner"] == {
        "phase_id": "sort",
        "title": "Luokittelu",
        "items": [{"key": report, "title": "Raportointi"}],
    }
    assert projector.emit("sync", {}, callback=True)["state"]["banner"] == phone_state["banner"]
    assert phones[0].add_idea("Yhteiset pohjat", columns[1]["id"])["ok"]
    assert phones[0].add_idea("Väärä sarake", "keep")["error"]["code"] == "invalid"

    # A vote restricted to the columns "change" and "give-up": no "keep" idea on it.
    state = go_to(facilitator, sid, "not-keep")
    assert {i["key"] for i in state["vote"]["items"]} == {report, meetings}
    vote = {"client_id": uuid.uuid4().hex, "item": clients, "count": 1}
    assert phones[0].emit("vote.set", vote)["error"]["code"] == "not_found"

    # Actions from the classify phase's unnecessary items; the banner shows the vote's top.
    state = go_to(facilitator, sid, "act")
    source = state["candidates"]["source"]
    assert source["phase_id"] == "sort" and source["kind"] == "classify"
    assert source["items"] == [{"key": report, "title": "Raportointi", "category": "unnecessary"}]
    assert [i["key"] for i in state["banner"]["items"]] == [meetings, report]
    assert "candidates" not in phones[0].emit("sync")["state"]

    def add_action(what: str, item: str | None) -> dict:
        body = {"client_id": uuid.uuid4().hex, "what": what, "source_item": item}
        response = facilitator.api("POST", f"/sessions/{sid}/actions", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["action"]

    first = add_action("Raportin pohja yhteiseksi", report)
    assert first["source_item"] == report
    add_action("Palaverit puoleen tuntiin", meetings)
    add_action("Toinen raporttiteko", report)
    add_action("Kahvihetki", None)
    body = {"client_id": uuid.uuid4().hex, "what": "Vieras", "source_item": "idea:2147483647"}
    assert facilitator.api("POST", f"/sessions/{sid}/actions", body).status_code == 404

    data = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()
    grouped = [(g["item"], g["title"], len(g["actions"])) for g in data["actions_by_item"]]
    assert grouped == [(report, "Raportointi", 2), (meetings, "Palaverit", 1), (None, None, 1)]
    sort = next(p for p in data["phases"] if p["id"] == "sort")
    by_key = {i["key"]: i for i in sort["items"]}
    assert by_key[report]["category"] == "unnecessary" and by_key[report]["final"] is None
    assert by_key[meetings]["category"] == "unsuitable"
    assert by_key[meetings]["distribution"] == {"central": 5, "unnecessary": 0, "unsuitable": 0}
    assert by_key[clients]["distribution"] is None and by_key[clients]["category"] is None
    assert "participant" not in str(sort)

    markdown = facilitator.api("GET", f"/sessions/{sid}/export.md").get_data(as_text=True)
    assert "### Raportointi" in markdown and "### Palaverit" in markdown
    assert markdown.index("Raportin pohja") < markdown.index("Palaverit puoleen")
    assert markdown.index("Toinen raporttiteko") < markdown.index("Palaverit puoleen")
    assert "## Luokittelu" in markdown and "Keskeinen" in markdown
    html = facilitator.client.get(f"/sessions/{sid}/export").get_data(as_text=True)
    assert 'class="report-action-source">Raportointi<' in html
    projector.disconnect()


# --- check-models ------------------------------------------------------------------


def errors_for(tmp_path, mutate) -> list[str]:
    """Write the template changed by `mutate` and return its errors as text."""
    data = copy.deepcopy(TEMPLATE)
    mutate(data)
    path = tmp_path / "sorting.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        load_model_file(path)
    return [str(e) for e in info.value.errors]


def phase(data, phase_id):
    return next(p for p in data["phases"] if p["id"] == phase_id)


def test_template_loads_and_survives_the_snapshot(tmp_path):
    path = tmp_path / "sorting.yaml"
    path.write_text(yaml.safe_dump(TEMPLATE, allow_unicode=True), encoding="utf-8")
    model = load_model_file(path)
    snapshot = model.to_snapshot()
    assert snapshot["phases"][3]["settings"]["columns_from"] == {
        "phase": "pick",
        "top": 2,
        "categories": None,
    }
    assert snapshot["phases"][1]["settings"]["agreement"] == 0.6
    assert type(model).from_snapshot(snapshot).to_snapshot() == snapshot


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (
            lambda d: phase(d, "sort")["settings"].update(source="pick"),
            "phases[1].settings.source",
            "comes later",
        ),
        (
            lambda d: phase(d, "pick")["settings"].update(source="act"),
            "phases[2].settings.source",
            "comes later",
        ),
        (
            lambda d: phase(d, "sort")["settings"]["categories"].__delitem__(slice(1, None)),
            "phases[1].settings.categories",
            "at least 2",
        ),
        (
            lambda d: phase(d, "sort")["settings"]["categories"].extend(
                [{"id": f"c{i}", "title": "x"} for i in range(4)]
            ),
            "phases[1].settings.categories",
            "at most 6",
        ),
        (
            lambda d: phase(d, "sort")["settings"]["categories"].append(
                {"id": "central", "title": "Taas"}
            ),
            "phases[1].settings.categories[3].id",
            "duplicate id",
        ),
        (
            lambda d: phase(d, "sort")["settings"].update(min_responses=3),
            "phases[1].settings.min_responses",
            "greater than or equal to 5",
        ),
        (
            lambda d: phase(d, "sort")["settings"].update(agreement=0.4),
            "phases[1].settings.agreement",
            "greater than 0.5",
        ),
        (
            lambda d: phase(d, "pick")["settings"].update(categories=["central", "x-y"]),
            "phases[2].settings.categories[1]",
            "no category 'x-y'",
        ),
        (
            lambda d: phase(d, "not-keep")["settings"].update(categories=["central"]),
            "phases[4].settings.categories",
            "classify",
        ),
        (
            lambda d: phase(d, "not-keep")["settings"].update(columns=["maybe"]),
            "phases[4].settings.columns[0]",
            "no column 'maybe'",
        ),
        (
            lambda d: phase(d, "ease")["settings"].update(columns_from={"phase": "tasks"}),
            "phases[3].settings.columns_from.phase",
            "of kind ideas",
        ),
        (
            lambda d: phase(d, "ease")["settings"].update(columns_from={"phase": "sort"}),
            "phases[3].settings.columns_from.categories",
            "name the categories",
        ),
        (
            lambda d: phase(d, "ease").update(banner="act"),
            "phases[3].banner.phase",
            "not earlier",
        ),
        (
            lambda d: phase(d, "act")["settings"].update(source="tasks", categories=["central"]),
            "phases[5].settings.categories",
            "classify",
        ),
        (
            lambda d: phase(d, "act")["settings"].update(source="ease-x"),
            "phases[5].settings.source",
            "vote or ideas or classify",
        ),
    ],
)
def test_check_models_names_file_and_field(tmp_path, mutate, field, words):
    errors = errors_for(tmp_path, mutate)
    assert any(f"sorting.yaml: {field}: " in e and words in e for e in errors), errors
