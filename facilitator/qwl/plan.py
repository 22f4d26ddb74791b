"""The work wellbeing development plan of a session: results and trend, the chosen
focus statements, the agreed actions with owners, dates and follow-up, grouped by the
statement they were agreed for. As data (`build`), XLSX (`xlsx`) and the printable A4
page (templates/qwl/plan.html). Nothing below the answer thresholds is in it.
"""

from __future__ import annotations

import io
from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import operations as core
from ..extensions import db
from ..models import Action, Idea, Workshop
from ..phases import registry
from ..workshop_models import localize
from . import store

__all__ = ["build", "xlsx"]

STATUS_LABELS = {
    "open": _l("To do"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
    "carried_forward": _l("Carried forward"),
}


def _focus(workshop: Workshop, model) -> list[dict[str, Any]]:
    """Return the statements chosen in the session's focus votes (most chosen first)."""
    chosen: list[dict[str, Any]] = []
    for phase in model.phases:
        if phase.kind != "results" or not phase.settings.focus_votes:
            continue
        spec = registry.of(phase)
        for item in spec.selection_items(workshop, phase, _All()):
            sid = item["key"].split(":", 1)[1]
            if all(c["id"] != sid for c in chosen):
                chosen.append({"id": sid, "text": item["title"], "count": item["count"]})
    return chosen


class _All:
    """A selection of every chosen focus statement of a results phase."""

    top = 5


def _statement_of(action: Action, ideas: dict[int, Idea]) -> str | None:
    """Return the statement id an action was agreed for (through its idea's column)."""
    source = action.source_item or ""
    if not source.startswith("idea:"):
        return None
    try:
        idea = ideas.get(int(source.split(":", 1)[1]))
    except ValueError:
        return None
    if idea is None or not (idea.column or "").startswith("statement-"):
        return None
    return idea.column.split("-", 1)[1]


def _date(value) -> str:
    return format_date(value, "short") if value else ""


def build(workshop: Workshop) -> dict[str, Any]:
    """Return the plan's content in the session's language (call inside force_locale)."""
    model = core.workshop_model(workshop)
    summary = store.summary(workshop)
    focus = _focus(workshop, model)
    actions = db.session.scalars(
        select(Action).filter_by(workshop_id=workshop.id).order_by(Action.id)
    ).all()
    ideas = {i.id: i for i in db.session.scalars(select(Idea).filter_by(workshop_id=workshop.id))}
    texts = {}
    if summary:
        for group in summary["dimensions"]:
            for st in group["statements"]:
                texts[st["id"]] = st["text"]
    groups: dict[str | None, list[dict]] = {}
    for number, action in enumerate(actions, start=1):
        groups.setdefault(_statement_of(action, ideas), []).append(
            {
                "number": number,
                "what": action.what,
                "who": action.who or "",
                "due": _date(action.due),
                "first_step": action.first_step or "",
                "follow_up": _date(action.follow_up),
                "status": str(STATUS_LABELS.get(action.status.value, STATUS_LABELS["open"])),
            }
        )
    order = [c["id"] for c in focus] + [sid for sid in groups if sid and sid not in focus]
    action_groups = [
        {"statement": sid, "title": texts.get(sid, sid), "actions": groups[sid]}
        for sid in order
        if sid in groups
    ]
    if None in groups:
        action_groups.append(
            {"statement": None, "title": gettext("Other agreed actions"), "actions": groups[None]}
        )
    return {
        "title": gettext("Work wellbeing development plan"),
        "session": workshop.title,
        "team": workshop.team_name or "",
        "template": localize(model.title, workshop.language),
        "date": _date((workshop.started_at or workshop.created_at).date()),
        "summary": summary,
        "focus": focus,
        "action_groups": action_groups,
        "actions": len(actions),
    }


def _pct(value) -> float | None:
    return None if value is None else round(value / 100, 4)


def xlsx(plan: dict[str, Any]) -> bytes:
    """Return the plan as an XLSX workbook: Plan (actions), Results, Trend."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Plan")[:31]
    summary = plan["summary"]
    sheet.append([plan["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([gettext("Session"), plan["session"]])
    if plan["team"]:
        sheet.append([gettext("Work community or team"), plan["team"]])
    sheet.append([gettext("Date"), plan["date"]])
    if summary:
        sheet.append([gettext("Unit"), summary["unit"]])
        sheet.append([gettext("Round"), summary["round"]])
        sheet.append([gettext("QWL index"), _pct(summary["index"])])
        sheet.cell(sheet.max_row, 2).number_format = "0.0 %"
    sheet.append([])
    sheet.append([gettext("Focus statements")])
    sheet.cell(sheet.max_row, 1).font = bold
    for item in plan["focus"]:
        sheet.append([item["text"]])
    sheet.append([])
    headers = [
        gettext("Statement"),
        gettext("What"),
        gettext("Who"),
        gettext("By when"),
        gettext("First step"),
        gettext("Follow-up"),
        gettext("Status"),
    ]
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for group in plan["action_groups"]:
        for a in group["actions"]:
            sheet.append(
                [
                    group["title"],
                    a["what"],
                    a["who"],
                    a["due"],
                    a["first_step"],
                    a["follow_up"],
                    a["status"],
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
    for column, width in zip("ABCDEFG", (40, 40, 18, 12, 30, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width

    results = book.create_sheet(gettext("Results")[:31])
    results.append(
        [
            gettext("Dimension"),
            gettext("Statement id"),
            gettext("Statement"),
            gettext("Result"),
            gettext("Previous"),
            gettext("Change (percentage points)"),
        ]
    )
    for cell in results[1]:
        cell.font = bold
    for group in summary["dimensions"] if summary else []:
        for st in group["statements"]:
            if st["hidden"]:
                # Fewer than 5 answers: only the text and the reason, never a number.
                results.append(
                    [
                        group["name"],
                        st["id"],
                        st["text"],
                        gettext("fewer than %(n)s answers", n=summary["min_answers"]),
                    ]
                )
                continue
            results.append(
                [
                    group["name"],
                    st["id"],
                    st["text"],
                    _pct(st["score"]),
                    _pct(st["previous"]),
                    st["change"],
                ]
            )
            results.cell(results.max_row, 4).number_format = "0.0 %"
            results.cell(results.max_row, 5).number_format = "0.0 %"
    for column, width in zip("ABCDEF", (20, 12, 60, 10, 10, 14), strict=True):
        results.column_dimensions[column].width = width

    trend = book.create_sheet(gettext("Trend")[:31])
    trend.append([gettext("Round"), gettext("QWL index")])
    for cell in trend[1]:
        cell.font = bold
    for r in summary["trend"] if summary else []:
        trend.append([r["round"], _pct(r["index"])])
        trend.cell(trend.max_row, 2).number_format = "0.0 %"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
