"""Grouping: the facilitator's themes and which ideas sit under them.

Operations change rows and queue what to publish; the edge commits once.
Tables: `theme` (models.Theme); ideas' `theme_id`.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Idea, Theme, Vote, Workshop
from ..base import publication
from . import view

THEME_MAX_CHARS = 200
# The most ideas one grouping request may name: a whole wall of a big workshop.
GROUP_MAX_IDEAS = 500
KIND = "group"


def _session_theme(workshop: Workshop, theme_id: int) -> Theme:
    """Return a theme of this session."""
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.workshop_id != workshop.id:
        raise OperationError("not_found")
    return theme


def check_theme_for(workshop: Workshop, idea: Idea, theme_id: int | None) -> None:
    """Refuse a theme that does not group the idea's phase."""
    if theme_id is not None:
        theme = _session_theme(workshop, theme_id)
        model = core.workshop_model(workshop)
        group = model.phases[model.phase_index(theme.phase_id)]
        # A theme groups the ideas of its own group phase's source, nothing else.
        if group.settings.source != idea.phase_id:
            raise OperationError("invalid")


def add_theme(workshop: Workshop, phase_id: str, title: str) -> Theme:
    """Create a theme in a group phase."""
    theme = _new_theme(workshop, phase_id, title)
    db.session.flush()
    announce_themes(workshop)
    return theme


def _new_theme(workshop: Workshop, phase_id: str, title: str) -> Theme:
    """Add a theme at the end of a group phase."""
    model = core.workshop_model(workshop)
    try:
        phase = model.phases[model.phase_index(phase_id)]
    except (KeyError, ValueError):
        raise OperationError("not_found") from None
    if phase.kind != KIND:
        raise OperationError("wrong_phase")
    last = db.session.scalar(
        select(func.max(Theme.position)).where(
            Theme.workshop_id == workshop.id, Theme.phase_id == phase_id
        )
    )
    position = 0 if last is None else last + 1
    theme = Theme(
        workshop_id=workshop.id,
        phase_id=phase_id,
        title=core._clean_text(title, THEME_MAX_CHARS),
        position=position,
    )
    db.session.add(theme)
    return theme


def add_suggested_themes(workshop: Workshop, phase) -> None:
    """Create the template's suggested themes of a group phase in a new session."""
    from ...workshop_models import localize

    for position, theme_title in enumerate(phase.settings.themes):
        db.session.add(
            Theme(
                workshop_id=workshop.id,
                phase_id=phase.id,
                title=localize(theme_title, workshop.language),
                position=position,
            )
        )


def rename_theme(workshop: Workshop, theme_id: int, title: str) -> Theme:
    """Rename a theme."""
    theme = _session_theme(workshop, theme_id)
    theme.title = core._clean_text(title, THEME_MAX_CHARS)
    announce_themes(workshop)
    return theme


def delete_theme(workshop: Workshop, theme_id: int) -> None:
    """Delete a theme; its ideas become ungrouped and votes on it are dropped."""
    theme = _session_theme(workshop, theme_id)
    for idea in db.session.scalars(select(Idea).filter_by(theme_id=theme.id)):
        idea.theme_id = None
    for vote in db.session.scalars(
        select(Vote).filter_by(workshop_id=workshop.id, item_key=f"theme:{theme.id}")
    ):
        db.session.delete(vote)
    db.session.delete(theme)
    announce_themes(workshop)


# --- grouping several ideas at once ------------------------------------------


def _selected_ideas(workshop: Workshop, idea_ids: list[int]) -> list[Idea]:
    """Return the named ideas of this session in the given order, duplicates dropped."""
    ids = list(dict.fromkeys(idea_ids))
    if not ids:
        raise OperationError("empty_selection")
    if len(ids) > GROUP_MAX_IDEAS:
        raise OperationError("selection_too_large", max=GROUP_MAX_IDEAS)
    found = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(Idea.workshop_id == workshop.id, Idea.id.in_(ids))
        )
    }
    ideas = [found.get(i) for i in ids]
    if any(idea is None or idea.deleted for idea in ideas):
        raise OperationError("not_found")
    return ideas


def _group_source(workshop: Workshop, group_phase_id: str) -> str:
    """Return the id of the ideas phase a group phase sorts."""
    model = core.workshop_model(workshop)
    return model.phases[model.phase_index(group_phase_id)].settings.source


def _check_groupable(ideas: list[Idea], source_phase_id: str) -> None:
    """Refuse ideas that a group phase with this source cannot hold."""
    if any(idea.phase_id != source_phase_id for idea in ideas):
        raise OperationError("not_groupable")


def assign_ideas(
    workshop: Workshop, idea_ids: list[int], theme_id: int | None
) -> tuple[Theme | None, list[Idea]]:
    """Put several ideas under one theme (or none) in one transaction, all or nothing."""
    ideas = _selected_ideas(workshop, idea_ids)
    theme = None
    if theme_id is not None:
        theme = _session_theme(workshop, theme_id)
        _check_groupable(ideas, _group_source(workshop, theme.phase_id))
    for idea in ideas:
        idea.theme_id = theme_id
    announce_themes(workshop)
    return theme, ideas


def add_theme_with_ideas(
    workshop: Workshop, phase_id: str, title: str, idea_ids: list[int]
) -> tuple[Theme, list[Idea]]:
    """Create a theme in a group phase holding the given ideas, in one transaction."""
    ideas = _selected_ideas(workshop, idea_ids)
    theme = _new_theme(workshop, phase_id, title)
    _check_groupable(ideas, _group_source(workshop, phase_id))
    db.session.flush()
    for idea in ideas:
        idea.theme_id = theme.id
    announce_themes(workshop)
    return theme, ideas


# --- publishing ----------------------------------------------------------------


def announce_themes(workshop: Workshop) -> None:
    """Queue the themes and how ideas are grouped under them, for every screen, once."""
    pub = publication()
    workshop_id = workshop.id

    def send(publish) -> None:
        current = db.session.get(Workshop, workshop_id)
        if current is None:
            return
        publish(workshop_id, "themes", view.themes_payload(current))
        if core.current_phase(current).kind == "vote":
            # Themes are the ballot here: screens re-sync for the new items and tally.
            publish(
                workshop_id,
                "phase",
                {"index": current.phase_index, "status": current.status.value},
            )

    pub.once(("themes", workshop_id), send)
    if core.current_phase(workshop).kind == "vote":
        pub.mark(workshop_id, "vote")


def replace_suggested_themes(workshop: Workshop, old_phase, new_phase) -> None:
    """Swap the theme rows made from a group phase's suggestions for the new suggestions
    a facilitator prepared (prepare.apply, before the start).

    Themes the facilitator added themselves on the control view stay, after the
    suggestions. Nothing can be grouped before the start, so no idea loses its theme.
    """
    from ...workshop_models import localize

    lang = workshop.language
    before = [localize(t, lang) for t in old_phase.settings.themes]
    after = [localize(t, lang) for t in new_phase.settings.themes]
    if before == after:
        return
    rows = db.session.scalars(
        select(Theme)
        .filter_by(workshop_id=workshop.id, phase_id=old_phase.id)
        .order_by(Theme.position, Theme.id)
    ).all()
    suggested = set(before)
    kept = []
    for row in rows:
        if row.title in suggested:
            suggested.discard(row.title)
            db.session.delete(row)
        else:
            kept.append(row)
    for position, title in enumerate(after):
        db.session.add(
            Theme(workshop_id=workshop.id, phase_id=old_phase.id, title=title, position=position)
        )
    for position, row in enumerate(kept, start=len(after)):
        row.position = position
