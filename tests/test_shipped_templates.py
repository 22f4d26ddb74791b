"""Every shipped template, run end to end in each of its languages.

A facilitator and five phones go through every phase of every file in
`workshop_models/`: the phones post where the phase takes input, with the kind's
events as docs/protocol.md gives them, and the facilitator does what the control view
would (themes, final categories, grades, agreed actions, small-group rounds). Then the
export (JSON and Markdown) must hold what was posted, and nothing that stays on a phone.

The driver is a table: `DRIVERS[kind]` is what happens in a phase of that kind. A new
kind adds one entry (test_every_kind_has_a_driver says when one is missing).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from facilitator.phases.registry import KINDS
from facilitator.workshop_models import load_model_file, localize
from tests.test_live_loop import _assert_no_identifiers

MODELS = Path(__file__).resolve().parent.parent / "workshop_models"
SHIPPED = sorted(p.stem for p in MODELS.glob("*.y*ml"))
LANGS = ("fi", "sv", "en")
PHONES = 5  # the smallest group whose distributions are shown (min_responses)


def cid() -> str:
    return uuid.uuid4().hex


@dataclass
class Run:
    """One session of a template: who takes part and what the export must (not) hold."""

    facilitator: object
    sid: int
    lang: str
    phones: list
    model: object
    expect: list[str] = field(default_factory=list)
    keep_out: list[str] = field(default_factory=list)
    # The facilitator's State right after moving to the current phase.
    current: dict = field(default_factory=dict)
    # Checks of the JSON export's phase entry, per phase id.
    checks: dict = field(default_factory=dict)

    def api(self, method: str, path: str, body=None, status: int = 200) -> dict:
        response = self.facilitator.api(method, f"/sessions/{self.sid}{path}", body)
        assert response.status_code == status, (method, path, response.get_json())
        return response.get_json()

    def state(self) -> dict:
        return self.api("GET", "")

    def text(self, value) -> str:
        return localize(value, self.lang)

    def close_input(self) -> dict:
        return self.api("POST", "/input", {"open": False})


def ok(ack: dict) -> dict:
    assert ack["ok"] is True, ack
    return ack


# --- what happens in a phase, per kind -------------------------------------------


def nothing(run: Run, phase, states: list[dict]) -> None:
    """Info and summary phases: everyone reads; nobody posts."""


def ideas(run: Run, phase, states: list[dict]) -> None:
    """Every phone writes one idea, the columns taken in turn (fixed or from a vote)."""
    settings = states[0]["phase"]["settings"]
    columns = [c["id"] for c in settings["columns"]]
    if phase.settings.columns_from is not None:
        assert columns, f"{phase.id}: columns_from gave no columns"
    for n, phone in enumerate(run.phones):
        text = f"{phase.id} {run.lang} ajatus {n + 1}"
        column = columns[n % len(columns)] if columns else None
        idea = ok(phone.add_idea(text, column))["idea"]
        assert idea["is_mine"] is True and idea["column"] == column
        run.expect.append(text)


def group(run: Run, phase, states: list[dict]) -> None:
    """The facilitator gathers two ideas of the source phase into a theme."""
    state = run.state()
    source = phase.settings.source
    wall = [i for i in state["ideas"] if i["phase_id"] == source]
    assert len(wall) >= 2, state["ideas"]
    title = f"Teema {run.lang} {phase.id}"
    theme = run.api("POST", "/themes", {"title": title, "phase_id": phase.id}, status=201)
    for idea in wall[:2]:
        run.api("PATCH", f"/ideas/{idea['id']}", {"theme_id": theme["theme"]["id"]})
    run.expect.append(title)


def vote(run: Run, phase, states: list[dict]) -> None:
    """Every phone gives one vote to the first item of the ballot; closing reveals."""
    items = states[0]["vote"]["items"]
    assert items, f"{phase.id}: empty ballot"
    first = items[0]
    for phone in run.phones:
        ack = ok(phone.emit("vote.set", {"client_id": cid(), "item": first["key"], "count": 1}))
        assert ack["used"] == 1
    revealed = run.close_input()["vote"]["results"]
    assert {r["key"]: r["count"] for r in revealed}[first["key"]] == len(run.phones)
    run.expect.append(first["title"])


def classify(run: Run, phase, states: list[dict]) -> None:
    """All phones put item i into category i (mod the count), so every item is agreed."""
    block = states[0]["classify"]
    categories = [c["id"] for c in block["categories"]]
    assert block["items"], f"{phase.id}: nothing to classify"
    for phone in run.phones:
        for i, item in enumerate(block["items"]):
            payload = {
                "client_id": cid(),
                "item": item["key"],
                "category": categories[i % len(categories)],
            }
            ok(phone.emit("classify.set", payload))
    results = run.close_input()["classify"]["results"]
    agreed = {r["key"]: r["agreed"] for r in results}
    wanted = {item["key"]: categories[i % len(categories)] for i, item in enumerate(block["items"])}
    assert agreed == wanted

    def exported(entry: dict) -> None:
        assert {i["key"]: i["category"] for i in entry["items"]} == wanted

    run.checks[phase.id] = exported


def rate(run: Run, phase, states: list[dict]) -> None:
    """Phones rate every statement; one says "don't know" if allowed; grades are agreed."""
    settings = phase.settings
    low, high = settings.scale.min, settings.scale.max
    for n, phone in enumerate(run.phones):
        for statement in settings.statements:
            value = low + n % (high - low + 1)
            if getattr(settings, "dont_know", False) and n == len(run.phones) - 1:
                value = "dont_know"
            payload = {"client_id": cid(), "statement": statement.id, "value": value}
            ok(phone.emit("rate.set", payload))
    if getattr(settings, "grades", False):
        for statement in settings.statements:
            path = f"/phases/{phase.id}/grades/{statement.id}"
            run.api("PUT", path, {"grade": high})
    run.expect += [run.text(s.text) for s in settings.statements]

    def exported(entry: dict) -> None:
        for statement in entry["statements"]:
            assert statement["responses"] == len(run.phones) - dont_know, statement
            if dont_know:
                assert statement["dont_know"] == 1, statement
            if getattr(settings, "grades", False):
                assert statement["grade"] == high, statement

    dont_know = 1 if getattr(settings, "dont_know", False) else 0
    run.checks[phase.id] = exported


def poll(run: Run, phase, states: list[dict]) -> None:
    """Every phone chooses the first option (and the second where several are allowed)."""
    settings = phase.settings
    chosen = [o.id for o in settings.options[: settings.choice_limit()][:2]]
    for phone in run.phones:
        ok(phone.emit("poll.set", {"client_id": cid(), "choices": chosen}))
    run.close_input()
    run.expect.append(run.text(settings.options[0].title))


def private(run: Run, phase, states: list[dict]) -> None:
    """Phones are done; the answers never reach the server unless a phone shares them."""
    settings = phase.settings
    for n, phone in enumerate(run.phones):
        ok(phone.emit("private.done", {"client_id": cid()}))
        # What a phone keeps to itself is never sent; the export cannot hold it.
        run.keep_out.append(f"{phase.id} {run.lang} oma vastaus {n + 1}")
    if settings.share == "optional":
        text_items = [i for i in settings.items if i.type == "text"]
        for n, phone in enumerate(run.phones):
            answers = {i.id: f"{phase.id} {run.lang} jaettu {n + 1}" for i in text_items}
            ok(phone.emit("private.share", {"client_id": cid(), "answers": answers}))
        run.expect += [f"{phase.id} {run.lang} jaettu {n + 1}" for n in range(len(run.phones))]


def small_groups(run: Run, phase, states: list[dict]) -> None:
    """Groups are formed; in every round each group's writer (or everyone) writes a note."""
    settings = phase.settings
    if settings.assign != "choose":
        run.api("POST", "/groups/form", {"reshuffle": False})
    rounds = settings.round_count()
    for round_ in range(rounds):
        if round_:
            run.api("POST", "/groups/round", {"to": "next"})
        mine = []
        for n, phone in enumerate(run.phones):
            if settings.assign == "choose" and round_ == 0:
                ok(phone.emit("groups.join", {"group": n % max(2, settings.groups) + 1}))
            state = ok(phone.emit("sync"))["state"]
            mine.append(state["groups"]["mine"])
            assert mine[-1] is not None, f"{phase.id}: phone {n} has no group"
        for n, phone in enumerate(run.phones):
            if settings.writer == "one":
                ack = phone.emit("groups.writer", {"take": True})
                if not ack["ok"]:
                    assert ack["error"]["code"] == "writer_taken", ack
                    continue
            text = f"{phase.id} {run.lang} kierros {round_ + 1} ryhmä {mine[n]['number']} {n}"
            ok(phone.emit("groups.add", {"client_id": cid(), "text": text}))
            run.expect.append(text)
    # Nobody else's note reaches a phone outside its group (its own wall only).
    for phone in run.phones:
        state = phone.emit("sync")["state"]["groups"]
        assert all("notes" not in g for g in state["groups"])


def actions(run: Run, phase, states: list[dict]) -> None:
    """The facilitator agrees one action, from the first candidate when there is a source."""
    candidates = (run.current.get("candidates") or {}).get("source")
    what = f"{phase.id} {run.lang} sovittu asia"
    body = {
        "client_id": cid(),
        "what": what,
        "who": "Tiimi",
        "due": "2027-01-31",
        "first_step": "Sovitaan aloitus",
        "follow_up": "2027-02-15",
    }
    if phase.settings.source is not None:
        assert candidates and candidates["items"], f"{phase.id}: no candidates"
        body["source_item"] = candidates["items"][0]["key"]
    action = run.api("POST", "/actions", body, status=201)["action"]
    assert action["source_item"] == body.get("source_item")
    for phone in run.phones:
        assert what in [a["what"] for a in phone.emit("sync")["state"]["actions"]]
    run.expect.append(what)


def review(run: Run, phase, states: list[dict]) -> None:
    """Every phone checks every item brought in (one with a note); the facilitator carries
    the first forward and drops the next with a reason. Without a team (or open items)
    the review says there is nothing and the export has an empty list."""
    block = run.current["review"]
    if not block["items"]:
        assert all(s["review"]["items"] == [] for s in states)

        def check(entry: dict) -> None:
            assert entry["items"] == [], entry

        run.checks[phase.id] = check
        return
    base = f"/review/{phase.id}/items"
    for item in block["items"]:
        for n, phone in enumerate(run.phones):
            body = {"client_id": cid(), "item_id": item["id"], "progress": "partly"}
            if n == 0 and phase.settings.notes:
                body["note"] = f"{phase.id} {run.lang} huomio {item['id']}"
            assert ok(phone.emit("review.set", body))["my_review"]["progress"] == "partly"
    first, *rest = block["items"]
    carried = run.api("POST", f"{base}/{first['id']}/carry", {})["carried_to"]
    assert carried["what"] == first["what"]
    if rest:
        reason = f"{phase.id} {run.lang} ei enää ajankohtainen"
        run.api("POST", f"{base}/{rest[0]['id']}/drop", {"reason": reason})
        run.expect.append(reason)
    run.expect.append(first["what"])


def results(run: Run, phase, states: list[dict]) -> None:
    """QWL results: the facilitator imports the sample round when none is there yet; with
    a focus vote every phone chooses the two weakest shown statements and closing
    reveals. The statement with 4 answers never shows a number (57.1 in the file)."""
    import io

    if run.current["results"]["summary"] is None:
        sample = MODELS.parent / "docs/samples/qwl/kotihoito-kevat-2022-utf8-bom-puolipiste.csv"
        response = run.facilitator.client.post(
            f"/api/v1/sessions/{run.sid}/qwl/rounds",
            data={"file": (io.BytesIO(sample.read_bytes()), sample.name)},
            headers={"X-CSRFToken": run.facilitator.csrf},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.get_json()
    summary = ok(run.phones[0].emit("sync"))["state"]["results"]["summary"]
    shown = [st for d in summary["dimensions"] for st in d["statements"] if not st["hidden"]]
    run.expect += [summary["unit"], shown[0]["text"]]
    run.keep_out.append("57.1")
    if phase.settings.focus_votes:
        weakest = sorted(shown, key=lambda st: st["score"])[:2]
        for phone in run.phones:
            body = {"client_id": cid(), "statements": [st["id"] for st in weakest]}
            ok(phone.emit("results.focus", body))
        tally = run.close_input()["results"]["tally"]
        assert tally["counts"][weakest[0]["id"]] == len(run.phones), tally


DRIVERS = {
    "info": nothing,
    "summary": nothing,
    "ideas": ideas,
    "group": group,
    "vote": vote,
    "classify": classify,
    "rate": rate,
    "poll": poll,
    "private": private,
    "small_groups": small_groups,
    "actions": actions,
    "review": review,
    "results": results,
}


def test_every_kind_has_a_driver():
    """A registered kind without an entry would make its templates untestable here."""
    assert set(KINDS) <= set(DRIVERS), sorted(set(KINDS) - set(DRIVERS))


def test_every_shipped_template_is_covered():
    """The run below is parametrised from the folder: every file is in it."""
    assert {"keep-change-give-up", "sytyttaja"} <= set(SHIPPED)
    assert all((MODELS / f"{t}.yaml").exists() for t in SHIPPED)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("template_id", SHIPPED)
def test_shipped_template_end_to_end(app, facilitator, phone_factory, template_id, lang):
    """Run every phase with five phones; the export holds what was posted and agreed."""
    model = load_model_file(MODELS / f"{template_id}.yaml")
    created = facilitator.api(
        "POST",
        "/sessions",
        {"model_id": template_id, "title": f"{template_id} {lang}", "language": lang},
    )
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    run = Run(facilitator, session["id"], lang, [], model)
    run.phones = [phone_factory(session["join_code"]) for _ in range(PHONES)]
    assert all(p.join_ack["ok"] for p in run.phones)
    run.api("POST", "/start")

    for index, phase in enumerate(model.phases):
        run.current = run.api("POST", "/phase", {"to": index})
        assert run.current["phase"]["id"] == phase.id
        states = [ok(p.emit("sync"))["state"] for p in run.phones]
        # Every phone reads the phase in the session's language.
        assert {s["phase"]["title"] for s in states} == {run.text(phase.title)}
        DRIVERS[str(phase.kind)](run, phase, states)

    run.api("POST", "/close")
    data = run.api("GET", "/export.json")
    as_json = json.dumps(data, ensure_ascii=False)
    markdown = facilitator.api("GET", f"/sessions/{run.sid}/export.md").get_data(as_text=True)
    assert [p["id"] for p in data["phases"]] == [p.id for p in model.phases]
    missing_json = [t for t in run.expect if t not in as_json]
    missing_md = [t for t in run.expect if t not in markdown]
    assert missing_json == [] and missing_md == [], (missing_json, missing_md)
    assert [t for t in run.keep_out if t in as_json or t in markdown] == []
    entries = {p["id"]: p for p in data["phases"]}
    for phase_id, check in run.checks.items():
        check(entries[phase_id])
    _assert_no_identifiers(app, as_json + markdown, run.phones)


def test_keep_change_give_up_leaves_keep_out_of_the_vote(app, facilitator, phone_factory):
    """The revised template: only change and give-up items are voted on, and the
    agreed actions are chosen from the vote's winners."""
    session = facilitator.create_session("keep-change-give-up")
    sid = session["id"]
    phone = phone_factory(session["join_code"])
    facilitator.go_to(sid, "ideas")
    keep = ok(phone.add_idea("Aamupalaveri säilyy", "keep"))["idea"]
    change = ok(phone.add_idea("Vuorolistat ajoissa", "change"))["idea"]
    give_up = ok(phone.add_idea("Päällekkäiset kirjaukset pois", "give-up"))["idea"]

    state = facilitator.go_to(sid, "vote")
    keys = {i["key"] for i in state["vote"]["items"]}
    assert f"idea:{keep['id']}" not in keys
    assert {f"idea:{change['id']}", f"idea:{give_up['id']}"} <= keys
    refused = phone.emit("vote.set", {"client_id": cid(), "item": f"idea:{keep['id']}", "count": 1})
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"
    ok(phone.emit("vote.set", {"client_id": cid(), "item": f"idea:{give_up['id']}", "count": 2}))

    state = facilitator.go_to(sid, "actions")
    candidates = state["candidates"]["source"]
    assert candidates["kind"] == "vote"
    assert [i["key"] for i in candidates["items"]] == [f"idea:{give_up['id']}"]


# --- series: the shipped series run across two sessions of one team ------------------


def _series_steps() -> dict[str, list]:
    """Return the shipped templates of each series, in step order."""
    found: dict[str, list] = {}
    for stem in SHIPPED:
        model = load_model_file(MODELS / f"{stem}.yaml")
        if model.series is not None:
            found.setdefault(model.series.id, []).append(model)
    return {k: sorted(v, key=lambda m: m.series.order) for k, v in found.items()}


SERIES = _series_steps()


def _run_phases(app, facilitator, phone_factory, session: dict, model, lang: str, seen=None):
    """Run every phase of a session with five phones (as the test above), close it and
    check its export; `seen(phase, state)` looks at each phase as the facilitator
    enters it."""
    run = Run(facilitator, session["id"], lang, [], model)
    run.phones = [phone_factory(session["join_code"]) for _ in range(PHONES)]
    run.api("POST", "/start")
    for index, phase in enumerate(model.phases):
        run.current = run.api("POST", "/phase", {"to": index})
        if seen is not None:
            seen(phase, run.current)
        states = [ok(p.emit("sync"))["state"] for p in run.phones]
        assert {s["phase"]["title"] for s in states} == {run.text(phase.title)}
        DRIVERS[str(phase.kind)](run, phase, states)
    run.api("POST", "/close")
    as_json = json.dumps(run.api("GET", "/export.json"), ensure_ascii=False)
    assert [t for t in run.expect if t not in as_json] == []
    _assert_no_identifiers(app, as_json, run.phones)
    return run


def _snapshot_model(app, session_id: int):
    """Return the template as the session holds it (with what was prepared)."""
    from facilitator.extensions import db
    from facilitator.models import Workshop
    from facilitator.workshop_models import WorkshopModel

    with app.app_context():
        return WorkshopModel.from_snapshot(db.session.get(Workshop, session_id).model_snapshot)


def test_every_shipped_series_has_steps_in_order():
    assert {"dynamo", "psykososiaalinen-kuormitus", "pelisaannot"} <= set(SERIES)
    for steps in SERIES.values():
        assert len(steps) >= 2
        assert any(m.series.recurring for m in steps)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("series_id", sorted(SERIES))
def test_shipped_series_across_two_sessions(app, facilitator, phone_factory, series_id, lang):
    """A team runs a series' first session, then the next one from the series: it is
    numbered 2, uses the next template and starts with what the first left open (its
    review brings in the first session's agreed items; ground rules are copied into the
    statements to rate)."""
    steps = SERIES[series_id]
    team = facilitator.api("POST", "/teams", {"name": f"Tiimi {lang}"}).get_json()["team"]
    body = {"model_id": steps[0].id, "title": f"{series_id} 1", "language": lang}
    first = facilitator.api("POST", "/sessions", {**body, "team_id": team["id"]}).get_json()
    assert first["series"]["number"] == 1
    first_run = _run_phases(app, facilitator, phone_factory, first, steps[0], lang)
    agreed = [t for t in first_run.expect if t.endswith("sovittu asia")]
    assert agreed

    r = facilitator.api("POST", f"/series/{first['series']['id']}/sessions", {"language": lang})
    assert r.status_code == 201, r.get_json()
    second = r.get_json()
    assert second["series"]["number"] == 2 and second["template"] == steps[1].id
    prepared = [p for p in steps[1].phases if "statements" in p.prepare]
    lines = []
    if prepared:
        path = f"/sessions/{first['id']}/copy-lines?source=actions"
        lines = facilitator.api("GET", path).get_json()["lines"]
        assert lines == agreed
        fields = {f"{prepared[0].id}.statements": lines}
        r = facilitator.api("PUT", f"/sessions/{second['id']}/prepare", {"fields": fields})
        assert r.status_code == 200, r.get_json()
    model = _snapshot_model(app, second["id"])
    reviewed = []

    def seen(phase, state):
        if str(phase.kind) == "review":
            items = state["review"]["items"]
            reviewed.extend(i["what"] for i in items)
            assert {i["session"]["title"] for i in items} == {f"{series_id} 1"}
        if phase.id in {p.id for p in prepared}:
            assert [localize(s.text, lang) for s in phase.settings.statements] == lines

    _run_phases(app, facilitator, phone_factory, second, model, lang, seen)
    if any(str(p.kind) == "review" for p in model.phases):
        assert reviewed[: len(agreed)] == agreed
    assert reviewed or prepared


# --- meeting practices renewal and group development discussion ---------------------


def test_meeting_practices_gathers_the_agenda_before_the_session(app, facilitator, phone_factory):
    """Phones on other shifts write to the agenda days ahead (the welcome is passed over);
    the facilitator sees the count; starting keeps it, the ballot holds what does not
    work, and the session ends with a ground rule and an action on the team's meetings."""
    from datetime import UTC, datetime, timedelta

    session = facilitator.create_session("kokouskaytannot", "Osaston kokoukset")
    sid = session["id"]
    now = datetime.now(UTC)
    window = {
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
    }
    info = facilitator.api("PUT", f"/sessions/{sid}/collecting", window).get_json()
    assert info["status"] == "collecting", info
    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    state = phones[0].join_ack["state"]
    assert state["phase"]["id"] == "agenda" and state["phase"]["input_open"] is True
    texts = {
        "not-working": "Kokous venyy aina yli ajan",
        "agenda": "Lomalistat asialistalle",
        "works": "Aamupalaveri on lyhyt",
    }
    for phone, (column, text) in zip(phones, texts.items(), strict=True):
        assert ok(phone.add_idea(text, column))["idea"]["column"] == column
    info = facilitator.api("GET", f"/sessions/{sid}/collecting").get_json()
    assert (info["ideas"], info["phones"]) == (3, 3)

    assert facilitator.api("POST", f"/sessions/{sid}/start").status_code == 200
    state = facilitator.go_to(sid, "ideas")
    assert sorted(i["text"] for i in state["ideas"]) == sorted(texts.values())
    state = facilitator.go_to(sid, "vote")
    ballot = {i["title"] for i in state["vote"]["items"]}
    assert ballot == {texts["not-working"], texts["agenda"]}

    facilitator.go_to(sid, "actions")
    rule = {
        "client_id": cid(),
        "item_kind": "ground_rule",
        "what": "Jokainen kokous päättyy sovittujen asioiden lukemiseen ääneen",
        "how_check": "Muistion lopussa on sovitut asiat",
    }
    r = facilitator.api("POST", f"/sessions/{sid}/actions", rule)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["action"]["item_kind"] == "ground_rule"
    action = {"client_id": cid(), "what": "Asialistapohja yhteiseen kansioon", "who": "Sihteeri"}
    assert facilitator.api("POST", f"/sessions/{sid}/actions", action).status_code == 201
    experiment = {"client_id": cid(), "item_kind": "experiment", "what": "Seisova kokous"}
    refused = facilitator.api("POST", f"/sessions/{sid}/actions", experiment)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "item_kind_not_allowed"
    facilitator.api("POST", f"/sessions/{sid}/close")
    exported = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()["actions"]
    kinds = {a["what"]: (a["item_kind"], a["how_check"]) for a in exported}
    assert kinds == {
        rule["what"]: ("ground_rule", rule["how_check"]),
        action["what"]: ("action", None),
    }
    markdown = facilitator.api("GET", f"/sessions/{sid}/export.md").get_data(as_text=True)
    for text in (rule["what"], action["what"], *texts.values()):
        assert text in markdown
    # A ground rule's own field is in the Markdown and the printable export too.
    assert rule["how_check"] in markdown
    printable = facilitator.client.get(f"/sessions/{sid}/export").get_data(as_text=True)
    assert rule["how_check"] in printable


def test_group_development_feedback_poll_stays_hidden_for_a_small_team(
    app, facilitator, phone_factory
):
    """Four people answer the anonymous feedback poll: nobody sees counts, not the
    facilitator, the phones after closing, nor the export; a fifth answer reveals them."""
    from tests.conftest import start_in_phase

    session, phones, state = start_in_phase(
        facilitator, phone_factory, "ryhmakehityskeskustelu", 5, kind="poll", title="Tiimi 3"
    )
    sid = session["id"]
    assert state["phase"]["id"] == "feedback"
    assert [o["id"] for o in state["poll"]["options"]] == ["very", "some", "little", "none"]
    for phone in phones[:4]:
        ok(phone.emit("poll.set", {"client_id": cid(), "choices": ["very"]}))
    closed = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False}).get_json()
    assert closed["poll"]["counts"] is None and closed["poll"]["responses"] == 4
    assert ok(phones[0].emit("sync"))["state"]["poll"]["counts"] is None
    entry = next(
        p
        for p in facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()["phases"]
        if p["id"] == "feedback"
    )
    assert [o["count"] for o in entry["options"]] == [None] * 4 and entry["dont_know"] is None

    facilitator.api("POST", f"/sessions/{sid}/input", {"open": True})
    ok(phones[4].emit("poll.set", {"client_id": cid(), "choices": [], "dont_know": True}))
    closed = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False}).get_json()
    assert closed["poll"]["counts"]["very"] == 4 and closed["poll"]["dont_know"] == 1
