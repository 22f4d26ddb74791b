"""Series: a team's sessions run in order from the templates of one series.

A template may name a series (`series:` in its YAML, workshop_models.SeriesStep): the
Dynamo development group (a kick-off, then recurring meetings), the psychosocial-load
series (four workshops), ground rules (draft, then evaluate). A `series` row belongs to
a team; each of its sessions carries `series_id` and its number (1, 2, 3 ...), unique
within the series. The facilitator starts "the next session of this series" from the
team page: the next step is the last session's step again while that step recurs (up
to its `times`), else the step of the next `order`.

The next session starts with what the previous ones left open: a `review` phase in a
series session brings in the open items of the series' earlier sessions only
(`review_sources`), not every open item of the team.

Operations change rows and flush; the edge commits.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .catalog import available_models
from .errors import OperationError
from .extensions import db
from .models import Facilitator, Series, SessionStatus, Team, Workshop
from .workshop_models import WorkshopModel, localize

TITLE_MAX = 200


def templates(series_key: str) -> list[WorkshopModel]:
    """Return the available templates of a series, in step order."""
    found = [
        m for m in available_models().values() if m.series is not None and m.series.id == series_key
    ]
    return sorted(found, key=lambda m: (m.series.order, m.id))


def series_keys() -> dict[str, WorkshopModel]:
    """Return the first-step template of every series, by series id."""
    first: dict[str, WorkshopModel] = {}
    for model in available_models().values():
        if model.series is None:
            continue
        known = first.get(model.series.id)
        if known is None or model.series.order < known.series.order:
            first[model.series.id] = model
    return first


def of_team(team: Team) -> list[Series]:
    """Return the team's series, oldest first."""
    return list(db.session.scalars(select(Series).filter_by(team_id=team.id).order_by(Series.id)))


def sessions(series: Series) -> list[Workshop]:
    """Return the series' sessions by number."""
    return list(
        db.session.scalars(
            select(Workshop).filter_by(series_id=series.id).order_by(Workshop.series_number)
        )
    )


def create(team: Team, model: WorkshopModel, language: str) -> Series:
    """Start a new series of the template's series for a team."""
    if model.series is None:
        raise OperationError("not_in_series")
    row = Series(
        team_id=team.id,
        series_key=model.series.id,
        title=localize(model.series.title, language)[:TITLE_MAX],
    )
    db.session.add(row)
    db.session.flush()
    return row


def next_number(series: Series) -> int:
    """Return the number the series' next session gets."""
    top = db.session.scalar(
        select(func.max(Workshop.series_number)).where(Workshop.series_id == series.id)
    )
    return (top or 0) + 1


def attach(workshop: Workshop, series: Series, model: WorkshopModel) -> None:
    """Number a new session into a series (its template must be a step of it).

    Two sessions numbered at once collide on the unique (series, number) constraint:
    the loser's transaction fails instead of sharing a number.
    """
    if model.series is None or model.series.id != series.series_key:
        raise OperationError("not_in_series")
    workshop.team_id = series.team_id
    workshop.series_id = series.id
    workshop.series_number = next_number(series)
    db.session.flush()


def next_step(series: Series) -> WorkshopModel | None:
    """Return the template the series' next session should use, None when it is complete.

    After a recurring step comes the same step again until it has run `times` sessions;
    otherwise the step of the next `order`. A series with no sessions starts at its first
    step.
    """
    steps = templates(series.series_key)
    if not steps:
        return None
    done = sessions(series)
    if not done:
        return steps[0]
    last = done[-1]
    by_id = {m.id: m for m in steps}
    current = by_id.get(last.model_id)
    if current is None:
        # The template was removed or renamed: carry on from the first recurring step.
        return next((m for m in steps if m.series.recurring), None)
    if current.series.recurring:
        runs = sum(1 for w in done if w.model_id == current.id)
        if current.series.times is None or runs < current.series.times:
            return current
    later = [m for m in steps if m.series.order > current.series.order]
    return later[0] if later else None


def session_title(series: Series, number: int, title: str = "") -> str:
    """Return a session's title: the one given, else "<series title> <number>"."""
    title = (title or "").strip()
    if title:
        return title[:TITLE_MAX]
    return f"{series.title} {number}"[:TITLE_MAX]


def start_next(
    user: Facilitator,
    series: Series,
    language: str,
    title: str = "",
    model: WorkshopModel | None = None,
) -> Workshop:
    """Make the series' next session (upcoming), from `model` or the suggested next step."""
    from . import operations as ops

    model = model or next_step(series) or (templates(series.series_key) or [None])[-1]
    if model is None:
        raise OperationError("unknown_model")
    if model.series is None or model.series.id != series.series_key:
        raise OperationError("not_in_series")
    team = db.session.get(Team, series.team_id)
    number = next_number(series)
    workshop = ops.create_workshop(
        user, model, session_title(series, number, title), team.name, language, commit=False
    )
    attach(workshop, series, model)
    return workshop


def review_sources(workshop: Workshop) -> list[int] | None:
    """Return the sessions whose open items a review phase of this session brings in.

    A session of a series: its series' earlier sessions (lower numbers), so the next
    session starts with what the previous ones left open. Any other session: None, the
    whole team's open items (the review kind's own rule).
    """
    if workshop.series_id is None or workshop.series_number is None:
        return None
    return list(
        db.session.scalars(
            select(Workshop.id)
            .where(
                Workshop.series_id == workshop.series_id,
                Workshop.series_number < workshop.series_number,
            )
            .order_by(Workshop.series_number)
        )
    )


def open_items(workshop: Workshop, phase, team_rule) -> list:
    """The review kind's `scope: series` (phases/review/ops.py SCOPES).

    A session of a series: the team rule's open items narrowed to the series' earlier
    sessions, so the next session starts with what the previous ones left open and
    nothing of the team's other series or single sessions. Any other session: the
    team rule unchanged.
    """
    sources = review_sources(workshop)
    rows = team_rule(workshop, phase)
    if sources is None:
        return rows
    allowed = set(sources)
    return [(action, source) for action, source in rows if source.id in allowed]


def label(workshop: Workshop) -> dict | None:
    """Return a session's place in its series for clients: title and number, or None."""
    if workshop.series_id is None:
        return None
    series = db.session.get(Series, workshop.series_id)
    if series is None:
        return None
    return {"id": series.id, "title": series.title, "number": workshop.series_number}


def series_dict(series: Series, lang: str) -> dict:
    """Serialise a series for the team page and the API: numbered sessions, next step."""
    upcoming = next_step(series)
    return {
        "id": series.id,
        "key": series.series_key,
        "title": series.title,
        "sessions": [
            {
                "id": w.id,
                "number": w.series_number,
                "title": w.title,
                "status": w.status.value,
                "template": w.model_id,
                "date": (w.started_at or w.created_at).date().isoformat(),
            }
            for w in sessions(series)
        ],
        "next": (
            {"template": upcoming.id, "title": localize(upcoming.title, lang)}
            if upcoming is not None
            else None
        ),
        "steps": [
            {"template": m.id, "title": localize(m.title, lang), "recurring": m.series.recurring}
            for m in templates(series.series_key)
        ],
        "complete": upcoming is None,
    }


def open_sessions(series: Series) -> list[Workshop]:
    """Return the series' sessions not yet closed."""
    return [w for w in sessions(series) if w.status is not SessionStatus.CLOSED]
