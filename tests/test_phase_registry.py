"""Every phase kind is one place: a spec with every hook, and no kind names in generic code."""

from __future__ import annotations

import re
from pathlib import Path

from facilitator.phases import SETTINGS_MODULES, registry
from facilitator.phases.base import PhaseKindSpec, Publication
from facilitator.workshop_models import PhaseKind

ROOT = Path(__file__).resolve().parent.parent / "facilitator"
GENERIC = ["serializers.py", "export.py", "realtime.py", "operations.py", "views/api.py"]
HOOKS = [
    "client_settings",
    "session_state",
    "shows",
    "shared_state",
    "personal_state",
    "on_create",
    "register_events",
    "flush",
    "export_block",
    "report_counts",
    "report_sections",
    "report_appendix",
]


def test_every_kind_has_a_spec_with_every_hook():
    assert set(registry.KINDS) == set(SETTINGS_MODULES)
    for kind in PhaseKind:
        spec = registry.kind(kind)
        assert isinstance(spec, PhaseKindSpec)
        assert spec.name == kind.value
        assert spec.settings_model is not None
        for hook in HOOKS:
            assert callable(getattr(spec, hook)), (kind, hook)


def test_kinds_that_show_results_flush_them():
    with_results = {name for name, spec in registry.KINDS.items() if spec.has_results}
    assert {"vote", "rate"} <= with_results
    for name in with_results:
        assert type(registry.kind(name)).flush is not PhaseKindSpec.flush, name


def test_generic_modules_name_no_kind():
    members = "|".join(kind.name for kind in PhaseKind)
    pattern = re.compile(rf"PhaseKind\.({members})\b")
    for name in GENERIC:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert not pattern.search(text), name


def test_queued_events_come_from_the_kinds():
    assert {"idea.add", "idea.edit", "idea.delete", "vote.set", "rate.set"} <= set(
        registry.queued_events()
    )


def test_publication_sends_once_keys_once_and_marks_after_events():
    sent, marked = [], []
    pub = Publication()
    pub.emit(1, "a", {}, roles=("facilitator",))
    pub.once(("themes", 1), lambda publish: publish(1, "themes", {}))
    pub.once(("themes", 1), lambda publish: publish(1, "themes", {"again": True}))
    pub.mark(1, "vote")
    pub.mark(1, "vote")
    pub.send(
        lambda wid, event, payload, **kw: sent.append((event, payload)), lambda *k: marked.append(k)
    )
    assert sent == [("a", {}), ("themes", {})]
    assert marked == [(1, "vote")]
    assert not pub


def test_each_kind_keeps_its_settings_in_its_own_light_package():
    """A kind's settings model lives in phases/<kind>/settings.py, which loads without
    Flask or SQLAlchemy (check-models stays light), and PhaseKind follows the kinds."""
    import subprocess
    import sys

    from facilitator.workshop_models import settings_model

    assert [k.value for k in PhaseKind] == list(SETTINGS_MODULES)
    for kind in PhaseKind:
        model = settings_model(kind)
        assert model.__module__ == SETTINGS_MODULES[kind.value], kind
        assert registry.kind(kind).settings_model is model
    script = (
        "import sys; from facilitator.phases import SETTINGS_MODULES, settings_module\n"
        "for kind in SETTINGS_MODULES: settings_module(kind)\n"
        "import facilitator.workshop_models\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy'))\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT.parent
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_specs_find_their_events_and_api_in_their_package():
    registered_events, registered_routes = [], []

    def handler(event, payload):
        return lambda fn: registered_events.append(event) or fn

    class Blueprint:
        def __getattr__(self, method):
            return lambda rule, **kw: lambda fn: registered_routes.append(rule) or fn

    for spec in registry.KINDS.values():
        spec.register_events(handler)
    assert {"idea.add", "vote.set", "rate.set", "classify.set", "poll.set"} <= set(
        registered_events
    )
    assert set(registry.queued_events()) <= set(registered_events)
    assert len(registered_events) == len(set(registered_events)), "an event registered twice"
    assert registry.kind("info").has_module("events") is False
    for spec in registry.KINDS.values():
        spec.register_api(Blueprint())
    assert "/sessions/<int:session_id>/classify/<phase_id>/final" in registered_routes
    assert "/sessions/<int:session_id>/phases/<phase_id>/grades/<statement_id>" in registered_routes
