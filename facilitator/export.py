"""Session summaries: JSON with everything, Markdown and a printable page for reading.

The JSON keeps machine-friendly values (ISO dates, plain numbers). The Markdown and the
printable page are built from one localised report (`report`): the agreed actions
first, then per phase the themes with their votes and the ratings, and all raw ideas
last as an appendix; dates and numbers follow the session's language through Babel.

Nothing here identifies a participant: ideas, votes and ratings are exported
as content and counts only.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup

from . import operations as ops
from . import serializers as ser
from .models import Workshop
from .phases import registry
from .phases.actions.export import by_item as actions_by_item
from .workshop_models import localize

EXPORT_VERSION = 1
HELSINKI = ZoneInfo("Europe/Helsinki")

# Babel locale and date format per session language. The regional Finnish variants give
# what a Finnish work community expects: 31.12.2026 and 3,4 in Finnish and Swedish
# (sv_FI, not Sweden's 2026-12-31); English gets the unambiguous 31 Dec 2026 and 3.4.
FORMAT_LOCALES = {"fi": ("fi_FI", "short"), "sv": ("sv_FI", "short"), "en": ("en_GB", "medium")}


def summary(workshop: Workshop) -> dict:
    """Return the whole session as JSON-ready data."""
    lang = workshop.language
    model = ops.workshop_model(workshop)
    actions = ser.actions_list(workshop)
    phases = []
    for phase in model.phases:
        entry = {
            "id": phase.id,
            "kind": phase.kind.value,
            "title": localize(phase.title, lang),
            "prompt": localize(phase.prompt, lang),
        }
        entry.update(registry.of(phase).export_block(workshop, model, phase, lang))
        phases.append(entry)
    return {
        "export_version": EXPORT_VERSION,
        "session": {
            "title": workshop.title,
            "team": workshop.team_name,
            "language": lang,
            "status": workshop.status.value,
            "template": {
                "id": workshop.model_id,
                "version": workshop.model_version,
                "title": localize(model.title, lang),
            },
            "created_at": ser.iso(workshop.created_at),
            "started_at": ser.iso(workshop.started_at),
            # The day as the work community lived it, not the UTC day.
            "date": ser.iso(workshop.started_at.astimezone(HELSINKI).date())
            if workshop.started_at
            else None,
            "closed_at": ser.iso(workshop.closed_at),
            "participants": ops.participant_count(workshop.id),
        },
        "phases": phases,
        "actions": actions,
        # The actions grouped by the item (idea or theme) each was agreed from.
        "actions_by_item": actions_by_item(workshop, actions),
        # For a session under a team: where its items are now (null otherwise).
        "follow_up": follow_up(workshop),
    }


# --- the follow-up of a team's session -------------------------------------------


def _session_ref(workshop: Workshop) -> dict:
    started = workshop.started_at or workshop.created_at
    return {
        "id": workshop.id,
        "title": workshop.title,
        "date": started.astimezone(HELSINKI).date().isoformat(),
    }


def follow_up(workshop: Workshop) -> dict | None:
    """Return the current status, later updates and carrying of a team session's items.

    Each item: `status` now, `history` (every update, oldest first: the day, "team
    member" as null or a facilitator's name, status change, note) and `carried` (the
    items that carry it forward in later sessions, in order, each with its session and
    status now). Nothing identifies a participant.
    """
    from sqlalchemy import select

    from .extensions import db
    from .models import Action, ItemUpdate, Team

    if workshop.team_id is None:
        return None
    team = db.session.get(Team, workshop.team_id)
    if team is None:
        return None
    own = list(
        db.session.scalars(select(Action).filter_by(workshop_id=workshop.id).order_by(Action.id))
    )
    ids = [a.id for a in own]
    history: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in db.session.scalars(
            select(ItemUpdate)
            .where(ItemUpdate.action_id.in_(ids))
            .order_by(ItemUpdate.created_at, ItemUpdate.id)
        ):
            history[row.action_id].append(
                {
                    "at": row.created_at.astimezone(HELSINKI).date().isoformat(),
                    "who": row.who_label or None,
                    "from": row.status_from,
                    "to": row.status_to,
                    "note": row.note,
                }
            )
    forward = _carried_forward(team.id)
    items = []
    for action in own:
        carried, seen, link = [], {action.id}, forward.get(action.id)
        while link is not None and link[0].id not in seen:
            later, session = link
            seen.add(later.id)
            carried.append(
                {"id": later.id, "status": later.status.value, "session": _session_ref(session)}
            )
            link = forward.get(later.id)
        items.append(
            {
                "id": action.id,
                "what": action.what,
                "item_kind": action.item_kind.value if action.item_kind else "action",
                "status": action.status.value,
                "updated": action.updated_at.astimezone(HELSINKI).date().isoformat()
                if action.updated_at
                else None,
                "history": history[action.id],
                "carried": carried,
            }
        )
    return {"team": team.name, "items": items}


def _carried_forward(team_id: int) -> dict:
    """Return item id → (the item carrying it forward, its session) within the team."""
    from sqlalchemy import select

    from .extensions import db
    from .models import Action

    column = getattr(Action, "carried_from_id", None)
    if column is None:
        return {}
    rows = db.session.execute(
        select(Action, Workshop)
        .join(Workshop, Action.workshop_id == Workshop.id)
        .where(Workshop.team_id == team_id, column.is_not(None))
    )
    return {a.carried_from_id: (a, w) for a, w in rows}


# --- the localised report behind the Markdown and the printable page ---------


class Formats:
    """Dates and numbers the way the session's language writes them (Babel)."""

    def __init__(self, lang: str):
        self.locale, self.date_format = FORMAT_LOCALES.get(lang, FORMAT_LOCALES["fi"])

    def date(self, value: str | None) -> str:
        """Format an ISO date (``2026-12-31``) for reading; empty for None."""
        if not value:
            return ""
        return format_date(date.fromisoformat(value[:10]), self.date_format, locale=self.locale)

    def number(self, value: int | float) -> str:
        """Format a count."""
        return format_decimal(value, locale=self.locale)

    def mean(self, value: float) -> str:
        """Format an average with one decimal."""
        return format_decimal(value, format="#,##0.0", locale=self.locale)


def _labels() -> dict[str, str]:
    """Return the summary's headings in the current language (outside f-strings for extraction)."""
    return {
        "work_community_or_team": gettext("Work community or team"),
        "workshop_template": gettext("Workshop template"),
        "participants": gettext("Participants"),
        "ideas": gettext("Ideas"),
        "themes": gettext("Themes"),
        "date": gettext("Date"),
        "no_ideas": gettext("No ideas"),
        "not_grouped": gettext("Not grouped"),
        "voters": gettext("Voters"),
        "votes_per_person": gettext("votes per person"),
        "no_votes": gettext("No votes yet"),
        "scale": gettext("Scale"),
        "statement": gettext("Statement"),
        "answers": gettext("Answers"),
        "mean": gettext("Average"),
        "distribution": gettext("Distribution"),
        "hidden": gettext("hidden (too few answers)"),
        "grade": gettext("Agreed grade"),
        "agreed_actions": gettext("Agreed actions"),
        "no_agreed_actions": gettext("No agreed actions"),
        "number": gettext("No."),
        "what": gettext("What"),
        "who": gettext("Who"),
        "due": gettext("By when"),
        "first_step": gettext("First step"),
        "follow_up": gettext("Follow-up"),
        "status": gettext("Status"),
        "appendix": gettext("Appendix: all ideas"),
        "followup_section": gettext("Follow-up of the agreed items"),
        "followup_note": gettext(
            "Where the items of this session are now, on the board of %(team)s."
        ),
        "status_now": gettext("Status now"),
        "updates": gettext("Updates"),
        "carried_to": gettext("Carried to"),
        "no_updates": gettext("No updates yet"),
    }


def _status_labels() -> dict[str, str]:
    """Return the action statuses as the control view names them."""
    return {
        "open": gettext("To do"),
        "in_progress": gettext("In progress"),
        "done": gettext("Done"),
        "dropped": gettext("Dropped"),
        "carried_forward": gettext("Carried forward"),
    }


def _item_details(a: dict) -> list[tuple[str, str]]:
    """Return an experiment's or a ground rule's own fields that are filled in, labelled."""
    labels = (
        ("why", gettext("Why")),
        ("how_know", gettext("How we will know")),
        ("learned", gettext("What we learned")),
        ("how_check", gettext("How we check it")),
    )
    return [(label, a[key]) for key, label in labels if a.get(key)]


def _item_kind_label(a: dict) -> str:
    """Return "Experiment" or "Ground rule" for those kinds ("" for a plain action)."""
    return {"experiment": gettext("Experiment"), "ground_rule": gettext("Ground rule")}.get(
        a.get("item_kind") or "action", ""
    )


def report(data: dict, lang: str) -> dict:
    """Return the summary as localised, display-ready text (call inside force_locale).

    Participants' text is returned as is: each renderer escapes it.
    """
    f = Formats(lang)
    t = _labels()
    s = data["session"]
    phases = data["phases"]
    statuses = _status_labels()
    counts = [(t["participants"], f.number(s["participants"]))]
    # Each kind's headline counts, in the registry's order, for the kinds the session has.
    for name, spec in registry.KINDS.items():
        entries = [p for p in phases if p["kind"] == name]
        if entries:
            counts += spec.report_counts(entries, f, t)
    counts.append((t["agreed_actions"], f.number(len(data["actions"]))))

    actions = [
        {
            "number": f.number(n),
            "what": a["what"],
            "who": a["who"] or "",
            "due": f.date(a["due"]),
            "first_step": a["first_step"] or "",
            "follow_up": f.date(a["follow_up"]),
            "status": statuses.get(a["status"], a["status"]),
            "status_key": a["status"],
            "kind": _item_kind_label(a),
            "details": _item_details(a),
        }
        for n, a in enumerate(data["actions"], 1)
    ]
    # Grouped by the item each was agreed from, when any was (else one untitled group).
    numbered = {a["id"]: row for a, row in zip(data["actions"], actions, strict=True)}
    action_groups = [
        {
            "title": (g["title"] or g["item"])
            if g["item"]
            else (gettext("Other actions") if i else ""),
            "actions": [numbered[a] for a in g["actions"]],
        }
        for i, g in enumerate(data.get("actions_by_item") or [])
    ]
    if not any(g["title"] for g in action_groups):
        action_groups = [{"title": "", "actions": actions}] if actions else []

    sections = []
    appendix = []
    for phase in phases:
        spec = registry.kind(phase["kind"])
        sections += spec.report_sections(phase, data, f, t)
        appendix += spec.report_appendix(phase)
    return {
        "follow_up": _follow_up_report(data.get("follow_up"), f),
        "labels": t,
        "lang": lang,
        "title": s["title"],
        "team": s["team"] or "",
        "template": s["template"]["title"],
        "date": f.date(s["date"]),
        "counts": counts,
        "actions": actions,
        "action_groups": action_groups,
        "sections": sections,
        "appendix": appendix,
    }


def _follow_up_report(fu: dict | None, f: Formats) -> dict | None:
    """Return the follow-up section as text: status now, dated updates, where carried."""
    if not fu:
        return None
    from .team_exports import status_labels

    statuses = status_labels()
    member = gettext("team member")
    items = []
    for n, item in enumerate(fu["items"], 1):
        updates = []
        for u in item["history"]:
            parts = [f.date(u["at"]), u["who"] or member]
            if u["to"]:
                parts.append(
                    f"{statuses.get(u['from'], u['from'] or '')} → {statuses.get(u['to'], u['to'])}"
                )
            if u["note"]:
                parts.append(u["note"])
            updates.append(" · ".join(parts))
        carried = [
            f"{c['session']['title']} ({f.date(c['session']['date'])}): "
            + statuses.get(c["status"], c["status"])
            for c in item["carried"]
        ]
        items.append(
            {
                "number": f.number(n),
                "what": item["what"],
                "status": statuses.get(item["status"], item["status"]),
                "status_key": item["status"],
                "updates": updates,
                "carried": carried,
            }
        )
    return {"team": fu["team"], "items": items}


# --- Markdown ------------------------------------------------------------------


def _md_escape(text: str) -> str:
    """Escape Markdown so participants' text stays plain text on one line of the summary."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", " ".join(str(text).split()))
    if text[:1] in ("#", "+", "-") or re.match(r"\d+[.)]", text):
        text = "\\" + text
    return text


def markdown(workshop: Workshop) -> str:
    """Return the session summary as Markdown in the session's language."""
    data = summary(workshop)
    with force_locale(workshop.language):
        return _markdown(report(data, workshop.language))


def _markdown(r: dict) -> str:
    """Render a report as Markdown."""
    t = r["labels"]
    e = _md_escape
    lines = [f"# {e(r['title'])}", ""]
    if r["team"]:
        lines.append(f"**{t['work_community_or_team']}:** {e(r['team'])}  ")
    lines.append(f"**{t['workshop_template']}:** {e(r['template'])}  ")
    if r["date"]:
        lines.append(f"**{t['date']}:** {r['date']}  ")
    lines += [" · ".join(f"**{label}:** {value}" for label, value in r["counts"]), ""]

    lines += [f"## {t['agreed_actions']}", ""]
    if r["actions"]:
        keys = ("what", "who", "due", "first_step", "follow_up", "status")
        for group in r["action_groups"]:
            if group["title"]:
                lines += [f"### {e(group['title'])}", ""]
            lines.append("| " + " | ".join([t["number"]] + [t[k] for k in keys]) + " |")
            lines.append("|---:|" + "---|" * len(keys))
            for a in group["actions"]:
                # Participants' text is escaped; dates and the status are ours.
                cells = [a["number"], e(a["what"])] + [
                    (e(a[k]) if k in ("who", "first_step") else a[k]) or "–" for k in keys[1:]
                ]
                lines.append("| " + " | ".join(cells) + " |")
            # An experiment's or a ground rule's own fields, under the table.
            detailed = [a for a in group["actions"] if a["details"] or a["kind"]]
            if detailed:
                lines.append("")
            for a in detailed:
                kind = f" ({a['kind']})" if a["kind"] else ""
                lines.append(
                    f"- **{a['number']}.**{kind} "
                    + " · ".join(f"{label}: {e(value)}" for label, value in a["details"])
                )
            if group["title"] or detailed:
                lines.append("")
    else:
        lines.append(f"*{t['no_agreed_actions']}*")
    lines.append("")

    fu = r.get("follow_up")
    if fu and fu["items"]:
        lines += [
            f"## {t['followup_section']}",
            "",
            e(t["followup_note"] % {"team": fu["team"]}),
            "",
        ]
        keys = ("number", "what", "status_now", "updates", "carried_to")
        lines.append("| " + " | ".join(t[k] for k in keys) + " |")
        lines.append("|---:|---|---|---|---|")
        for item in fu["items"]:
            updates = "<br>".join(e(u) for u in item["updates"]) or "–"
            carried = "<br>".join(e(c) for c in item["carried"]) or "–"
            cells = [item["number"], e(item["what"]), item["status"], updates, carried]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    for section in r["sections"]:
        lines += [f"## {e(section['title'])}", ""]
        if section["note"]:
            lines += [e(section["note"]), ""]
        if "statements" in section:
            # A table of statements (a rate phase's section).
            grade = section.get("grades")
            lines += [
                f"| {t['statement']} | {t['answers']} | {t['mean']} | {t['distribution']} |"
                + (f" {t['grade']} |" if grade else ""),
                "|---|---:|---:|---|" + ("---|" if grade else ""),
            ]
            lines += [
                f"| {e(st['text'])} | {st['responses']} | {st['mean']} | {st['distribution']} |"
                + (f" {e(st['grade'])} |" if grade else "")
                for st in section["statements"]
            ]
            lines.append("")
            continue
        if not section["entries"] and not section["ungrouped"]:
            # A section may say what "nothing" means for it ("" says nothing).
            empty = section.get("empty", t["no_ideas"])
            if empty:
                lines += [f"*{empty}*", ""]
        for n, item in enumerate(section["entries"], 1):
            votes = f" — {item['votes']}" if item["votes"] else ""
            lines += [f"### {n}. {e(item['title'])}{votes}", ""]
            if item["ideas"]:
                lines += [f"- {e(text)}" for text in item["ideas"]] + [""]
        if section["ungrouped"]:
            lines += [f"### {e(section.get('ungrouped_title') or t['not_grouped'])}", ""]
            lines += [f"- {e(text)}" for text in section["ungrouped"]] + [""]

    if r["appendix"]:
        lines += [f"## {t['appendix']}", ""]
    for phase in r["appendix"]:
        lines += [f"### {e(phase['title'])}", ""]
        if phase["prompt"]:
            lines += [f"*{e(phase['prompt'])}*", ""]
        for column in phase["columns"]:
            if column["title"]:
                lines += [f"#### {e(column['title'])}", ""]
            lines += [
                f"- {e(i['text'])}" + "".join(f" / {e(m)}" for m in i["merged"])
                for i in column["ideas"]
            ] or [f"- *{t['no_ideas']}*"]
            lines.append("")
    return "\n".join(lines)


# --- printable page -------------------------------------------------------------


def html(workshop: Workshop) -> Markup:
    """Return the printable summary document (escaped by Jinja) in the session's language."""
    data = summary(workshop)
    with force_locale(workshop.language):
        return Markup(
            render_template("dashboard/_export_doc.html", r=report(data, workshop.language))
        )
