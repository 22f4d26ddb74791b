"""Following up a team's items outside the app: calendar, CSV, XLSX and the posters.

- `calendar(team)`: an iCalendar (RFC 5545) file of the due and follow-up dates of the
  team's open items (`not started`, `in progress`): one all-day VEVENT per date, with a
  UID stable across downloads (`item-<id>-due@…`, `item-<id>-follow-up@…`) and a
  SEQUENCE that is the item's version, so calendar apps update an event rather than add
  a second one, and drop it when the item is done. Texts in the team's language.
- `csv_bytes(team)` / `xlsx_bytes(team)`: the items as a table, header row in the
  current (the reader's) language. CSV for Excel in a Finnish locale: UTF-8 with BOM,
  `;` between cells, dates `31.12.2026`, cells starting with = + - @ (or a tab or
  carriage return) prefixed with `'` so a spreadsheet never runs them as formulas.
  XLSX: bold frozen header row, an autofilter, column widths, dates as date cells
  (`d.m.yyyy`), every text cell stored as text (never a formula).
- `poster(team)`: what the one-page staff-room poster shows.

Nothing here identifies a participant: items are what the team agreed, updates are
signed "team member" or with a facilitator's name (teams.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select

from . import teams as teams_ops
from .export import HELSINKI
from .extensions import db
from .models import Action, ActionStatus, ItemKind, ItemUpdate, Team, Workshop

PRODID = "-//Facilitator//Team follow-up//EN"
# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What the one-page poster shows at most (the rest: "and N more on the team page").
POSTER_ITEMS = 8
POSTER_RULES = 6
POSTER_TEXT = 90


# --- shared ----------------------------------------------------------------------------


def team_language(team: Team) -> str:
    """Return the team's language: that of its newest session, else Finnish."""
    lang = db.session.scalar(
        select(Workshop.language)
        .filter_by(team_id=team.id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
        .limit(1)
    )
    return lang if lang in ("fi", "sv", "en") else "fi"


def _rows(team: Team) -> list[tuple[Action, Workshop]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(Action, Workshop)
            .join(Workshop, Action.workshop_id == Workshop.id)
            .where(Workshop.team_id == team.id)
            .order_by(Workshop.created_at, Action.id)
        )
    ]


def _last_updates(action_ids: list[int]) -> dict[int, ItemUpdate]:
    """Return the newest history entry of each item that has one."""
    found: dict[int, ItemUpdate] = {}
    if not action_ids:
        return found
    rows = db.session.scalars(
        select(ItemUpdate)
        .where(ItemUpdate.action_id.in_(action_ids))
        .order_by(ItemUpdate.created_at, ItemUpdate.id)
    )
    for row in rows:
        found[row.action_id] = row
    return found


def local_date(moment: datetime | None) -> date | None:
    """Return the day of a stored time in Helsinki."""
    return moment.astimezone(HELSINKI).date() if moment is not None else None


def status_labels() -> dict[str, str]:
    """Return the item statuses as the board names them (current language)."""
    return {
        "open": gettext("Not started"),
        "in_progress": gettext("In progress"),
        "done": gettext("Done"),
        "dropped": gettext("Dropped"),
        "carried_forward": gettext("Carried forward"),
    }


def kind_labels() -> dict[str, str]:
    """Return the item kinds as the board names them (current language)."""
    return {
        "action": gettext("Action"),
        "experiment": gettext("Experiment"),
        "ground_rule": gettext("Ground rule"),
    }


# --- the table behind CSV and XLSX -------------------------------------------------------


def columns() -> list[tuple[str, str, int]]:
    """Return the table's columns: key, header (current language), width in characters."""
    return [
        ("kind", gettext("Kind"), 14),
        ("what", gettext("What"), 50),
        ("who", gettext("Who"), 24),
        ("due", gettext("By when"), 12),
        ("first_step", gettext("First step"), 36),
        ("follow_up", gettext("Follow-up date"), 14),
        ("status", gettext("Status"), 16),
        ("session", gettext("Source session"), 30),
        ("source", gettext("Idea or theme it came from"), 30),
        ("updated", gettext("Last update"), 14),
        ("note", gettext("Latest note"), 36),
    ]


DATE_COLUMNS = ("due", "follow_up", "updated")


def table(team: Team) -> list[dict]:
    """Return one row per item of the team (values: text, or a date for date columns)."""
    from .phases.actions.ops import item_title

    statuses, kinds = status_labels(), kind_labels()
    rows = _rows(team)
    last = _last_updates([a.id for a, _w in rows])
    out = []
    for action, workshop in rows:
        update = last.get(action.id)
        kind = action.item_kind.value if action.item_kind else "action"
        started = workshop.started_at or workshop.created_at
        out.append(
            {
                "kind": kinds.get(kind, kind),
                "what": action.what,
                "who": action.who or "",
                "due": action.due,
                "first_step": action.first_step or "",
                "follow_up": action.follow_up,
                "status": statuses.get(action.status.value, action.status.value),
                "session": f"{workshop.title} ({fi_date(local_date(started))})",
                "source": (item_title(workshop.id, action.source_item) or "")
                if action.source_item
                else "",
                "updated": local_date(update.created_at if update else action.updated_at),
                "note": update.note if update else "",
            }
        )
    return out


def fi_date(value: date | None) -> str:
    """Write a date the Finnish way, 31.12.2026 (Excel in a Finnish locale reads it)."""
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def guard(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula: prefix it with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(team: Team) -> bytes:
    """Return the team's items as CSV for Excel in a Finnish locale (see module doc)."""
    cols = columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([guard(header) for _key, header, _w in cols])
    for row in table(team):
        writer.writerow(
            [fi_date(row[key]) if key in DATE_COLUMNS else guard(row[key]) for key, _h, _w in cols]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(team: Team) -> bytes:
    """Return the team's items as an Excel workbook (see module doc)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    cols = columns()
    rows = table(team)
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(gettext("Agreed items"))
    bold = Font(bold=True)
    for c, (_key, header, width) in enumerate(cols, 1):
        cell = sheet.cell(row=1, column=c, value=header)
        cell.font = bold
        cell.data_type = "s"
        sheet.column_dimensions[get_column_letter(c)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, 2):
        for c, (key, _h, _w) in enumerate(cols, 1):
            value = row[key]
            if key in DATE_COLUMNS:
                cell = sheet.cell(row=r, column=c, value=value)
                if value is not None:
                    cell.number_format = "d.m.yyyy"
            else:
                cell = sheet.cell(row=r, column=c, value=value)
                # openpyxl reads a string starting with "=" as a formula: keep it text.
                cell.data_type = "s"
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(cols))
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31] or "Items"


# --- calendar ----------------------------------------------------------------------------


def calendar(team: Team, host: str) -> bytes:
    """Return the team's calendar of due and follow-up dates of open items (.ics)."""
    from icalendar import Calendar, Event

    lang = team_language(team)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    with force_locale(lang):
        cal.add("x-wr-calname", gettext("%(team)s: agreed items", team=team.name))
        due_label = gettext("Due: %(what)s")
        follow_label = gettext("Follow-up: %(what)s")
        kinds = kind_labels()
        who_label, step_label, session_label = (
            gettext("Who"),
            gettext("First step"),
            gettext("Session"),
        )
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for action, workshop in _rows(team):
        if action.status not in teams_ops.OPEN_STATUSES:
            continue
        kind = action.item_kind.value if action.item_kind else "action"
        lines = [kinds.get(kind, kind)]
        if action.who:
            lines.append(f"{who_label}: {action.who}")
        if action.first_step:
            lines.append(f"{step_label}: {action.first_step}")
        lines.append(f"{session_label}: {workshop.title}")
        for tag, day, label in (
            ("due", action.due, due_label),
            ("follow-up", action.follow_up, follow_label),
        ):
            if day is None:
                continue
            event = Event()
            event.add("uid", f"item-{action.id}-{tag}@{host}")
            event.add("dtstamp", action.updated_at or action.created_at)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("summary", label.replace("%(what)s", action.what))
            event.add("description", "\n".join(lines))
            event.add("sequence", action.version or 1)
            event.add("transp", "TRANSPARENT")
            event.add("status", "CONFIRMED")
            cal.add_component(event)
    return cal.to_ical()


# --- the staff-room poster -----------------------------------------------------------------


def _short(text: str, limit: int = POSTER_TEXT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def poster(team: Team) -> dict:
    """Return what the one-page poster shows: current items and ground rules (trimmed)."""
    rows = _rows(team)
    current = [
        (a, w)
        for a, w in rows
        if a.status in teams_ops.OPEN_STATUSES and a.item_kind is not ItemKind.GROUND_RULE
    ]
    # Soonest first; items without a date last, in the order they were agreed.
    current.sort(key=lambda aw: (aw[0].due is None, aw[0].due or date.max))
    rules = [
        (a, w)
        for a, w in rows
        if a.item_kind is ItemKind.GROUND_RULE
        and a.status not in (ActionStatus.DROPPED, ActionStatus.CARRIED_FORWARD)
    ]
    today = date.today()
    return {
        "current": [
            {
                "what": _short(a.what),
                "who": _short(a.who or "", 40),
                "due": fi_date(a.due),
                "due_iso": a.due.isoformat() if a.due else "",
                "overdue": bool(a.due and a.due < today),
                "kind": a.item_kind.value if a.item_kind else "action",
                "status": a.status.value,
            }
            for a, _w in current[:POSTER_ITEMS]
        ],
        "more_current": max(0, len(current) - POSTER_ITEMS),
        "rules": [
            {"what": _short(a.what), "how_check": _short(a.how_check or "", 60)}
            for a, _w in rules[:POSTER_RULES]
        ],
        "more_rules": max(0, len(rules) - POSTER_RULES),
        "date": fi_date(today),
    }
