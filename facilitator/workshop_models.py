"""Workshop templates ("workshop models"): YAML files validated into pydantic models.

The file format is specified in docs/workshop-models.md; keep the two in step.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TextIO

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .phases import SETTINGS_MODULES, settings_module
from .phases.actions.settings import ActionsSettings
from .phases.group.settings import GroupSettings
from .phases.ideas.settings import Column, IdeasSettings
from .phases.info.settings import InfoSettings
from .phases.rate.settings import RateSettings, Scale, Statement
from .phases.settings_base import (
    LANGUAGES,
    SELECTION_KINDS,  # noqa: F401  (importable from here as before)
    TEXT_LIMITS,
    LocalizedText,
    PromptText,
    Selection,
    Slug,
    Strict,
    StrictInt,
    TitleText,
    check_unique_ids,
    custom_error,
    limit,
    limited_text,
    localize,
    raise_errors,
    selection_problems,
)
from .phases.summary.settings import SummarySettings
from .phases.vote.settings import VoteSettings

__all__ = [
    "ACTION_FIELDS",
    "DEFAULT_MODELS_DIR",
    "LANGUAGES",
    "PREPARABLE_PHASE_FIELDS",
    "PREPARABLE_SETTINGS",  # noqa: F822  (built by __getattr__ below)
    "TEXT_LIMITS",
    "ActionsSettings",
    "Column",
    "GroupSettings",
    "IdeasSettings",
    "InfoSettings",
    "LocalizedText",
    "ModelError",
    "ModelFileError",
    "Phase",
    "PhaseKind",
    "PhaseSettings",
    "RateSettings",
    "Scale",
    "Selection",
    "SeriesStep",
    "Statement",
    "SummarySettings",
    "VoteSettings",
    "WorkshopModel",
    "check_models_cli",
    "load_model_file",
    "load_models",
    "localize",
    "preparable_fields",
]

# The shipped templates live at the repository root, next to the package.
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "workshop_models"

# The actions form is the same in every template so exports stay comparable.
ACTION_FIELDS = ("what", "who", "due", "first_step", "follow_up")

MAX_PHASES = 40
MAX_PHASE_MINUTES = 240

# What participants do in a phase, one member per kind of facilitator.phases
# (SETTINGS_MODULES, in menu order); members compare equal to their string values.
PhaseKind = enum.StrEnum("PhaseKind", [(kind.upper(), kind) for kind in SETTINGS_MODULES])
PhaseKind.__doc__ = "What participants do in a phase; members compare equal to their string values."

# The shared types live in facilitator/phases/settings_base.py and each kind's settings
# in facilitator/phases/<kind>/settings.py; these names stay importable from here.
_custom_error = custom_error
_raise_errors = raise_errors
_check_unique_ids = check_unique_ids
_limit = limit
_limited_text = limited_text
_Strict = Strict

# The settings models of the first seven kinds (the kinds' own; see settings_model()).
PhaseSettings = (
    InfoSettings
    | IdeasSettings
    | GroupSettings
    | VoteSettings
    | RateSettings
    | ActionsSettings
    | SummarySettings
)

# What a facilitator may fill in when preparing a session (`prepare:` of a phase): the
# phase's own title and prompt, and the fields its kind's settings module lists in
# PREPARABLE; facilitator/prepare.py knows how each field is edited.
PREPARABLE_PHASE_FIELDS = ("title", "prompt")


def settings_model(kind: PhaseKind | str) -> type[BaseModel]:
    """Return the settings model of a kind: its settings module's SETTINGS (no app imports)."""
    return settings_module(str(kind)).SETTINGS


def source_kinds(kind: PhaseKind | str) -> tuple[PhaseKind, ...]:
    """Return the kinds a phase of this kind may name as its `source`."""
    return tuple(PhaseKind(k) for k in getattr(settings_module(str(kind)), "SOURCE_KINDS", ()))


def preparable_fields(kind: PhaseKind | str) -> tuple[str, ...]:
    """Return the fields a `prepare:` list of a phase of this kind may name."""
    return PREPARABLE_PHASE_FIELDS + getattr(settings_module(str(kind)), "PREPARABLE", ())


def prompt_required(kind: PhaseKind | str) -> bool:
    """Return whether a phase of this kind needs a prompt (all but summary)."""
    return getattr(settings_module(str(kind)), "PROMPT_REQUIRED", True)


def __getattr__(name: str) -> Any:
    """Build the per-kind tables from the kinds' settings modules when asked for."""
    tables = {
        "SETTINGS_BY_KIND": settings_model,
        "SOURCE_KINDS": source_kinds,
        "PREPARABLE_SETTINGS": lambda kind: preparable_fields(kind)[len(PREPARABLE_PHASE_FIELDS) :],
    }
    if name not in tables:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return {kind: tables[name](kind) for kind in PhaseKind}


class Phase(BaseModel):
    """One step of a workshop; `settings` is the settings model of its kind."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    kind: PhaseKind
    title: TitleText
    prompt: PromptText | None = None
    minutes: StrictInt = Field(ge=1, le=MAX_PHASE_MINUTES)
    notes: LocalizedText | None = None
    # Keep what an earlier vote or classify chose visible on phones and the projector.
    banner: Selection | None = None
    # Fields the facilitator may fill in when preparing a session (see PREPARABLE_*).
    prepare: list[Annotated[str, StringConstraints(strict=True)]] = Field(
        default_factory=list, max_length=10
    )
    # Only a fallback for model_construct: validation always fills in the kind's model
    # (its settings module's SETTINGS, which may extend the classes above); serialised
    # as that model, whatever its class.
    settings: SerializeAsAny[BaseModel] = Field(default_factory=SummarySettings)

    @field_validator("settings", mode="wrap")
    @classmethod
    def _validate_settings(cls, value: Any, handler: Any, info: ValidationInfo) -> Any:
        """Validate settings with the model of the phase's kind."""
        kind = info.data.get("kind")
        if kind is None:
            # The kind itself is already reported; guessing a model would add noise.
            return value
        # The union's own handler is skipped: it would try every kind and report them all.
        # A missing or empty `settings:` means all defaults.
        return settings_model(kind).model_validate({} if value is None else value)

    @model_validator(mode="before")
    @classmethod
    def _default_settings(cls, data: Any) -> Any:
        """Run settings validation even when the key is absent so required fields are caught."""
        if isinstance(data, Mapping) and "settings" not in data:
            data = {**data, "settings": None}
        return data

    @model_validator(mode="after")
    def _check_prompt(self) -> Phase:
        """Require a prompt where the kind does (every kind but summary)."""
        if self.prompt is None and prompt_required(self.kind):
            _raise_errors(
                type(self).__name__,
                [(("prompt",), f"a prompt is required for a {self.kind.value} phase", None)],
            )
        return self

    @model_validator(mode="after")
    def _check_prepare(self) -> Phase:
        """Allow in `prepare` only the fields this kind lets a facilitator fill in, once each."""
        allowed = preparable_fields(self.kind)
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        for index, name in enumerate(self.prepare):
            if name not in allowed:
                message = (
                    f"{name!r} cannot be prepared in a {self.kind.value} phase;"
                    f" allowed: {', '.join(allowed)}"
                )
                errors.append((("prepare", index), message, name))
            elif name in self.prepare[:index]:
                errors.append((("prepare", index), f"{name!r} is listed twice", name))
        if errors:
            _raise_errors(type(self).__name__, errors)
        return self


class SeriesStep(BaseModel):
    """Where a template stands in a series of sessions a team runs in order (series.py).

    Templates sharing `id` form the series; `order` places their step (1 = the first
    session); a `recurring` step may run again and again (`times`: how many sessions of
    it the series plans, none = as many as the team needs).
    """

    model_config = ConfigDict(extra="forbid")

    id: Slug
    title: TitleText
    step: Slug
    order: StrictInt = Field(ge=1, le=MAX_PHASES)
    recurring: bool = False
    times: StrictInt | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _check_times(self) -> SeriesStep:
        """Allow `times` only on a recurring step."""
        if self.times is not None and not self.recurring:
            _raise_errors(
                type(self).__name__,
                [(("times",), "times is only for a recurring step (recurring: true)", None)],
            )
        return self


class WorkshopModel(BaseModel):
    """A workshop template: metadata and the phases in running order."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    version: StrictInt = Field(ge=1)
    title: TitleText
    description: LocalizedText
    duration_minutes: StrictInt | None = Field(
        default=None, ge=1, le=MAX_PHASES * MAX_PHASE_MINUTES
    )
    phases: list[Phase] = Field(min_length=1, max_length=MAX_PHASES)
    # The series this template is a step of (docs/workshop-models.md, "Series").
    series: SeriesStep | None = None

    @model_validator(mode="after")
    def _check_phases(self) -> WorkshopModel:
        """Check unique phase ids and that every source names an earlier phase of the right kind."""
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        position: dict[str, int] = {}
        for index, phase in enumerate(self.phases):
            position.setdefault(phase.id, index)
        # One pass in phase order so the report reads top to bottom like the file.
        for index, phase in enumerate(self.phases):
            if position[phase.id] != index:
                message = f"duplicate phase id {phase.id!r} (also phases[{position[phase.id]}])"
                errors.append((("phases", index, "id"), message, phase.id))
            source = getattr(phase.settings, "source", None)
            if source is not None:
                message = self._source_problem(index, phase, source, position)
                if message:
                    errors.append((("phases", index, "settings", "source"), message, source))
                    continue
            if phase.banner is not None:
                errors += selection_problems(self, index, phase.banner, ("phases", index, "banner"))
            # A kind's settings may check what they name in other phases (columns, categories).
            check = getattr(phase.settings, "check_references", None)
            if check is not None:
                errors += [
                    (("phases", index, "settings", *loc), message, value)
                    for loc, message, value in check(self, index)
                ]
        if errors:
            _raise_errors(type(self).__name__, errors)
        if self.duration_minutes is None:
            self.duration_minutes = sum(phase.minutes for phase in self.phases)
        return self

    def _source_problem(
        self, index: int, phase: Phase, source: str, position: dict[str, int]
    ) -> str | None:
        """Return why `source` is not a valid reference from this phase, or None."""
        allowed = source_kinds(phase.kind)
        wanted = " or ".join(kind.value for kind in allowed)
        if source not in position:
            return f"no phase with id {source!r}; expected an earlier {wanted} phase"
        target_index = position[source]
        if target_index == index:
            return f"a phase cannot be its own source; expected an earlier {wanted} phase"
        if target_index > index:
            return f"phase {source!r} comes later; source must name an earlier {wanted} phase"
        target = self.phases[target_index]
        if target.kind not in allowed:
            return f"phase {source!r} is of kind {target.kind.value}; expected a {wanted} phase"
        return None

    def phase_index(self, phase_id: str) -> int:
        """Return the position of the phase with this id; raise KeyError if there is none."""
        for index, phase in enumerate(self.phases):
            if phase.id == phase_id:
                return index
        raise KeyError(phase_id)

    def to_snapshot(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict with every default filled in."""
        return self.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> WorkshopModel:
        """Rebuild a model from `to_snapshot` output."""
        return cls.model_validate(data)


class ModelError(Exception):
    """One problem in one template file, pointing at the field where possible."""

    def __init__(self, path: str, field: str, message: str) -> None:
        """Store where the problem is and what it is."""
        super().__init__(path, field, message)
        self.path = path
        self.field = field
        self.message = message

    def __str__(self) -> str:
        """Format as 'path: field: message', leaving out an empty field."""
        if self.field:
            return f"{self.path}: {self.field}: {self.message}"
        return f"{self.path}: {self.message}"


class ModelFileError(Exception):
    """A template file that failed to load, with every problem found in it."""

    def __init__(self, errors: list[ModelError]) -> None:
        """Store the problems found."""
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        """Join the problems one per line."""
        return "\n".join(str(error) for error in self.errors)


# Pydantic's wording is written for programmers; template authors edit YAML.
_FRIENDLY_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown key (check the spelling; see docs/workshop-models.md)",
    "model_type": "expected a mapping (key: value pairs)",
    "model_attributes_type": "expected a mapping (key: value pairs)",
    "dict_type": "expected a mapping (key: value pairs)",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "string_pattern_mismatch": "expected an id of 2-64 characters a-z, 0-9 and -",
}


# For these the offending value is short and helps spot the typo.
_SHOW_INPUT = {"enum", "literal_error", "string_pattern_mismatch"}


def _format_loc(loc: Sequence[str | int]) -> str:
    """Format a pydantic loc as a field path like `phases[2].settings.budget`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _errors_from_validation(path: str, error: ValidationError) -> list[ModelError]:
    """Turn each pydantic error into a ModelError."""
    result = []
    for item in error.errors(include_url=False):
        message = _FRIENDLY_MESSAGES.get(item["type"], item["msg"])
        if item["type"] in _SHOW_INPUT:
            message = f"{message}, found {item['input']!r}"
        result.append(ModelError(path, _format_loc(item["loc"]), message))
    return result


class _TemplateLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys."""


def _construct_mapping(loader: _TemplateLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, failing on a repeated key instead of keeping the last one."""
    # PyYAML silently keeps the last duplicate, which hides half-edited templates.
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            # PyYAML itself reports unhashable keys with a better message.
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_TemplateLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def _yaml_error(path: str, error: yaml.YAMLError) -> ModelError:
    """Describe a YAML syntax error with its line number."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        message = f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    else:
        message = f"invalid YAML: {problem}"
    return ModelError(path, "", message)


def load_model_file(path: str | Path) -> WorkshopModel:
    """Load and validate one template file; raise ModelFileError listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ModelFileError([ModelError(name, "", f"cannot read file: {error}")]) from error
    try:
        data = yaml.load(text, Loader=_TemplateLoader)
    except yaml.YAMLError as error:
        raise ModelFileError([_yaml_error(name, error)]) from error
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        message = f"the top level must be a mapping of fields, found {found}"
        raise ModelFileError([ModelError(name, "", message)])

    errors: list[ModelError] = []
    model: WorkshopModel | None = None
    try:
        model = WorkshopModel.model_validate(data)
    except ValidationError as error:
        errors.extend(_errors_from_validation(name, error))
    file_id = data.get("id")
    # Sessions and links refer to templates by id, so the file name must say which it is.
    if isinstance(file_id, str) and file_id != path.stem:
        errors.append(
            ModelError(name, "id", f"id {file_id!r} must equal the file name {path.stem!r}")
        )
    if errors or model is None:
        raise ModelFileError(errors)
    return model


def _model_files(models_dir: Path) -> list[Path]:
    """List the template files in a directory, sorted by name."""
    files = [p for p in models_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.name)


def load_models(
    models_dir: str | Path,
) -> tuple[dict[str, WorkshopModel], list[ModelError]]:
    """Load every template in a directory; return the good ones by id and all problems."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return {}, [ModelError(str(models_dir), "", "not a directory")]
    models: dict[str, WorkshopModel] = {}
    origins: dict[str, Path] = {}
    errors: list[ModelError] = []
    for path in _model_files(models_dir):
        try:
            model = load_model_file(path)
        except ModelFileError as error:
            errors.extend(error.errors)
            continue
        if model.id in models:
            message = f"duplicate id {model.id!r}, already used by {origins[model.id].name}"
            errors.append(ModelError(str(path), "id", message))
            continue
        models[model.id] = model
        origins[model.id] = path
    errors += _series_problems(models, origins)
    return models, errors


def _series_problems(
    models: dict[str, WorkshopModel], origins: dict[str, Path]
) -> list[ModelError]:
    """Check that the templates of one series agree on its title and use distinct steps."""
    errors: list[ModelError] = []
    first: dict[str, WorkshopModel] = {}
    steps: dict[tuple[str, str], str] = {}
    orders: dict[tuple[str, int], str] = {}
    for model in models.values():
        series = model.series
        if series is None:
            continue
        name = str(origins[model.id])
        earlier = first.setdefault(series.id, model)
        if earlier is not model and earlier.series.title != series.title:
            errors.append(
                ModelError(
                    name,
                    "series.title",
                    f"differs from the title of series {series.id!r} in {origins[earlier.id].name}",
                )
            )
        other = steps.setdefault((series.id, series.step), model.id)
        if other != model.id:
            message = f"step {series.step!r} of series {series.id!r} is also {other!r}"
            errors.append(ModelError(name, "series.step", message))
        other = orders.setdefault((series.id, series.order), model.id)
        if other != model.id:
            message = f"order {series.order} of series {series.id!r} is also {other!r}"
            errors.append(ModelError(name, "series.order", message))
    return errors


def check_models_cli(models_dir: str | Path, out: TextIO = sys.stdout) -> int:
    """Validate every template in a directory, print the problems and return an exit code."""
    models_dir = Path(models_dir)
    _, errors = load_models(models_dir)
    count = len(_model_files(models_dir)) if models_dir.is_dir() else 0
    for error in errors:
        print(error, file=out)
    templates = "template" if count == 1 else "templates"
    problems = "error" if len(errors) == 1 else "errors"
    print(f"{count} {templates} checked, {len(errors)} {problems}", file=out)
    return 1 if errors else 0
