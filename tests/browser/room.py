"""A room of answering phones for browser tests that need views with content.

`Room` signs in a facilitator over HTTP, creates a session from a shipped template and
joins a few python-socketio phones, so results pass the anonymity threshold
(`min_responses`, 5 in the shipped templates); `Room.feed(phase)` posts a little input in
the current phase the way a phone (and the facilitator) would, per kind, as
tests/test_shipped_templates.py does in-process.
"""

from __future__ import annotations

import uuid

import requests
import socketio

from tests.server_process import signed_in_facilitator


def cid() -> str:
    return uuid.uuid4().hex


class Bot:
    """A participant phone: its own cookie and a real Socket.IO connection."""

    def __init__(self, base: str, code: str):
        http = requests.Session()
        assert http.get(f"{base}/j/{code}").status_code == 200
        self.client = socketio.Client(reconnection=False)
        cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.client.connect(
            base, headers={"Cookie": cookies}, transports=["websocket"], wait_timeout=10
        )
        ack = self.emit("join", {"role": "participant", "code": code})
        assert ack["ok"], ack

    def emit(self, event: str, payload: dict) -> dict:
        return self.client.call(event, payload, timeout=10)

    def state(self) -> dict:
        return self.emit("sync", {})["state"]

    def close(self) -> None:
        self.client.disconnect()


class Room:
    """A session of `model_id` with `bots` answering phones (start them with `join`)."""

    def __init__(self, base: str, model_id: str, language: str = "fi", email: str | None = None):
        self.base = base
        self.http, csrf = signed_in_facilitator(base, email or f"room-{cid()[:8]}@example.fi")
        self.headers = {"X-CSRFToken": csrf}
        created = self.call(
            "POST",
            "/api/v1/sessions",
            {"model_id": model_id, "title": "Työpaja", "language": language},
        )
        self.id, self.code = created["id"], created["join_code"]
        self.api = f"/api/v1/sessions/{self.id}"
        self.bots: list[Bot] = []

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.http.request(method, self.base + path, json=body, headers=self.headers)
        assert response.status_code < 300, (path, response.status_code, response.text[:300])
        return response.json()

    def session(self, method: str, path: str = "", body: dict | None = None) -> dict:
        return self.call(method, self.api + path, body)

    def join(self, n: int = 5) -> None:
        self.bots += [Bot(self.base, self.code) for _ in range(n)]

    def phases(self) -> list[dict]:
        return self.session("GET")["phases"]

    def close(self) -> None:
        for bot in self.bots:
            bot.close()

    def feed(self, phase: dict) -> None:
        """Post a little input in the current phase from every bot (and the facilitator)."""
        current = self.session("GET")["phase"]
        assert current["id"] == phase["id"], (current["id"], phase["id"])
        getattr(self, "_" + current["kind"], lambda phase: None)(current)

    def _ideas(self, phase: dict) -> None:
        columns = [c["id"] for c in self.bots[0].state()["phase"]["settings"].get("columns") or []]
        for n, bot in enumerate(self.bots[:3]):
            column = columns[n % len(columns)] if columns else None
            text = f"Ajatus {n + 1}: aamun raportti venyy"
            ack = bot.emit("idea.add", {"client_id": cid(), "text": text, "column": column})
            assert ack["ok"], ack

    def _vote(self, phase: dict) -> None:
        items = self.bots[0].state()["vote"]["items"]
        for bot in self.bots:
            payload = {"client_id": cid(), "item": items[0]["key"], "count": 1}
            assert bot.emit("vote.set", payload)["ok"]

    def _classify(self, phase: dict) -> None:
        block = self.bots[0].state()["classify"]
        categories = [c["id"] for c in block["categories"]]
        for bot in self.bots:
            for i, item in enumerate(block["items"]):
                payload = {"client_id": cid(), "item": item["key"], "category": categories[i % 2]}
                assert bot.emit("classify.set", payload)["ok"]
        first = block["items"][0]["key"]
        path = f"/classify/{phase['id']}/final"
        self.session("PUT", path, {"item": first, "category": categories[0]})

    def _rate(self, phase: dict) -> None:
        block = self.bots[0].state()["rate"]
        low, high = block["scale"]["min"], block["scale"]["max"]
        for n, bot in enumerate(self.bots):
            for statement in block["statements"]:
                value = low + n % (high - low + 1)
                payload = {"client_id": cid(), "statement": statement["id"], "value": value}
                assert bot.emit("rate.set", payload)["ok"]
        if phase["settings"].get("grades"):
            for statement in block["statements"]:
                self.session(
                    "PUT", f"/phases/{phase['id']}/grades/{statement['id']}", {"grade": high}
                )

    def _poll(self, phase: dict) -> None:
        block = self.bots[0].state()["poll"]
        chosen = [o["id"] for o in block["options"][:1]]
        for bot in self.bots:
            assert bot.emit("poll.set", {"client_id": cid(), "choices": chosen})["ok"]

    def _private(self, phase: dict) -> None:
        block = self.bots[0].state()["private"]
        for n, bot in enumerate(self.bots):
            assert bot.emit("private.done", {"client_id": cid()})["ok"]
            if block.get("share") == "optional":
                answers = {}
                for item in block["items"]:
                    if item.get("type") == "scale":
                        answers[item["id"]] = (item.get("scale") or {"min": 1})["min"]
                    else:
                        answers[item["id"]] = f"Jaettu ajatus {n + 1}"
                payload = {"client_id": cid(), "answers": answers}
                assert bot.emit("private.share", payload)["ok"], answers

    def _small_groups(self, phase: dict) -> None:
        settings = phase["settings"]
        if settings.get("assign") == "choose":
            for n, bot in enumerate(self.bots):
                bot.emit("groups.join", {"group": n % 2 + 1})
        else:
            self.session("POST", "/groups/form", {"reshuffle": False})
        for n, bot in enumerate(self.bots):
            if (
                settings.get("writer") == "one"
                and not bot.emit("groups.writer", {"take": True})["ok"]
            ):
                continue
            text = f"Ryhmän ajatus {n + 1}: tauot sovitaan yhdessä"
            assert bot.emit("groups.add", {"client_id": cid(), "text": text})["ok"]

    def _actions(self, phase: dict) -> None:
        body = {
            "client_id": cid(),
            "what": "Vuorolistat julki kaksi viikkoa ennen",
            "who": "Osastonhoitaja",
            "due": "2027-01-31",
            "first_step": "Sovitaan aikataulu",
            "follow_up": "2027-02-15",
        }
        self.session("POST", "/actions", body)
