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
