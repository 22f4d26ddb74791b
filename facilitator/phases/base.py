"""What every phase kind implements (PhaseKindSpec), and the unit of work's outbox.

Generic code (serializers.snapshot, export, realtime, the API) calls only the hooks
below; a kind overrides the ones it needs. The defaults describe a kind that shows
nothing, takes no input and exports only the phase's title and prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from flask import g

FACILITATOR, PROJECTOR, PARTICIPANT = "facilitator", "projector", "participant"
ROLES = (FACILITATOR, PROJECTOR, PARTICIPANT)


# --- the unit of work's outbox -------------------------------------------------


class Publication:
    """What one unit of work publishes once its changes are committed.

    Operations never commit and never emit: they change rows and append here. The edge
    (the socket `handler` wrapper, the API's `unit_of_work`) commits once and then calls
    `send`, so nothing is sent that is not stored. `once` entries are keyed: several
    steps asking for the same refresh (the themes of a session) publish it once, built
    from the committed state.
    """

    def __init__(self) -> None:
        self._items: list[tuple[Any, Callable]] = []
        self._keys: set[Any] = set()
        self.marks: list[tuple[int, str]] = []

    def emit(self, workshop_id: int, event: str, payload: dict, roles=None, room=None) -> None:
        """Queue one event for some audiences (all three if neither roles nor room is given)."""
        self._items.append(
            (None, lambda publish: publish(workshop_id, event, payload, roles=roles, room=room))
        )

    def once(self, key, fn: Callable) -> None:
        """Queue `fn(publish)` once per key; it runs after the commit."""
        if key in self._keys:
            return
        self._keys.add(key)
        self._items.append((key, fn))

    def mark(self, workshop_id: int, kind: str) -> None:
        """Ask for a coalesced results update of a kind (its `flush`) after the commit."""
        if (workshop_id, kind) not in self.marks:
            self.marks.append((workshop_id, kind))

    def send(self, publish: Callable, mark: Callable) -> None:
        """Publish everything collected, in order (call after the commit)."""
        items, marks = self._items, self.marks
        self._items, self.marks, self._keys = [], [], set()
        for _key, fn in items:
            fn(publish)
        for workshop_id, kind in marks:
            mark(workshop_id, kind)

    def __bool__(self) -> bool:
        return bool(self._items or self.marks)


def publication() -> Publication:
    """Return the current unit of work's outbox (one per socket event or API request)."""
    pub = g.get("publication")
    if pub is None:
        pub = g.publication = Publication()
    return pub


def begin() -> Publication:
    """Start a unit of work with an empty outbox (the edge calls this first)."""
    g.publication = Publication()
    return g.publication


def discard() -> None:
    """Forget what a failed unit of work collected (after its rollback)."""
    g.pop("publication", None)


# --- snapshots -------------------------------------------------------------------


@dataclass
class SnapshotContext:
    """What a kind needs to build its part of one audience's snapshot.

    `phase` is the session's current phase; the phase a hook builds for is passed to
    it (the current one or an earlier one the current one shows). `data` is the
    snapshot being built: a later hook may read what an earlier one added (the vote
    adds its counts to the ideas it ranks). `cache` holds rows several kinds read, so
    they are loaded once per build.
    """

    workshop: Any
    model: Any
    phase: Any
    role: str
    lang: str
    fallback: str
    data: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    def text(self, value) -> str:
        """Return template text in the snapshot's language (else the session's)."""
        from ..workshop_models import localize

        return localize(value, self.lang, self.fallback)

    def cached(self, key, load: Callable):
        """Return `load()` once per build for this key."""
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]


def titled(items, lang: str, fallback: str = "fi", text: str = "title") -> list[dict]:
    """Return template items (columns, categories, options...) as clients get them:
    `{id, <text>}` with the text localised."""
    from .settings_base import localize

    return [{"id": i.id, text: localize(getattr(i, text), lang, fallback)} for i in items]


def source_chain(model, phase, limit: int = 5) -> list:
    """Return the phases a phase's `source` leads to, nearest first (source of source...)."""
    chain = []
    while len(chain) < limit:
        source = getattr(phase.settings, "source", None)
        if not source:
            break
        phase = model.phases[model.phase_index(source)]
        chain.append(phase)
    return chain


# --- the hooks -------------------------------------------------------------------


class PhaseKindSpec:
    """One phase kind: every place generic code asks about a kind goes through here.

    A kind's package holds its modules by name: `settings.py` (SETTINGS, SOURCE_KINDS),
    and when it has them `events.py` (`register(handler)`) and `api.py` (`register(bp)`),
    which the default hooks below find.
    """

    name: str = ""

    @property
    def settings_model(self) -> type:
        """The kind's settings model (its settings module's SETTINGS)."""
        return self.module("settings").SETTINGS

    @property
    def source_kinds(self) -> tuple[str, ...]:
        """Which kinds `settings.source` may name (its settings module's SOURCE_KINDS;
        none when it has no `source`)."""
        return getattr(self.module("settings"), "SOURCE_KINDS", ())

    # Participants write in this phase: the control view shows the input open/closed switch.
    takes_input: bool = False
    # Socket events a phone queues in its outbox and replays after a reconnect.
    queued_events: tuple[str, ...] = ()
    # Whether `flush` publishes coalesced results (the Coalescer's kind names).
    has_results: bool = False

    # -- settings and what screens show ------------------------------------------

    # Settings fields clients get as the template has them, and lists of items with
    # an id and a title clients get with the title localised (`titled`).
    client_fields: tuple[str, ...] = ()
    titled_fields: tuple[str, ...] = ()

    def client_settings(self, phase, lang: str, fallback: str = "fi") -> dict:
        """Return `phase.settings` as clients get them, text localised: the
        `client_fields` as they are, the `titled_fields` localised and what
        `more_client_settings` adds."""
        s = phase.settings
        fields = {name: getattr(s, name) for name in self.client_fields}
        fields.update(
            {name: titled(getattr(s, name), lang, fallback) for name in self.titled_fields}
        )
        return {**fields, **self.more_client_settings(phase, lang, fallback)}

    def more_client_settings(self, phase, lang: str, fallback: str) -> dict:
        """Return the client settings beyond `client_fields` (localised texts, limits)."""
        return {}

    def session_state(self, ctx: SnapshotContext) -> dict:
        """Return snapshot keys this kind always has, whatever the phase (their defaults)."""
        return {}

    def shows(self, model, phase) -> list:
        """Return the earlier phases a phase of this kind shows, sources first."""
        return []

    def shared_state(self, ctx: SnapshotContext, phase) -> dict:
        """Return snapshot keys for `phase` as `ctx.role` sees it, shared by its screens.

        Built once per (session, phase, role, language); no participant's own data.
        """
        return {}

    def personal_state(self, ctx: SnapshotContext, phase, participant, data: dict) -> dict:
        """Return the keys that differ per phone (own items, own dots, own answers).

        `data` is the shared snapshot: return new values for the few keys changed,
        never change `data`'s dicts in place.
        """
        return {}

    # -- lifecycle ----------------------------------------------------------------

    def on_create(self, workshop, phase) -> None:
        """Add what a new session needs for a phase of this kind (no commit)."""

    def on_prepare(self, workshop, old_phase, new_phase) -> None:
        """Bring what `on_create` made from a phase's settings up to date after the
        facilitator prepared new settings for it (prepare.apply; no commit)."""

    # -- what later phases take from it ----------------------------------------------

    def selection_items(self, workshop, phase, selection) -> list[dict]:
        """Return the items a `Selection` of a phase of this kind names (a later phase's
        `columns_from` or `banner`; settings_base.SELECTION_KINDS), each with `key` and
        `title` (and `count` or `category`)."""
        return []

    def action_candidates(self, workshop, phase, categories=None) -> list[dict]:
        """Return the items of a phase of this kind that an actions phase naming it as
        `source` offers with "use as action": `key` (stored as the action's
        `source_item`), `title`, and `count`, `category` (of `categories`, any when
        None) or `column`. No participant identity."""
        return []

    # -- realtime -------------------------------------------------------------------

    def register_events(self, handler) -> None:
        """Register this kind's socket events with `@handler(event, PayloadModel)`
        (by default its package's `events.register(handler)`, if it has one)."""
        if self.has_module("events"):
            self.module("events").register(handler)

    def register_api(self, bp) -> None:
        """Add this kind's facilitator routes to the API blueprint (views/api.py)
        (by default its package's `api.register(bp)`, if it has one)."""
        if self.has_module("api"):
            self.module("api").register(bp)

    def rooms(self, workshop, phase, participant) -> list[str]:
        """Return the finer rooms a phone's sockets belong to in `phase` (a small group).

        Entered at `join` and `sync` (rooms of the session not listed are left).
        """
        return []

    def flush(self, workshop, publish) -> None:
        """Publish this kind's coalesced results of a session (called by the Coalescer)."""

    # -- the kind's package ----------------------------------------------------------

    def module(self, name: str):
        """Return a module of the kind's package (`settings`, `events`, `view`...)."""
        return import_module(f"{self.package}.{name}")

    _module = module

    def has_module(self, name: str) -> bool:
        """Tell whether the kind's package has this module."""
        return find_spec(f"{self.package}.{name}") is not None

    @property
    def package(self) -> str:
        """The kind's package (where its spec is defined)."""
        return type(self).__module__.rpartition(".")[0]

    # -- export ---------------------------------------------------------------------

    def export_block(self, workshop, model, phase, lang: str) -> dict:
        """Return the kind's fields of the phase's JSON export entry."""
        return {}

    def report_counts(self, entries: list[dict], f, labels: dict) -> list[tuple[str, str]]:
        """Return the report's headline counts for this kind's export entries."""
        return []

    def report_sections(self, entry: dict, data: dict, f, labels: dict) -> list[dict]:
        """Return the report's sections for one phase's export entry (Markdown, printable)."""
        return []

    def report_appendix(self, entry: dict) -> list[dict]:
        """Return the report's appendix parts for one phase's export entry."""
        return []


class AnswersKind(PhaseKindSpec):
    """A kind whose phones answer and whose results are coalesced (vote, classify, poll,
    private; rate uses the first half).

    Its package has `events.py` (`register(handler)`), `view.py`
    (`results_payloads(workshop)`: the results event per audience) and `export.py`
    (`block(workshop, phase, lang)`, `sections(entry, f, labels)`); a kind overrides
    the hook whose module says otherwise.
    """

    takes_input = True
    has_results = True
    # The coalesced results event `flush` publishes (e.g. "poll.results").
    results_event: str = ""

    def session_state(self, ctx: SnapshotContext) -> dict:
        return {self.name: None}

    def client_settings(self, phase, lang: str, fallback: str = "fi") -> dict:
        """Add `min_responses`, the threshold results need, where the settings have one."""
        from .answers import threshold

        out = super().client_settings(phase, lang, fallback)
        if hasattr(phase.settings, "min_responses"):
            out["min_responses"] = threshold(phase)
        return out

    def results_payloads(self, workshop) -> dict[str, dict]:
        """Return the results event of the session's current phase for each audience."""
        return self._module("view").results_payloads(workshop)

    def flush(self, workshop, publish) -> None:
        for role, payload in self.results_payloads(workshop).items():
            publish(workshop.id, self.results_event, payload, (role,))

    def export_block(self, workshop, model, phase, lang: str) -> dict:
        return self._module("export").block(workshop, phase, lang)

    def report_sections(self, entry: dict, data: dict, f, labels: dict) -> list[dict]:
        return self._module("export").sections(entry, f, labels)
