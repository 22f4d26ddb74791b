"""What the kinds' settings models share (no app imports; `check-models` stays light).

Localised text and its limits, ids, strict numbers, the error helpers that point at a
field, and `Selection` (what a later phase takes from an earlier vote or classify).
Each kind's own settings model lives in `facilitator/phases/<kind>/settings.py`;
`facilitator.workshop_models` builds the template model on top of these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "LANGUAGES",
    "SELECTION_KINDS",
    "TEXT_LIMITS",
    "ItemKinds",
    "LocalizedText",
    "Problems",
    "PromptText",
    "Selection",
    "Slug",
    "Strict",
    "StrictInt",
    "TitleText",
    "Titled",
    "category_problems",
    "check_unique_ids",
    "custom_error",
    "limit",
    "limited_text",
    "localize",
    "raise_errors",
    "selection_problems",
]

LANGUAGES = ("fi", "sv", "en")

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
    # results: helper questions, "<statement id>: <question>" per line.
    "helper_questions": 300,
}

# (loc, message, input) of each problem a validator reports at once.
Problems = list[tuple[tuple[str | int, ...], str, Any]]


def custom_error(message: str) -> PydanticCustomError:
    """Wrap a message as a pydantic error without the 'Value error, ' prefix."""
    # Passing the text through ctx keeps braces in it from being read as placeholders.
    return PydanticCustomError("workshop_model", "{message}", {"message": message})


def raise_errors(title: str, errors: Sequence[tuple[tuple[str | int, ...], str, Any]]) -> None:
    """Raise one ValidationError carrying several (loc, message, input) errors."""
    # A ValidationError raised inside a validator keeps its locs, prefixed by the
    # caller's, so every problem points at its own field instead of the whole model.
    details = [
        InitErrorDetails(type=custom_error(message), loc=loc, input=value)
        for loc, message, value in errors
    ]
    raise ValidationError.from_exception_data(title, details)


def check_unique_ids(title: str, list_name: str, ids: Iterable[str]) -> None:
    """Raise an error at every id that repeats an earlier one in the list."""
    seen: set[str] = set()
    errors = []
    for index, item_id in enumerate(ids):
        if item_id in seen:
            errors.append(((list_name, index, "id"), f"duplicate id {item_id!r}", item_id))
        seen.add(item_id)
    if errors:
        raise_errors(title, errors)


def _normalize_text(value: Any) -> dict[str, str]:
    """Turn a plain string or a language mapping into a dict that always has Finnish."""
    if isinstance(value, str):
        value = {"fi": value}
    if not isinstance(value, Mapping):
        raise custom_error("expected text or a mapping of language code (fi, sv, en) to text")
    result: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise custom_error(f"unknown language {lang!r}; use {', '.join(LANGUAGES)}")
        # An empty translation is left out so the reader falls back to Finnish.
        if text is None:
            continue
        if not isinstance(text, str):
            raise custom_error(f"{lang}: expected text, got {type(text).__name__}")
        text = text.strip()
        if text:
            result[lang] = text
    if "fi" not in result:
        raise custom_error("Finnish text (fi) is required and must not be empty")
    return {lang: result[lang] for lang in LANGUAGES if lang in result}


LocalizedText = Annotated[dict[str, str], BeforeValidator(_normalize_text)]


def limit(max_chars: int) -> AfterValidator:
    """Return a validator refusing a localised text longer than `max_chars` in any language."""

    def check(value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if len(text) > max_chars:
                raise custom_error(
                    f"{lang}: text is {len(text)} characters long; at most {max_chars} allowed"
                )
        return value

    return AfterValidator(check)


def limited_text(field: str) -> Any:
    """Return the localised text type of a field with a length limit in TEXT_LIMITS."""
    return Annotated[LocalizedText, limit(TEXT_LIMITS[field])]


TitleText = limited_text("title")
PromptText = limited_text("prompt")

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


class Strict(BaseModel):
    """Base for template parts: unknown keys are errors, typos must not vanish silently."""

    model_config = ConfigDict(extra="forbid")


def _distinct(value: list) -> list:
    """Refuse a list that names an entry twice."""
    if len(set(value)) != len(value):
        raise ValueError("each item kind at most once")
    return value


# Which kinds of agreed items a phase deals with (models.ItemKind), each at most once.
ItemKinds = Annotated[
    list[Literal["action", "experiment", "ground_rule"]], AfterValidator(_distinct)
]


class Titled(Strict):
    """An item a template names with an id and a title (a subclass limits the title)."""

    id: Slug
    title: LocalizedText


def category_problems(
    source, categories: list[str] | None, name: str, loc: tuple[str | int, ...] = ()
) -> Problems:
    """Return what is wrong with `categories` naming categories of a classify `source`."""
    if categories is None:
        return []
    if source is None or source.kind != "classify":
        return [
            ((*loc, "categories"), "categories only apply when source is a classify phase", None)
        ]
    known = [c.id for c in source.settings.categories]
    return [
        ((*loc, "categories", i), f"no category {c!r} in {name!r}", c)
        for i, c in enumerate(categories)
        if c not in known
    ]


class Selection(Strict):
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


# Kinds a Selection may name: they choose items (a vote's winners, a classify's categories,
# a results phase's focus statements).
SELECTION_KINDS = ("vote", "classify", "results")


def selection_problems(
    model: Any, index: int, selection: Selection, loc: tuple[str | int, ...]
) -> Problems:
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
