"""Session summaries: JSON with everything, Markdown for reading and printing.

Nothing here identifies a participant: ideas, votes and ratings are exported
as content and counts only.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext

from . import operations as ops
from . import serializers as ser
from .models import Workshop
from .text import render_markdown
from .workshop_models import PhaseKind, localize

EXPORT_VERSION = 1
HELSINKI = ZoneInfo("Europe/Helsinki")


def summary(workshop: Workshop) -> dict:
    """Return the whole session as JSON-ready data."""
    lang = workshop.language
    model = ops.workshop_model(workshop)
    phases = []
    for phase in model.phases:
        entry = {
            "id": phase.id,
            "kind": phase.kind.value,
            "title": localize(phase.title, lang),
            "prompt": localize(phase.prompt, lang),
        }
        if phase.kind is PhaseKind.IDEAS:
            entry["columns"] = [
                {"id": c.id, "title": localize(c.title, lang)} for c in phase.settings.columns
            ]
            entry["ideas"] = _ideas(workshop, phase.id)
        elif phase.kind is PhaseKind.GROUP:
            entry["themes"] = _themes(workshop, model, phase)
        elif phase.kind is PhaseKind.VOTE:
            tally, voters = ops.vote_tally(workshop, phase.id)
            items = ops.vote_items(workshop, phase)
            entry["budget"] = phase.settings.budget
            entry["per_item_cap"] = phase.settings.per_item_cap
            entry["voters"] = voters
            entry["results"] = [
                {**r, "ideas": next(i["ideas"] for i in items if i["key"] == r["key"])}
                for r in ser.tally_results(items, tally)
            ]
        elif phase.kind is PhaseKind.RATE:
            results = ops.rating_results(workshop, phase)
            entry["scale"] = ser.phase_settings(phase, lang)["scale"]
            entry["min_responses"] = max(5, phase.settings.min_responses)
            entry["statements"] = [
                {"id": st.id, "text": localize(st.text, lang), **results[st.id]}
                for st in phase.settings.statements
            ]
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
        "actions": ser.actions_list(workshop),
    }


def _ideas(workshop: Workshop, phase_id: str) -> list[dict]:
    """Return the visible ideas of a phase, each with the texts merged into it."""
    merged = ops.merged_texts(workshop, phase_id)
    return [
        {"text": i.text, "column": i.column, "theme_id": i.theme_id, "merged": merged.get(i.id, [])}
        for i in ops.visible_ideas(workshop, phase_id)
    ]


def _themes(workshop: Workshop, model, phase) -> list[dict]:
    """Return a group phase's themes with their ideas, plus the ungrouped ones."""
    ideas = ops.visible_ideas(workshop, phase.settings.source)
    themes = ser.themes_of(workshop, phase)
    out = [
        {
            "id": t["id"],
            "title": t["title"],
            "ideas": [i.text for i in ideas if i.theme_id == t["id"]],
        }
        for t in themes
    ]
    theme_ids = {t["id"] for t in themes}
    ungrouped = [i.text for i in ideas if i.theme_id not in theme_ids]
    if ungrouped:
        out.append({"id": None, "title": None, "ideas": ungrouped})
    return out


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
        return _markdown(data)


def _labels() -> dict[str, str]:
    """Return the summary's headings in the current language (outside f-strings for extraction)."""
    return {
        "work_community_or_team": gettext("Work community or team"),
        "workshop_template": gettext("Workshop template"),
        "participants": gettext("Participants"),
        "date": gettext("Date"),
        "no_ideas": gettext("No ideas"),
        "not_grouped": gettext("Not grouped"),
        "voters": gettext("Voters"),
        "votes_per_person": gettext("votes per person"),
        "item": gettext("Item"),
        "votes": gettext("Votes"),
        "scale": gettext("Scale"),
        "statement": gettext("Statement"),
        "answers": gettext("Answers"),
        "mean": gettext("Mean"),
        "distribution": gettext("Distribution"),
        "agreed_actions": gettext("Agreed actions"),
        "no_agreed_actions": gettext("No agreed actions"),
    }


def _markdown(data: dict) -> str:
    """Render summary data as Markdown."""
    t = _labels()
    s = data["session"]
    e = _md_escape
    lines = [f"# {e(s['title'])}", ""]
    if s["team"]:
        lines += [f"**{t['work_community_or_team']}:** {e(s['team'])}  "]
    lines += [
        f"**{t['workshop_template']}:** {e(s['template']['title'])}  ",
        f"**{t['participants']}:** {s['participants']}  ",
    ]
    if s["date"]:
        lines.append(f"**{t['date']}:** {s['date']}")
    lines.append("")
    for phase in data["phases"]:
        kind = phase["kind"]
        if kind in ("info", "actions", "summary"):
            continue
        lines += [f"## {e(phase['title'])}", "", f"*{e(phase['prompt'])}*", ""]
        if kind == "ideas":
            columns = phase["columns"] or [{"id": None, "title": None}]
            for column in columns:
                ideas = [i for i in phase["ideas"] if i["column"] == column["id"]]
                if column["title"]:
                    lines += [f"### {e(column['title'])}", ""]
                lines += [
                    f"- {e(i['text'])}" + "".join(f" / {e(m)}" for m in i["merged"]) for i in ideas
                ] or [f"- *{t['no_ideas']}*"]
                lines.append("")
        elif kind == "group":
            for theme in phase["themes"]:
                lines += [f"### {e(theme['title'] or t['not_grouped'])}", ""]
                lines += [f"- {e(t)}" for t in theme["ideas"]] or [f"- *{t['no_ideas']}*"]
                lines.append("")
        elif kind == "vote":
            lines.append(
                f"{t['voters']}: {phase['voters']}, {t['votes_per_person']}: {phase['budget']}"
            )
            lines += ["", f"| {t['item']} | {t['votes']} |", "|---|---:|"]
            lines += [f"| {e(r['title'])} | {r['count']} |" for r in phase["results"]]
            lines.append("")
        elif kind == "rate":
            scale = phase["scale"]
            lines += [
                f"{t['scale']} {scale['min']}–{scale['max']}. "
                + gettext(
                    "Results are shown when at least %(n)s people have answered.",
                    n=phase["min_responses"],
                ),
                "",
                f"| {t['statement']} | {t['answers']} | {t['mean']} | {t['distribution']} |",
                "|---|---:|---:|---|",
            ]
            for st in phase["statements"]:
                if st["distribution"] is None:
                    mean, dist = "–", gettext("hidden (too few answers)")
                else:
                    mean = f"{st['mean']:.1f}"
                    dist = ", ".join(f"{k}: {v}" for k, v in st["distribution"].items())
                lines.append(f"| {e(st['text'])} | {st['responses']} | {mean} | {dist} |")
            lines.append("")
    lines += [f"## {t['agreed_actions']}", ""]
    if not data["actions"]:
        lines += [f"*{t['no_agreed_actions']}*", ""]
    for n, a in enumerate(data["actions"], 1):
        lines.append(f"{n}. **{e(a['what'])}**")
        details = [
            (gettext("Who"), a["who"]),
            (gettext("By when"), a["due"]),
            (gettext("First step"), a["first_step"]),
            (gettext("Follow-up"), a["follow_up"]),
        ]
        lines += [f"   - {label}: {e(value)}" for label, value in details if value]
    lines.append("")
    return "\n".join(lines)


def html(workshop: Workshop) -> str:
    """Return the Markdown summary rendered to sanitised HTML for printing."""
    return render_markdown(markdown(workshop))
