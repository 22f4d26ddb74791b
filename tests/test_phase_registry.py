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


# Every generic module: the app's own modules, its pages, what one phase hands to the
# next, the export's printable page and the pages' scripts outside static/js/phases/.
PROJECT = ROOT.parent
GENERIC_FILES = sorted(
    [
        *ROOT.glob("*.py"),
        *ROOT.glob("views/*.py"),
        ROOT / "phases" / "selection.py",
        *(PROJECT / "templates").rglob("*.html"),
        *(PROJECT / "static" / "js").glob("*.js"),
    ]
)


def _kind_branches(text: str) -> list[str]:
    """Return the lines that compare a kind with a kind's name (`kind == "vote"`,
    `kind is PhaseKind.RATE`, `s.kind == 'rate'`, `kind in ("vote", ...)`)."""
    names = "|".join(SETTINGS_MODULES)
    members = "|".join(kind.name for kind in PhaseKind)
    compare = r"(?:===?|!==?|\bis\b(?:\s+not)?|(?:\bnot\s+)?\bin\b)"
    pattern = re.compile(
        rf"""kind\b["'\]]*\s*{compare}\s*[(\[{{]?\s*"""
        rf"""(?:["'](?:{names})["']|PhaseKind\.(?:{members})\b)"""
        rf"""|PhaseKind\.(?:{members})\b"""
    )
    return [line.strip() for line in text.splitlines() if pattern.search(line)]


def test_generic_code_has_no_kind_chains():
    """Preparing, selections, the export's Markdown and printable page, the pages and
    their scripts ask the kinds' specs (or read what the kinds' sections say)."""
    assert _kind_branches('if phase.kind == "vote":') and _kind_branches(
        "{% if s.kind == 'rate' %}"
    )
    assert _kind_branches("return phase.kind is not PhaseKind.SUMMARY")
    assert _kind_branches("if (p.kind === 'vote')")
    assert not _kind_branches("return registry.of(phase).selection_items(w, phase, s)")
    found = {
        str(path.relative_to(PROJECT)): lines
        for path in GENERIC_FILES
        if (lines := _kind_branches(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_pages_scripts_leave_the_kinds_events_to_the_kinds():
    """common.js applies session-wide deltas only: a kind's results and answers are
    applied by its own static/js/phases/<kind>.js (`applyDelta`)."""
    events = set(registry.queued_events()) | {
        event
        for name, spec in registry.KINDS.items()
        for event in (getattr(spec, "results_event", ""), f"{name}.results")
        if event
    }
    assert {"tally", "rate.results", "vote.set"} <= events
    for path in (PROJECT / "static" / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        cases = set(re.findall(r"case '([a-z_.]+)'", text))
        assert not cases & events, (path.name, cases & events)


def test_selections_and_preparing_ask_the_kinds():
    """The kinds a Selection or an actions phase's source may name choose their items
    themselves; the group kind swaps its suggested themes after preparing."""
    from facilitator.phases.settings_base import SELECTION_KINDS

    for name in SELECTION_KINDS:
        hook = type(registry.kind(name)).selection_items
        assert hook is not PhaseKindSpec.selection_items, name
    assert type(registry.kind("group")).on_prepare is not PhaseKindSpec.on_prepare
    # What an actions phase offers from its source is the source kind's choice.
    for name in registry.kind("actions").source_kinds:
        hook = type(registry.kind(name)).action_candidates
        assert hook is not PhaseKindSpec.action_candidates, name


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

    def handler(event, payload, single_write=False):
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
