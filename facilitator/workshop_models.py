"""Workshop templates ("workshop models"): YAML files validated into pydantic models.

The file format is specified in docs/workshop-models.md; keep the two in step.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "ACTION_FIELDS",
    "DEFAULT_MODELS_DIR",
    "LANGUAGES",
    "PREPARABLE_PHASE_FIELDS",
    "PREPARABLE_SETTINGS",
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

LANGUAGES = ("fi", "sv", "en")

# The shipped templates live at the repository root, next to the package.
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "workshop_models"

# The actions form is the same in every template so exports stay comparable.
ACTION_FIELDS = ("what", "who", "due", "first_step", "follow_up")

MAX_PHASES = 40
MAX_PHASE_MINUTES = 240

# Longest text (characters, per language) of the fields a facilitator may also fill in
# when preparing a session (facilitator/prepare.py): the YAML obeys the same limits.
TEXT_LIMITS = {
    "title": 120,
    "prompt": 4000,
    "link": 2000,
    "link_label": 200,
    "columns": 80,
    "themes": 200,
    "statements": 300,
    "options": 200,
    "items": 300,
    "categories": 80,
    "questions": 1000,
}


class PhaseKind(enum.StrEnum):
    """What participants do in a phase; members compare equal to their string values."""

    INFO = "info"
    IDEAS = "ideas"
    GROUP = "group"
    VOTE = "vote"
    CLASSIFY = "classify"
    RATE = "rate"
    ACTIONS = "actions"
    SUMMARY = "summary"
    SMALL_GROUPS = "small_groups"
    POLL = "poll"
    PRIVATE = "private"


def _custom_error(message: str) -> PydanticCustomError:
    """Wrap a message as a pydantic error without the 'Value error, ' prefix."""
    # Passing the text through ctx keeps braces in it from being read as placeholders.
    return PydanticCustomError("workshop_model", "{message}", {"message": message})


def _raise_errors(title: str, errors: Sequence[tuple[tuple[str | int, ...], str, Any]]) -> None:
    """Raise one ValidationError carrying several (loc, message, input) errors."""
    # A ValidationError raised inside a validator keeps its locs, prefixed by the
    # caller's, so every problem points at its own field instead of the whole model.
    details = [
        InitErrorDetails(type=_custom_error(message), loc=loc, input=value)
        for loc, message, value in errors
    ]
    raise ValidationError.from_exception_data(title, details)


def _normalize_text(value: Any) -> dict[str, str]:
    """Turn a plain string or a language mapping into a dict that always has Finnish."""
    if isinstance(value, str):
        value = {"fi": value}
    if not isinstance(value, Mapping):
        raise _custom_error("expected text or a mapping of language code (fi, sv, en) to text")
    result: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise _custom_error(f"unknown language {lang!r}; use {', '.join(LANGUAGES)}")
        # An empty translation is left out so the reader falls back to Finnish.
        if text is None:
            continue
        if not isinstance(text, str):
            raise _custom_error(f"{lang}: expected text, got {type(text).__name__}")
        text = text.strip()
        if text:
            result[lang] = text
    if "fi" not in result:
        raise _custom_error("Finnish text (fi) is required and must not be empty")
    return {lang: result[lang] for lang in LANGUAGES if lang in result}


LocalizedText = Annotated[dict[str, str], BeforeValidator(_normalize_text)]


def _limit(max_chars: int) -> AfterValidator:
    """Return a validator refusing a localised text longer than `max_chars` in any language."""

    def check(value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if len(text) > max_chars:
                raise _custom_error(
                    f"{lang}: text is {len(text)} characters long; at most {max_chars} allowed"
                )
        return value

    return AfterValidator(check)


def _limited_text(field: str) -> Any:
    """Return the localised text type of a field with a length limit in TEXT_LIMITS."""
    return Annotated[LocalizedText, _limit(TEXT_LIMITS[field])]


TitleText = _limited_text("title")
PromptText = _limited_text("prompt")
LinkLabelText = _limited_text("link_label")
ColumnText = _limited_text("columns")
ThemeText = _limited_text("themes")
StatementText = _limited_text("statements")

Slug = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9-]{2,64}$")]

# Strict so YAML booleans (yes/no) and quoted numbers are caught instead of coerced.
StrictInt = Annotated[int, Field(strict=True)]


def localize(text: dict[str, str] | None, lang: str, fallback: str = "fi") -> str:
    """Return the text in `lang`, else in `fallback`, else in Finnish, or "" for no text."""
    if not text:
        return ""
    # Browsers and Babel hand out regional tags such as "sv-FI" or "sv_FI".
    primary = lang.replace("_", "-").split("-", 1)[0].lower() if lang else "fi"
    return text.get(primary) or text.get(fallback) or text.get("fi", "")


class _Strict(BaseModel):
    """Base for template parts: unknown keys are errors, typos must not vanish silently."""

    model_config = ConfigDict(extra="forbid")


class Column(_Strict):
    """One column of an ideas wall, e.g. keep / change / give up."""

    id: Slug
    title: ColumnText


class Statement(_Strict):
    """One statement participants rate on the scale."""

    id: Slug
    text: StatementText


class Scale(_Strict):
    """The rating scale of a rate phase."""

    min: StrictInt = 1
    max: StrictInt = 5
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None

    @field_validator("max")
    @classmethod
    def _check_span(cls, value: int, info: ValidationInfo) -> int:
        """Reject scales that are empty, reversed or too long to answer on a phone."""
        low = info.data.get("min")
        if low is not None and not 1 <= value - low <= 10:
            raise _custom_error(f"max - min must be between 1 and 10 (min is {low})")
        return value


class InfoSettings(_Strict):
    """Settings of an info phase."""

    link: Annotated[str, StringConstraints(max_length=TEXT_LIMITS["link"])] | None = None
    link_label: LinkLabelText | None = None

    @field_validator("link")
    @classmethod
    def _check_link(cls, value: str | None) -> str | None:
        """Accept only absolute http(s) links."""
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _custom_error("link must be an http:// or https:// URL")
        return value


class IdeasSettings(_Strict):
    """Settings of an ideas phase."""

    columns: list[Column] = Field(default_factory=list, max_length=6)
    wall: Literal["participants", "projector"] = "participants"
    max_ideas_per_person: StrictInt = Field(default=20, ge=1, le=50)

    @model_validator(mode="after")
    def _check_unique_columns(self) -> IdeasSettings:
        """Reject repeated column ids, which would merge two columns' ideas."""
        _check_unique_ids(type(self).__name__, "columns", [c.id for c in self.columns])
        return self


class GroupSettings(_Strict):
    """Settings of a group phase."""

    source: Slug
    themes: list[ThemeText] = Field(default_factory=list, max_length=20)


class VoteSettings(_Strict):
    """Settings of a vote phase."""

    source: Slug
    budget: StrictInt = Field(default=3, ge=1, le=20)
    per_item_cap: StrictInt = Field(default=1, ge=1, le=20)
    show_results: Literal["live", "after_close"] = "after_close"

    @field_validator("per_item_cap")
    @classmethod
    def _check_cap(cls, value: int, info: ValidationInfo) -> int:
        """Reject a cap that a participant could never reach with their dots."""
        budget = info.data.get("budget")
        if budget is not None and value > budget:
            raise _custom_error(f"per_item_cap ({value}) must not exceed budget ({budget})")
        return value


class RateSettings(_Strict):
    """Settings of a rate phase."""

    statements: list[Statement] = Field(min_length=1, max_length=30)
    scale: Scale = Field(default_factory=Scale)
    # Below five answers a distribution could reveal how one person answered.
    min_responses: StrictInt = Field(default=5, ge=5)

    @model_validator(mode="after")
    def _check_unique_statements(self) -> RateSettings:
        """Reject repeated statement ids, which would mix two statements' answers."""
        _check_unique_ids(type(self).__name__, "statements", [s.id for s in self.statements])
        return self


class ActionsSettings(_Strict):
    """Settings of an actions phase."""

    source: Slug | None = None


class Selection(_Strict):
    """What a later phase takes from an earlier one: a vote's top items or a classify's
    items of some categories (`columns_from` of an ideas phase, a phase's `banner`)."""

    phase: Slug
    # A vote: its N items with the most votes (at least one vote each); default 3.
    top: StrictInt | None = Field(default=None, ge=1, le=20)
    # A classify phase: the items whose decided category is one of these (required).
    categories: list[Slug] | None = Field(default=None, min_length=1, max_length=6)

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, data: Any) -> Any:
        """Accept a bare phase id as `{phase: id}`."""
        return {"phase": data} if isinstance(data, str) else data


# Kinds a Selection may name: they choose items (a vote's winners, a classify's categories).
SELECTION_KINDS = ("vote", "classify")


def selection_problems(
    model: WorkshopModel, index: int, selection: Selection, loc: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str, Any]]:
    """Return what is wrong with a Selection of phase `index` (an earlier vote or classify)."""
    wanted = " or ".join(SELECTION_KINDS)
    ids = [p.id for p in model.phases]
    if selection.phase not in ids:
        message = f"no phase with id {selection.phase!r}; expected an earlier {wanted} phase"
        return [((*loc, "phase"), message, selection.phase)]
    target_index = ids.index(selection.phase)
    if target_index >= index:
        message = f"phase {selection.phase!r} is not earlier; expected an earlier {wanted} phase"
        return [((*loc, "phase"), message, selection.phase)]
    target = model.phases[target_index]
    if target.kind not in SELECTION_KINDS:
        message = f"phase {selection.phase!r} is of kind {target.kind}; expected a {wanted} phase"
        return [((*loc, "phase"), message, selection.phase)]
    if target.kind == "vote" and selection.categories is not None:
        return [((*loc, "categories"), "categories only apply to a classify phase", None)]
    if target.kind == "classify":
        if selection.categories is None:
            message = f"name the categories of {selection.phase!r} to take"
            return [((*loc, "categories"), message, None)]
        known = [c.id for c in target.settings.categories]
        return [
            ((*loc, "categories", i), f"no category {c!r} in {selection.phase!r}", c)
            for i, c in enumerate(selection.categories)
            if c not in known
        ]
    return []


class SummarySettings(_Strict):
    """Settings of a summary phase (there are none)."""


PhaseSettings = (
    InfoSettings
    | IdeasSettings
    | GroupSettings
    | VoteSettings
    | RateSettings
    | ActionsSettings
    | SummarySettings
)

SETTINGS_BY_KIND: dict[PhaseKind, type[BaseModel]] = {
    PhaseKind.INFO: InfoSettings,
    PhaseKind.IDEAS: IdeasSettings,
    PhaseKind.GROUP: GroupSettings,
    PhaseKind.VOTE: VoteSettings,
    PhaseKind.RATE: RateSettings,
    PhaseKind.ACTIONS: ActionsSettings,
    PhaseKind.SUMMARY: SummarySettings,
}

# What a facilitator may fill in when preparing a session (`prepare:` of a phase):
# the phase's own title and prompt, and per kind these settings fields. A new kind
# adds one entry here; facilitator/prepare.py knows how each field is edited.
PREPARABLE_PHASE_FIELDS = ("title", "prompt")
PREPARABLE_SETTINGS: dict[PhaseKind, tuple[str, ...]] = {
    PhaseKind.INFO: ("link", "link_label"),
    PhaseKind.IDEAS: ("columns",),
    PhaseKind.GROUP: ("themes",),
    PhaseKind.CLASSIFY: ("categories",),
    PhaseKind.RATE: ("statements",),
    PhaseKind.SMALL_GROUPS: ("questions",),
    PhaseKind.POLL: ("options",),
    PhaseKind.PRIVATE: ("items",),
}

# Which kinds each kind's `source` may name.
SOURCE_KINDS: dict[PhaseKind, tuple[PhaseKind, ...]] = {
    PhaseKind.GROUP: (PhaseKind.IDEAS,),
    PhaseKind.VOTE: (PhaseKind.IDEAS, PhaseKind.GROUP),
    PhaseKind.ACTIONS: (PhaseKind.VOTE,),
}


def settings_model(kind: PhaseKind | str) -> type[BaseModel]:
    """Return the settings model of a kind: its settings module's SETTINGS (no app imports)."""
    from .phases import settings_module

    return settings_module(str(kind)).SETTINGS


def source_kinds(kind: PhaseKind | str) -> tuple[PhaseKind, ...]:
    """Return the kinds a phase of this kind may name as its `source`."""
    from .phases import settings_module

    return tuple(PhaseKind(k) for k in settings_module(str(kind)).SOURCE_KINDS)


def preparable_fields(kind: PhaseKind) -> tuple[str, ...]:
    """Return the fields a `prepare:` list of a phase of this kind may name."""
    return PREPARABLE_PHASE_FIELDS + PREPARABLE_SETTINGS.get(kind, ())


def _check_unique_ids(title: str, list_name: str, ids: Iterable[str]) -> None:
    """Raise an error at every id that repeats an earlier one in the list."""
    seen: set[str] = set()
    errors = []
    for index, item_id in enumerate(ids):
        if item_id in seen:
            errors.append(((list_name, index, "id"), f"duplicate id {item_id!r}", item_id))
        seen.add(item_id)
    if errors:
        _raise_errors(title, errors)


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
        """Require a prompt on every kind except summary."""
        if self.prompt is None and self.kind is not PhaseKind.SUMMARY:
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
