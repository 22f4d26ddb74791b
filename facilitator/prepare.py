"""Preparing a session: the content a facilitator fills in before it starts.

A template's phase lists in `prepare:` which of its fields may be filled in (see
`workshop_models.PREPARABLE_*` and docs/workshop-models.md, "Preparing a session").
`fields` lists them with their current text in the session's language, `apply` writes
new values into a copy of the session's template snapshot, validates that copy with the
same `WorkshopModel` as the YAML files and stores it as the session's snapshot, and
`copy_sources` / `copy_lines` offer text from the facilitator's earlier sessions.
Only an upcoming session can be prepared: after the start its template never changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from annotated_types import MaxLen, MinLen
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from pydantic import ValidationError
from sqlalchemy import func, select

from . import operations as ops
from .errors import MESSAGES, OperationError
from .extensions import db
from .models import Action, SessionStatus, Theme, Workshop
from .phases import registry
from .text import clean_input
from .workshop_models import (
    TEXT_LIMITS,
    PhaseKind,
    WorkshopModel,
    localize,
    preparable_fields,
    prompt_required,
    settings_model,
)

__all__ = [
    "COPY_SOURCES",
    "FIELDS",
    "PrepareError",
    "apply",
    "copy_lines",
    "copy_sources",
    "fields",
]


@dataclass(frozen=True)
class FieldKind:
    """How one preparable field is edited.

    shape: "text" (one line), "long_text" (Markdown, several lines), "url" or "lines"
    (a list edited one item per line). For lists, `item_key` names the text inside each
    item (None: the item is the text itself) and `id_prefix` makes ids for new items.
    `in_settings` tells whether the field lives in the phase's `settings`.
    """

    shape: str
    in_settings: bool = True
    item_key: str | None = None
    id_prefix: str | None = None


# Every field a `prepare:` entry may name (workshop_models.PREPARABLE_*). A new kind's
# preparable list (for example classify `categories`, poll `options`) adds one entry.
FIELDS: dict[str, FieldKind] = {
    "title": FieldKind("text", in_settings=False),
    "prompt": FieldKind("long_text", in_settings=False),
    "link": FieldKind("url"),
    "link_label": FieldKind("text"),
    "columns": FieldKind("lines", item_key="title", id_prefix="c"),
    "themes": FieldKind("lines"),
    "statements": FieldKind("lines", item_key="text", id_prefix="s"),
    "options": FieldKind("lines", item_key="title", id_prefix="o"),
    # Private questions: a new line becomes a text question (scale ones keep their type).
    "items": FieldKind("lines", item_key="text", id_prefix="q"),
    # Classify categories: a new line becomes a category with an id from its position.
    "categories": FieldKind("lines", item_key="title", id_prefix="k"),
    # Small groups' questions (one per group, handed out in turn): plain texts.
    "questions": FieldKind("lines"),
    # Results helper questions: "<statement id>: <question>" per line (plain texts).
    "helper_questions": FieldKind("lines"),
}

# What can be copied from an earlier session, in the order the page offers it.
COPY_SOURCES = ("actions", "themes", "statements")

# How many earlier sessions the prepare page offers to copy from.
COPY_SESSIONS_SHOWN = 30

_REQUIRED = _l("Please fill in this field.")
_TOO_LONG_LINE = _l("Line %(line)s is too long (at most %(max)s characters).")
_BAD_LINK = _l("Give a web address that starts with http:// or https://.")
_NOT_PREPARABLE = _l("This field cannot be prepared in this session.")
_NOT_ACCEPTED = _l("This value is not accepted.")
_NOT_TEXT = _l("Expected text.")


def _too_few(count: int) -> str:
    return str(
        lazy_ngettext("Write at least %(num)s line.", "Write at least %(num)s lines.", count)
    )


def _too_many(count: int) -> str:
    return str(
        lazy_ngettext(
            "At most %(num)s line is allowed.", "At most %(num)s lines are allowed.", count
        )
    )


class PrepareError(Exception):
    """Refused preparation values: one `{field, code, message[, line]}` per problem."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def to_dict(self) -> dict[str, Any]:
        """Return the API's error object: the first problem, and all of them under `errors`."""
        first = self.errors[0]
        return {
            "code": first["code"],
            "message": first["message"],
            "field": first["field"],
            "errors": self.errors,
        }

    def by_field(self) -> dict[str, list[str]]:
        """Return the messages grouped by field key."""
        result: dict[str, list[str]] = {}
        for error in self.errors:
            result.setdefault(error["field"], []).append(error["message"])
        return result


def _error(key: str, code: str, message: Any, line: int | None = None) -> dict[str, Any]:
    error = {"field": key, "code": code, "message": str(message)}
    if line is not None:
        error["line"] = line
    return error


def _item_bounds(kind: PhaseKind, name: str) -> tuple[int, int | None]:
    """Return the (min, max) number of items the settings model allows for a list field."""
    info = settings_model(kind).model_fields[name]
    low, high = 0, None
    for rule in info.metadata:
        if isinstance(rule, MinLen):
            low = rule.min_length
        elif isinstance(rule, MaxLen):
            high = rule.max_length
    return low, high


def _required(phase, name: str) -> bool:
    """Return whether a field must not be left empty."""
    if name == "title":
        return True
    if name == "prompt":
        return prompt_required(phase.kind)
    return False


def _item_text(spec: FieldKind, item: Any) -> Any:
    return item[spec.item_key] if spec.item_key else item


def _current(spec: FieldKind, phase, name: str) -> Any:
    """Return the field's value in the validated model, as plain data."""
    holder = phase.settings if spec.in_settings else phase
    value = getattr(holder, name)
    if spec.shape == "lines":
        return [item.model_dump() if hasattr(item, "model_dump") else item for item in value]
    return value


def _display(spec: FieldKind, value: Any, lang: str) -> Any:
    """Return a field's value as the form shows it: text, or a list of lines."""
    if spec.shape == "lines":
        return [localize(_item_text(spec, item), lang) for item in value or []]
    if spec.shape == "url":
        return value or ""
    return localize(value, lang)


def editable(workshop: Workshop) -> bool:
    """Return whether the session's content may still be prepared."""
    return workshop.status is SessionStatus.UPCOMING


def fields(workshop: Workshop) -> list[dict[str, Any]]:
    """Return the session's preparable fields with their current values, phase by phase."""
    model = ops.workshop_model(workshop)
    lang = workshop.language
    result = []
    for index, phase in enumerate(model.phases):
        for name in phase.prepare:
            spec = FIELDS[name]
            entry: dict[str, Any] = {
                "key": f"{phase.id}.{name}",
                "phase_id": phase.id,
                "phase_index": index,
                "phase_title": localize(phase.title, lang),
                "kind": phase.kind.value,
                "name": name,
                "type": spec.shape,
                "required": _required(phase, name),
                "max_chars": TEXT_LIMITS[name],
                "value": _display(spec, _current(spec, phase, name), lang),
            }
            if spec.shape == "lines":
                entry["min_items"], entry["max_items"] = _item_bounds(phase.kind, name)
            result.append(entry)
    return result


def _require_upcoming(workshop: Workshop) -> None:
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")
    if workshop.status is not SessionStatus.UPCOMING:
        raise OperationError("already_started")


def _clean(text: str) -> str:
    return clean_input(text).strip()


def split_lines(value: str | list[str]) -> list[str]:
    """Return the non-empty, trimmed lines of a textarea value or of a list of strings."""
    items = value.splitlines() if isinstance(value, str) else value
    lines = []
    for item in items:
        # A line is one item: runs of spaces (and newlines inside an item) become one space.
        line = re.sub(r"\s+", " ", _clean(item))
        if line:
            lines.append(line)
    return lines


def _new_text(text: str, lang: str) -> dict[str, str]:
    """Return the localised text for what the facilitator wrote in the session's language.

    Finnish is always required (it is the last fallback), so a Swedish or English session
    stores the text under Finnish too; the template's other translations are dropped, so
    every language shows the facilitator's text.
    """
    return {"fi": text} if lang == "fi" else {"fi": text, lang: text}


def _merge_text(current: dict[str, str] | None, text: str, lang: str) -> dict[str, str]:
    """Keep the template's text with all its translations if unchanged, else replace it."""
    if current and localize(current, lang) == text:
        return current
    return _new_text(text, lang)


def _merge_items(spec: FieldKind, current: list[Any], lines: list[str], lang: str) -> list[Any]:
    """Turn lines into list items, keeping an unchanged item's id and translations."""
    unused: dict[str, list[Any]] = {}
    for item in current:
        unused.setdefault(localize(_item_text(spec, item), lang), []).append(item)
    result: list[Any] = []
    for line in lines:
        matches = unused.get(line)
        if matches:
            result.append(matches.pop(0))
        elif spec.item_key:
            result.append({"id": None, spec.item_key: _new_text(line, lang)})
        else:
            result.append(_new_text(line, lang))
    if spec.id_prefix:
        taken = {item["id"] for item in result if item["id"]}
        # A line rewritten in place keeps the id of the item it replaces, so phases that
        # name it (a vote's columns, a filter on categories) still find it.
        for position, item in enumerate(result):
            old = current[position] if position < len(current) else None
            if not item["id"] and isinstance(old, dict) and old.get("id") not in taken:
                item["id"] = old["id"]
                taken.add(old["id"])
        # Other new items get an id from their position (s1, s2, …), skipping ids in use.
        for position, item in enumerate(result, start=1):
            if item["id"]:
                continue
            number = position
            while f"{spec.id_prefix}{number}" in taken:
                number += 1
            item["id"] = f"{spec.id_prefix}{number}"
            taken.add(item["id"])
    return result


def _check_lines(key: str, phase, name: str, lines: list[str]) -> list[dict[str, Any]]:
    """Return the problems of a list field's lines: their number and their length."""
    errors = []
    low, high = _item_bounds(phase.kind, name)
    if len(lines) < low:
        errors.append(_error(key, "too_few_items", _too_few(low)))
    if high is not None and len(lines) > high:
        errors.append(_error(key, "too_many_items", _too_many(high)))
    limit = TEXT_LIMITS[name]
    for number, line in enumerate(lines, start=1):
        if len(line) > limit:
            errors.append(
                _error(
                    key, "too_long", str(_TOO_LONG_LINE) % {"line": number, "max": limit}, number
                )
            )
    return errors


def _field_for_loc(model: WorkshopModel, loc: tuple) -> str | None:
    """Return the field key a validation error location points at, if it is preparable."""
    if len(loc) < 3 or loc[0] != "phases" or not isinstance(loc[1], int):
        return None
    if loc[1] >= len(model.phases):
        return None
    phase = model.phases[loc[1]]
    name = loc[3] if loc[2] == "settings" and len(loc) > 3 else loc[2]
    return f"{phase.id}.{name}" if name in phase.prepare else None


def apply(workshop: Workshop, values: dict[str, Any]) -> WorkshopModel:
    """Validate and store new values for preparable fields; return the new template.

    `values` maps a field key (`<phase id>.<field>`) to text, or for list fields to a
    list of lines (or one text with a line per item). Fields not named stay as they are.
    Raises OperationError if the session has started, PrepareError for bad values.
    """
    _require_upcoming(workshop)
    model = ops.workshop_model(workshop)
    lang = workshop.language
    data = copy.deepcopy(workshop.model_snapshot)
    positions = {phase.id: index for index, phase in enumerate(model.phases)}
    errors: list[dict[str, Any]] = []
    for key, raw in values.items():
        phase_id, _, name = str(key).partition(".")
        index = positions.get(phase_id)
        if index is None or name not in model.phases[index].prepare:
            errors.append(_error(str(key), "not_preparable", _NOT_PREPARABLE))
            continue
        phase, spec = model.phases[index], FIELDS[name]
        holder = data["phases"][index]
        if spec.in_settings:
            holder = holder.setdefault("settings", {})
        current = _current(spec, phase, name)
        if spec.shape == "lines":
            if not isinstance(raw, (str, list)) or not all(isinstance(x, str) for x in raw):
                errors.append(_error(key, "invalid", _NOT_TEXT))
                continue
            lines = split_lines(raw)
            problems = _check_lines(key, phase, name, lines)
            errors.extend(problems)
            if not problems:
                holder[name] = _merge_items(spec, current, lines, lang)
            continue
        if not isinstance(raw, str):
            errors.append(_error(key, "invalid", _NOT_TEXT))
            continue
        text = _clean(raw)
        limit = TEXT_LIMITS[name]
        if not text:
            if _required(phase, name):
                errors.append(_error(key, "empty", _REQUIRED))
            else:
                holder[name] = None
        elif len(text) > limit:
            errors.append(_error(key, "too_long", str(MESSAGES["too_long"]) % {"max": limit}))
        elif spec.shape == "url":
            if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
                errors.append(_error(key, "bad_link", _BAD_LINK))
            else:
                holder[name] = text
        else:
            holder[name] = _merge_text(current, text, lang)
    if errors:
        raise PrepareError(errors)
    try:
        prepared = WorkshopModel.model_validate(data)
    except ValidationError as exc:
        # The template's own rules, exactly as for the YAML files: pin each to its field.
        for item in exc.errors(include_url=False):
            key = _field_for_loc(model, tuple(item["loc"])) or ""
            errors.append(_error(key, "invalid", _NOT_ACCEPTED))
        raise PrepareError(errors) from None
    _on_prepare(workshop, model, prepared)
    workshop.model_snapshot = prepared.to_snapshot()
    return prepared


def _on_prepare(workshop: Workshop, old: WorkshopModel, new: WorkshopModel) -> None:
    """Let each phase's kind bring the rows it made from its settings up to date."""
    for old_phase, new_phase in zip(old.phases, new.phases, strict=True):
        registry.of(old_phase).on_prepare(workshop, old_phase, new_phase)


# --- copying from an earlier session ---------------------------------------------


def _statements(workshop: Workshop, lang: str) -> list[str]:
    """Return the texts of every preparable `statements` list of the session's phases."""
    model = ops.workshop_model(workshop)
    spec = FIELDS["statements"]
    return [
        localize(_item_text(spec, item), lang, workshop.language)
        for phase in model.phases
        if "statements" in preparable_fields(phase.kind)
        for item in _current(spec, phase, "statements")
    ]


def copy_lines(workshop: Workshop, source: str, lang: str | None = None) -> list[str]:
    """Return a session's agreed actions (`what`), themes or statements as lines.

    Statements are given in `lang` where the template has it, else in the session's
    language. Raises OperationError("invalid") for an unknown source.
    """
    if source == "actions":
        texts = db.session.scalars(
            select(Action.what).filter_by(workshop_id=workshop.id).order_by(Action.id)
        ).all()
    elif source == "themes":
        order = {p.id: i for i, p in enumerate(ops.workshop_model(workshop).phases)}
        rows = db.session.scalars(select(Theme).filter_by(workshop_id=workshop.id)).all()
        rows = sorted(rows, key=lambda r: (order.get(r.phase_id, len(order)), r.position, r.id))
        texts = [row.title for row in rows]
    elif source == "statements":
        texts = _statements(workshop, lang or workshop.language)
    else:
        raise OperationError("invalid")
    return split_lines(list(texts))


def copy_sources(workshop: Workshop) -> list[dict[str, Any]]:
    """Return the facilitator's other sessions that have something to copy, newest first.

    Each is `{id, title, created_at, sources: [{source, count}]}`, only sources with at
    least one line.
    """
    others = db.session.scalars(
        select(Workshop)
        .filter(Workshop.facilitator_id == workshop.facilitator_id, Workshop.id != workshop.id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
        .limit(COPY_SESSIONS_SHOWN)
    ).all()
    ids = [w.id for w in others]
    counts: dict[str, dict[int, int]] = {"actions": {}, "themes": {}}
    if ids:
        for table, source in ((Action, "actions"), (Theme, "themes")):
            rows = db.session.execute(
                select(table.workshop_id, func.count())
                .where(table.workshop_id.in_(ids))
                .group_by(table.workshop_id)
            ).all()
            counts[source] = {workshop_id: count for workshop_id, count in rows}
    result = []
    for other in others:
        found = {
            "actions": counts["actions"].get(other.id, 0),
            "themes": counts["themes"].get(other.id, 0),
            "statements": len(_statements(other, other.language)),
        }
        sources = [{"source": s, "count": found[s]} for s in COPY_SOURCES if found[s]]
        if sources:
            result.append(
                {
                    "id": other.id,
                    "title": other.title,
                    "created_at": other.created_at,
                    "sources": sources,
                }
            )
    return result
