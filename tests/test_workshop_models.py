"""Tests for workshop templates: the shipped files and the errors authors see."""

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from facilitator.workshop_models import (
    LANGUAGES,
    IdeasSettings,
    ModelError,
    ModelFileError,
    PhaseKind,
    VoteSettings,
    WorkshopModel,
    check_models_cli,
    load_model_file,
    load_models,
    localize,
)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "workshop_models"


def valid_template(template_id: str = "tiny") -> dict[str, Any]:
    """Return a small template that uses every phase kind and loads cleanly."""
    return {
        "id": template_id,
        "version": 1,
        "title": {"fi": "Pieni", "sv": "Liten", "en": "Tiny"},
        "description": "Testipohja.",
        "phases": [
            {"id": "intro", "kind": "info", "title": "Alku", "prompt": "Tervetuloa", "minutes": 5},
            {
                "id": "pulse",
                "kind": "rate",
                "title": "Pulssi",
                "prompt": "Arvioi",
                "minutes": 5,
                "settings": {"statements": [{"id": "s1", "text": "Tieto kulkee."}]},
            },
            {
                "id": "ideas",
                "kind": "ideas",
                "title": "Ideat",
                "prompt": "Mitä muutetaan?",
                "minutes": 10,
                "settings": {"columns": [{"id": "keep", "title": "Säilytä"}]},
            },
            {
                "id": "themes",
                "kind": "group",
                "title": "Teemat",
                "prompt": "Ryhmittele",
                "minutes": 5,
                "settings": {"source": "ideas"},
            },
            {
                "id": "vote",
                "kind": "vote",
                "title": "Äänestys",
                "prompt": "Valitse",
                "minutes": 5,
                "settings": {"source": "themes", "budget": 3, "per_item_cap": 2},
            },
            {
                "id": "actions",
                "kind": "actions",
                "title": "Teot",
                "prompt": "Sovitaan",
                "minutes": 10,
                "settings": {"source": "vote"},
            },
            {"id": "summary", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
        ],
    }


def write_template(directory: Path, data: Any, name: str = "tiny") -> Path:
    """Write a template dict as YAML and return its path."""
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_errors(path: Path) -> list[ModelError]:
    """Load a file that must fail and return its errors."""
    with pytest.raises(ModelFileError) as info:
        load_model_file(path)
    assert info.value.errors, "a failing file must report at least one error"
    return info.value.errors


def phase(data: dict[str, Any], phase_id: str) -> dict[str, Any]:
    """Return the phase dict with this id from a template dict."""
    return next(p for p in data["phases"] if p["id"] == phase_id)


def test_shipped_templates_load_and_cover_every_phase_kind() -> None:
    models, errors = load_models(SHIPPED_DIR)

    assert errors == []
    assert {"keep-change-give-up", "sytyttaja"} <= set(models)
    kinds = {p.kind for model in models.values() for p in model.phases}
    assert kinds == set(PhaseKind)


def test_shipped_templates_have_notes_and_all_translations() -> None:
    models, _ = load_models(SHIPPED_DIR)

    def texts(value: Any) -> list[dict[str, str]]:
        """Collect every localised text in a snapshot."""
        if isinstance(value, dict):
            if "fi" in value and set(value) <= set(LANGUAGES):
                return [value]
            return [t for v in value.values() for t in texts(v)]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return []

    for model in models.values():
        assert all(p.notes for p in model.phases), model.id
        for text in texts(model.to_snapshot()):
            assert set(text) == set(LANGUAGES), (model.id, text)


def test_shipped_templates_match_their_intended_shape() -> None:
    models, _ = load_models(SHIPPED_DIR)
    kcg = models["keep-change-give-up"]
    sytyttaja = models["sytyttaja"]

    assert 50 <= kcg.duration_minutes <= 70
    ideas = kcg.phases[kcg.phase_index("ideas")].settings
    assert isinstance(ideas, IdeasSettings)
    assert [localize(c.title, "fi") for c in ideas.columns] == ["Säilytä", "Muuta", "Luovu"]
    kcg_votes = [p.settings for p in kcg.phases if p.kind is PhaseKind.VOTE]
    assert [(v.budget, v.per_item_cap) for v in kcg_votes] == [(3, 2)]

    assert 100 <= sytyttaja.duration_minutes <= 140
    vote = next(p.settings for p in sytyttaja.phases if p.kind is PhaseKind.VOTE)
    assert isinstance(vote, VoteSettings)
    assert (vote.budget, vote.per_item_cap, vote.show_results) == (3, 1, "after_close")
    group = sytyttaja.phases[sytyttaja.phase_index(vote.source)]
    assert group.kind is PhaseKind.GROUP and group.settings.themes


def test_check_models_cli_passes_for_shipped_dir() -> None:
    out = io.StringIO()

    assert check_models_cli(SHIPPED_DIR, out=out) == 0
    assert out.getvalue().strip().endswith("templates checked, 0 errors")


def test_check_models_cli_names_the_broken_file(tmp_path: Path) -> None:
    write_template(tmp_path, valid_template("good"), name="good")
    broken = valid_template("broken")
    del broken["phases"][0]["minutes"]
    write_template(tmp_path, broken, name="broken")
    out = io.StringIO()

    assert check_models_cli(tmp_path, out=out) == 1
    lines = out.getvalue().splitlines()
    assert any("broken.yaml" in line and "phases[0].minutes" in line for line in lines)
    assert not any("good.yaml" in line for line in lines)
    assert lines[-1] == "2 templates checked, 1 error"


def test_load_models_keeps_good_files_beside_broken_ones(tmp_path: Path) -> None:
    write_template(tmp_path, valid_template("good"), name="good")
    (tmp_path / "bad.yml").write_text("id: bad\n  version: 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a template", encoding="utf-8")

    models, errors = load_models(tmp_path)

    assert list(models) == ["good"]
    assert [Path(e.path).name for e in errors] == ["bad.yml"]


def mutate_missing_title(data: dict[str, Any]) -> str:
    """Drop the template title."""
    del data["title"]
    return "title"


def mutate_unknown_kind(data: dict[str, Any]) -> str:
    """Misspell a phase kind."""
    phase(data, "themes")["kind"] = "grouping"
    return "phases[3].kind"


def mutate_bad_source(data: dict[str, Any]) -> str:
    """Point a vote at a phase that does not exist."""
    phase(data, "vote")["settings"]["source"] = "nowhere"
    return "phases[4].settings.source"


def mutate_forward_source(data: dict[str, Any]) -> str:
    """Point a group at an ideas phase that comes after it."""
    data["phases"].append(
        {"id": "later", "kind": "ideas", "title": "Myöhemmin", "prompt": "?", "minutes": 5}
    )
    phase(data, "themes")["settings"]["source"] = "later"
    return "phases[3].settings.source"


def mutate_wrong_source_kind(data: dict[str, Any]) -> str:
    """Point actions at a group phase (actions take an ideas, classify or vote phase)."""
    phase(data, "actions")["settings"]["source"] = "themes"
    return "phases[5].settings.source"


def mutate_cap_over_budget(data: dict[str, Any]) -> str:
    """Allow more dots per item than a person has."""
    phase(data, "vote")["settings"].update(budget=2, per_item_cap=3)
    return "phases[4].settings.per_item_cap"


def mutate_unknown_settings_key(data: dict[str, Any]) -> str:
    """Add a misspelt settings key."""
    phase(data, "vote")["settings"]["budjet"] = 5
    return "phases[4].settings.budjet"


def mutate_id_not_file_name(data: dict[str, Any]) -> str:
    """Give the template an id other than its file name."""
    data["id"] = "other-name"
    return "id"


def mutate_duplicate_phase_id(data: dict[str, Any]) -> str:
    """Reuse a phase id."""
    phase(data, "summary")["id"] = "intro"
    return "phases[6].id"


def mutate_low_min_responses(data: dict[str, Any]) -> str:
    """Show rating distributions for fewer than five answers."""
    phase(data, "pulse")["settings"]["min_responses"] = 3
    return "phases[1].settings.min_responses"


def mutate_missing_vote_source(data: dict[str, Any]) -> str:
    """Leave out the settings a vote cannot do without."""
    del phase(data, "vote")["settings"]
    return "phases[4].settings.source"


def mutate_missing_prompt(data: dict[str, Any]) -> str:
    """Leave out the question of an ideas phase."""
    del phase(data, "ideas")["prompt"]
    return "phases[2].prompt"


def mutate_unknown_language(data: dict[str, Any]) -> str:
    """Add a language the product does not offer."""
    data["title"]["de"] = "Klein"
    return "title"


def mutate_empty_finnish(data: dict[str, Any]) -> str:
    """Give a statement only whitespace in Finnish."""
    phase(data, "pulse")["settings"]["statements"][0]["text"] = {"fi": "  ", "en": "Info flows."}
    return "phases[1].settings.statements[0].text"


def mutate_long_scale(data: dict[str, Any]) -> str:
    """Use a scale too long to answer on a phone."""
    phase(data, "pulse")["settings"]["scale"] = {"min": 0, "max": 11}
    return "phases[1].settings.scale.max"


def mutate_duplicate_column(data: dict[str, Any]) -> str:
    """Repeat a column id."""
    phase(data, "ideas")["settings"]["columns"].append({"id": "keep", "title": "Taas"})
    return "phases[2].settings.columns[1].id"


def mutate_yes_as_minutes(data: dict[str, Any]) -> str:
    """Write a YAML boolean where a number belongs."""
    phase(data, "intro")["minutes"] = True
    return "phases[0].minutes"


def mutate_prepare_field_of_other_kind(data: dict[str, Any]) -> str:
    """Let a rate phase prepare columns, which only an ideas phase has."""
    phase(data, "pulse")["prepare"] = ["statements", "columns"]
    return "phases[1].prepare[1]"


def mutate_prepare_settings_not_preparable(data: dict[str, Any]) -> str:
    """Let a vote phase prepare its budget, which is not text to fill in."""
    phase(data, "vote")["prepare"] = ["budget"]
    return "phases[4].prepare[0]"


def mutate_prepare_twice(data: dict[str, Any]) -> str:
    """Name a preparable field twice."""
    phase(data, "ideas")["prepare"] = ["columns", "prompt", "columns"]
    return "phases[2].prepare[2]"


def mutate_prepare_not_a_list(data: dict[str, Any]) -> str:
    """Write `prepare` as one word instead of a list."""
    phase(data, "intro")["prepare"] = "prompt"
    return "phases[0].prepare"


def mutate_statement_too_long(data: dict[str, Any]) -> str:
    """Write a statement longer than a facilitator could type when preparing."""
    phase(data, "pulse")["settings"]["statements"][0]["text"] = {"fi": "x" * 301}
    return "phases[1].settings.statements[0].text"


@pytest.mark.parametrize(
    "mutate",
    [
        mutate_prepare_field_of_other_kind,
        mutate_prepare_settings_not_preparable,
        mutate_prepare_twice,
        mutate_prepare_not_a_list,
        mutate_statement_too_long,
        mutate_missing_title,
        mutate_unknown_kind,
        mutate_bad_source,
        mutate_forward_source,
        mutate_wrong_source_kind,
        mutate_cap_over_budget,
        mutate_unknown_settings_key,
        mutate_id_not_file_name,
        mutate_duplicate_phase_id,
        mutate_low_min_responses,
        mutate_missing_vote_source,
        mutate_missing_prompt,
        mutate_unknown_language,
        mutate_empty_finnish,
        mutate_long_scale,
        mutate_duplicate_column,
        mutate_yes_as_minutes,
    ],
    ids=lambda f: f.__name__.removeprefix("mutate_"),
)
def test_broken_file_names_file_and_field(tmp_path: Path, mutate: Any) -> None:
    data = copy.deepcopy(valid_template())
    field = mutate(data)
    path = write_template(tmp_path, data)

    errors = load_errors(path)

    assert field in [e.field for e in errors], [str(e) for e in errors]
    error = next(e for e in errors if e.field == field)
    assert error.path == str(path)
    assert error.message
    assert str(error) == f"{path}: {field}: {error.message}"


def test_bad_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("id: tiny\nversion: 1\ntitle: [unclosed\n", encoding="utf-8")

    [error] = load_errors(path)

    assert error.path == str(path)
    assert error.field == ""
    assert "line " in error.message
    assert str(error) == f"{path}: {error.message}"


def test_duplicate_yaml_key_is_an_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("id: tiny\nversion: 1\nversion: 2\n", encoding="utf-8")

    [error] = load_errors(path)

    assert "line 3" in error.message and "version" in error.message


@pytest.mark.parametrize("content", ["", "- id: tiny\n", "just text\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, content: str) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(content, encoding="utf-8")

    [error] = load_errors(path)

    assert error.field == ""
    assert "mapping" in error.message


def test_model_file_error_lists_every_problem(tmp_path: Path) -> None:
    data = valid_template()
    data["version"] = 0
    phase(data, "vote")["settings"]["budget"] = 0
    path = write_template(tmp_path, data)

    with pytest.raises(ModelFileError) as info:
        load_model_file(path)

    fields = {e.field for e in info.value.errors}
    assert {"version", "phases[4].settings.budget"} <= fields
    assert str(info.value).splitlines() == [str(e) for e in info.value.errors]


def test_duplicate_ids_across_yaml_and_yml(tmp_path: Path) -> None:
    write_template(tmp_path, valid_template("same"), name="same")
    (tmp_path / "same.yml").write_text(
        yaml.safe_dump(valid_template("same"), allow_unicode=True), encoding="utf-8"
    )

    models, errors = load_models(tmp_path)

    assert list(models) == ["same"]
    assert [(Path(e.path).name, e.field) for e in errors] == [("same.yml", "id")]


def test_defaults_and_computed_duration() -> None:
    model = WorkshopModel.model_validate(valid_template())

    assert model.duration_minutes == sum(p.minutes for p in model.phases) == 45
    assert model.title == {"fi": "Pieni", "sv": "Liten", "en": "Tiny"}
    assert model.description == {"fi": "Testipohja."}
    ideas = model.phases[model.phase_index("ideas")].settings
    assert (ideas.wall, ideas.max_ideas_per_person) == ("participants", 20)
    vote = model.phases[model.phase_index("vote")].settings
    assert vote.show_results == "after_close"
    assert model.phases[-1].prompt is None

    explicit = WorkshopModel.model_validate({**valid_template(), "duration_minutes": 90})
    assert explicit.duration_minutes == 90


def test_phase_index_of_unknown_phase_raises_key_error() -> None:
    model = WorkshopModel.model_validate(valid_template())

    assert model.phase_index("vote") == 4
    with pytest.raises(KeyError):
        model.phase_index("missing")


def test_snapshot_round_trip() -> None:
    models, _ = load_models(SHIPPED_DIR)
    models["tiny"] = WorkshopModel.model_validate(valid_template())

    for model in models.values():
        snapshot = model.to_snapshot()
        # Snapshots are stored as JSON with the session, so they must survive it.
        restored = WorkshopModel.from_snapshot(json.loads(json.dumps(snapshot)))
        assert restored == model
        assert restored.to_snapshot() == snapshot

    snapshot = models["tiny"].to_snapshot()
    assert snapshot["phases"][4]["kind"] == "vote"
    assert snapshot["phases"][4]["settings"] == {
        "source": "themes",
        "budget": 3,
        "per_item_cap": 2,
        "show_results": "after_close",
        "columns": None,
        "categories": None,
    }
    assert snapshot["phases"][6]["settings"] == {}


def test_localize_falls_back_to_finnish() -> None:
    text = {"fi": "Säilytä", "sv": "Behåll"}

    assert localize(text, "sv") == "Behåll"
    assert localize(text, "sv_FI") == "Behåll"
    assert localize(text, "en") == "Säilytä"
    assert localize(text, "fi") == "Säilytä"
    assert localize(None, "sv") == ""


def test_empty_translation_falls_back_to_finnish() -> None:
    data = valid_template()
    data["title"] = {"fi": "  Pieni  ", "sv": " ", "en": None}

    model = WorkshopModel.model_validate(data)

    assert model.title == {"fi": "Pieni"}
    assert localize(model.title, "sv") == "Pieni"


def test_check_models_names_file_and_field_of_a_bad_prepare_entry(tmp_path: Path) -> None:
    """check-models says which file, which field and what the kind allows."""
    data = valid_template()
    phase(data, "pulse")["prepare"] = ["columns"]
    path = write_template(tmp_path, data)
    out = io.StringIO()

    assert check_models_cli(tmp_path, out=out) == 1

    report = out.getvalue()
    assert f"{path}: phases[1].prepare[0]:" in report
    assert "'columns' cannot be prepared in a rate phase" in report
    assert "allowed: title, prompt, statements" in report


def test_prepare_lists_load_and_survive_the_snapshot() -> None:
    """Every kind's allowed preparable fields load; the list travels in the snapshot."""
    data = valid_template()
    allowed = {
        "intro": ["title", "prompt", "link", "link_label"],
        "pulse": ["prompt", "statements"],
        "ideas": ["columns"],
        "themes": ["themes", "title"],
        "vote": ["prompt"],
        "summary": ["prompt"],
    }
    for phase_id, fields in allowed.items():
        phase(data, phase_id)["prepare"] = fields
    model = WorkshopModel.model_validate(data)
    restored = WorkshopModel.from_snapshot(model.to_snapshot())
    assert {p.id: p.prepare for p in restored.phases if p.prepare} == allowed


def test_settings_names_still_import_from_workshop_models():
    """The kinds' settings moved to facilitator/phases/<kind>/settings.py; the old names
    stay importable from workshop_models and are the kinds' own classes."""
    from facilitator import workshop_models as wm
    from facilitator.phases import settings_module
    from facilitator.phases.ideas.settings import Column
    from facilitator.phases.rate.settings import RateSettings, Scale, Statement

    assert IdeasSettings is settings_module("ideas").SETTINGS
    assert VoteSettings is settings_module("vote").SETTINGS
    assert (wm.RateSettings, wm.Scale, wm.Statement, wm.Column) == (
        RateSettings,
        Scale,
        Statement,
        Column,
    )
    for name in wm.__all__:
        assert getattr(wm, name) is not None, name
    # The per-kind tables are read from the kinds' settings modules.
    assert wm.PREPARABLE_SETTINGS[PhaseKind.IDEAS] == ("columns",)
    assert wm.PREPARABLE_SETTINGS[PhaseKind.VOTE] == ()
    assert wm.SOURCE_KINDS[PhaseKind.GROUP] == (PhaseKind.IDEAS,)
    assert wm.SOURCE_KINDS[PhaseKind.INFO] == ()
    assert wm.SETTINGS_BY_KIND[PhaseKind.SUMMARY] is settings_module("summary").SETTINGS
    assert wm.prompt_required(PhaseKind.SUMMARY) is False
    assert wm.prompt_required(PhaseKind.IDEAS) is True
