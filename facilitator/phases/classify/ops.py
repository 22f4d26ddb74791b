"""Classifying: each phone places each item of the source in one category; the
facilitator may set a final category; the results per item, thresholded.

Operations change rows and queue what to publish; the edge commits once.
Tables: `classify_choice` (unique per participant, phase and item) and
`classify_final` (unique per session, phase and item), in tables.py.
"""

from __future__ import annotations

import functools

from sqlalchemy import func, select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Workshop
from ..answers import (
    answers_by,
    facilitator_phase,
    phase_of_kind,
    retrying,
    session_answers,
    set_session_answer,
    store,
    threshold,
)
from ..base import publication
from .tables import ClassifyChoice, ClassifyFinal

KIND = "classify"

# The session's classify phase with this id, or refuse with not_found.
classify_phase = functools.partial(phase_of_kind, kind=KIND)


def items(workshop: Workshop, phase) -> list[dict]:
    """Return the items to classify: the themes and ungrouped ideas of the source."""
    from ..vote.ops import source_items

    model = core.workshop_model(workshop)
    return source_items(workshop, model.phases[model.phase_index(phase.settings.source)])


def is_item(workshop: Workshop, phase, key: str) -> bool:
    """Tell whether a key is one of the phase's items."""
    from ..vote.ops import is_vote_item

    return is_vote_item(workshop, phase, key)


def category_ids(phase) -> list[str]:
    """Return the phase's category ids in order."""
    return [c.id for c in phase.settings.categories]


def my_choices(participant: Participant, phase_id: str) -> dict[str, str]:
    """Return the participant's category per item in a classify phase."""
    return answers_by(
        ClassifyChoice, "item_key", "category", participant_id=participant.id, phase_id=phase_id
    )


def _check_choice(workshop: Workshop, phase, item_key: str, category: str | None) -> None:
    """Refuse (not_found) a category or an item the phase does not have."""
    if category is not None and category not in category_ids(phase):
        raise OperationError("not_found")
    if not is_item(workshop, phase, item_key):
        raise OperationError("not_found")


@retrying
def set_choice(
    workshop: Workshop, participant: Participant, item_key: str, category: str | None
) -> dict[str, str]:
    """Put one item in a category for this participant (None takes it out again)."""
    phase = core._require_input(workshop, KIND)
    _check_choice(workshop, phase, item_key, category)
    key = {"participant_id": participant.id, "phase_id": phase.id, "item_key": item_key}
    values = None if category is None else {"category": category}
    store(ClassifyChoice, key, values, workshop_id=workshop.id)
    publication().mark(workshop.id, KIND)
    return my_choices(participant, phase.id)


def finals(workshop: Workshop, phase_id: str) -> dict[str, str]:
    """Return the facilitator's final category per item of a classify phase."""
    return session_answers(ClassifyFinal, "item_key", "category", workshop, phase_id)


@retrying
def set_final(workshop: Workshop, phase_id: str, item_key: str, category: str | None) -> dict:
    """Set (or with None clear) the facilitator's final category of one item."""
    phase = facilitator_phase(workshop, phase_id, KIND)
    _check_choice(workshop, phase, item_key, category)
    return set_session_answer(
        workshop, phase, ClassifyFinal, "item_key", item_key, "category", category,
        "classify.final", "final",
    )  # fmt: skip


def classifiers(workshop: Workshop, phase_id: str) -> int:
    """Return how many people have placed at least one item (unlinked ones included)."""
    counted = db.session.scalar(
        select(func.count(func.distinct(ClassifyChoice.participant_id))).where(
            ClassifyChoice.workshop_id == workshop.id, ClassifyChoice.phase_id == phase_id
        )
    )
    unlinked = db.session.scalar(
        select(func.count(ClassifyChoice.id)).where(
            ClassifyChoice.workshop_id == workshop.id,
            ClassifyChoice.phase_id == phase_id,
            ClassifyChoice.participant_id.is_(None),
        )
    )
    # After the retention purge the answers stay but who gave them is gone: count the
    # largest number of answers any one item has as a floor.
    if unlinked:
        most = db.session.scalar(
            select(func.count(ClassifyChoice.id))
            .where(ClassifyChoice.workshop_id == workshop.id, ClassifyChoice.phase_id == phase_id)
            .group_by(ClassifyChoice.item_key)
            .order_by(func.count(ClassifyChoice.id).desc())
            .limit(1)
        )
        return max(counted, most or 0)
    return counted


def results(workshop: Workshop, phase, item_list: list[dict] | None = None) -> list[dict]:
    """Return per item: answers, distribution and the agreed category (both thresholded).

    Below the threshold an item shows only how many answered: a distribution of a few
    answers could tell how one person placed it.
    """
    item_list = items(workshop, phase) if item_list is None else item_list
    rows = db.session.execute(
        select(ClassifyChoice.item_key, ClassifyChoice.category, func.count(ClassifyChoice.id))
        .where(ClassifyChoice.workshop_id == workshop.id, ClassifyChoice.phase_id == phase.id)
        .group_by(ClassifyChoice.item_key, ClassifyChoice.category)
    ).all()
    ids = category_ids(phase)
    counts: dict[str, dict[str, int]] = {}
    for key, category, n in rows:
        if category in ids:
            counts.setdefault(key, {})[category] = n
    out = []
    for item in item_list:
        by_category = counts.get(item["key"], {})
        responses = sum(by_category.values())
        distribution = agreed = None
        if responses >= threshold(phase):
            distribution = {c: by_category.get(c, 0) for c in ids}
            top = max(ids, key=lambda c: distribution[c])
            if distribution[top] / responses >= phase.settings.agreement:
                agreed = top
        out.append(
            {
                "key": item["key"],
                "responses": responses,
                "distribution": distribution,
                "agreed": agreed,
            }
        )
    return out


def decided(workshop: Workshop, phase) -> dict[str, str]:
    """Return each item's decided category: the final one, else the one people agree on."""
    item_list = items(workshop, phase)
    chosen = {r["key"]: r["agreed"] for r in results(workshop, phase, item_list) if r["agreed"]}
    chosen.update(finals(workshop, phase.id))
    return {i["key"]: chosen[i["key"]] for i in item_list if i["key"] in chosen}
