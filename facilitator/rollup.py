"""Roll-up: one compilation of the sessions a facilitator ran with the same template in
several units (teams), for the facilitator and for a manager.

A unit is one chosen session (named by its team, else its "work community or team"
text, else its title). The compilation has, per unit: the agreed items; the themes
and their vote totals; the vote winners (the top `WINNERS` results with votes); and the
ratings. It never has raw walls: no idea texts beyond theme names and vote winners, no
theme's ideas, nothing of `private` or ungrouped ideas, nothing about participants.

**Pooling rule.** A rating statement's answers are pooled over the units only when
every unit has at least the phase's threshold of answers (`phases/answers.threshold`,
never fewer than 5); otherwise the pooled figure is not shown ("not shown: fewer than N
answers in some unit"): a pooled figure next to the units shown on their own would give
away the hidden unit's answers. A unit's own figures show only at or above the threshold,
as in the session export.

Which sessions: only those the facilitator can see (their own, or their teams' sessions:
`teams.can_run`); at least `MIN_UNITS` and at most `MAX_UNITS`, all of the same template
(`rollup_mixed_templates`). The block shapes read here are those of `export.summary`.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import date, datetime

from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from . import export
from . import teams as teams_ops
from .errors import MESSAGES, OperationError
from .extensions import db
from .models import Team, TeamMember, TZDateTime, Workshop, utcnow
from .phases.answers import threshold
from .workshop_models import localize

ROLLUP_VERSION = 1
MIN_UNITS = 2
MAX_UNITS = 30
# Vote results of single ideas shown per unit (theme results are shown in full).
WINNERS = 3

# The module's error codes (errors.MESSAGES is the one table clients read).
MESSAGES.setdefault(
    "rollup_too_few",
    lazy_gettext("Choose at least %(min)s sessions to compile."),
)
MESSAGES.setdefault(
    "rollup_too_many",
    lazy_gettext("Choose at most %(max)s sessions to compile."),
)
MESSAGES.setdefault(
    "rollup_link_gone",
    lazy_gettext("This compilation is no longer available. Ask the facilitator for a new link."),
)
MESSAGES.setdefault(
    "rollup_mixed_templates",
    lazy_gettext("The sessions of a compilation must all be run from the same template."),
)


# --- a manager's read-only link --------------------------------------------------------------

LINK_PREFIX = "far_"
LINK_NAME_MAX = 200


class RollupLink(db.Model):
    """A revocable read-only link to a compilation (`/r/<secret>`), made by a facilitator.

    Only the SHA-256 of the secret is stored (the secret is shown once). The link shows
    what its facilitator may still see: a session they can no longer see, or a deleted
    one, ends it (`rollup_link_gone`). Migration 0011_rollup_links.
    """

    __tablename__ = "rollup_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(LINK_NAME_MAX), default="")
    session_ids: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_link(user, workshops: list[Workshop], name: str = "") -> tuple[RollupLink, str]:
    """Make a read-only link to the compilation of the chosen sessions; return it and the secret."""
    name = " ".join((name or "").split())
    if len(name) > LINK_NAME_MAX:
        raise OperationError("too_long", max=LINK_NAME_MAX)
    secret = LINK_PREFIX + secrets.token_urlsafe(32)
    link = RollupLink(
        facilitator_id=user.id,
        token_hash=_hash(secret),
        name=name,
        session_ids=[w.id for w in workshops],
    )
    db.session.add(link)
    db.session.flush()
    return link, secret


def links_of(user) -> list[RollupLink]:
    """Return the facilitator's read-only links, newest first."""
    return list(
        db.session.scalars(
            select(RollupLink)
            .filter_by(facilitator_id=user.id)
            .order_by(RollupLink.created_at.desc(), RollupLink.id.desc())
        )
    )


def revoke_link(user, link_id: int) -> None:
    """End one of the facilitator's read-only links at once."""
    link = db.session.get(RollupLink, link_id)
    if link is None or link.facilitator_id != user.id:
        raise OperationError("not_found")
    db.session.delete(link)


def link_workshops(secret: str) -> list[Workshop]:
    """Return the sessions of a working link as its facilitator may see them, else refuse."""
    from .models import Facilitator

    if not isinstance(secret, str) or not secret.startswith(LINK_PREFIX) or len(secret) > 100:
        raise OperationError("rollup_link_gone")
    link = db.session.scalar(select(RollupLink).filter_by(token_hash=_hash(secret)))
    owner = db.session.get(Facilitator, link.facilitator_id) if link is not None else None
    if owner is None:
        raise OperationError("rollup_link_gone")
    try:
        return choose(owner, list(link.session_ids))
    except OperationError:
        raise OperationError("rollup_link_gone") from None


# --- which sessions ------------------------------------------------------------------------


def visible_sessions(user) -> list[Workshop]:
    """Return the sessions the facilitator can see: own ones and their teams', newest first."""
    shared = select(TeamMember.team_id).filter_by(facilitator_id=user.id)
    owned = select(Team.id).filter_by(owner_id=user.id)
    query = (
        select(Workshop)
        .where(
            (Workshop.facilitator_id == user.id)
            | Workshop.team_id.in_(shared)
            | Workshop.team_id.in_(owned)
        )
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    )
    return list(db.session.scalars(query))


def candidates(user, lang: str) -> list[dict]:
    """Return the visible sessions grouped by template (templates used twice or more first)."""
    groups: dict[str, dict] = {}
    f = export.Formats(lang)
    for w in visible_sessions(user):
        group = groups.get(w.model_id)
        if group is None:
            from . import operations as ops

            title = localize(ops.workshop_model(w).title, lang)
            group = groups[w.model_id] = {"model_id": w.model_id, "title": title, "sessions": []}
        group["sessions"].append(
            {
                "id": w.id,
                "unit": unit_name(w),
                "title": w.title,
                "date": _day(w),
                "date_text": f.date(_day(w)),
            }
        )
    return sorted(groups.values(), key=lambda g: (len(g["sessions"]) < MIN_UNITS, g["title"]))


def choose(user, session_ids: list[int]) -> list[Workshop]:
    """Return the chosen sessions, oldest first, or refuse (not_found, too few/many, mixed)."""
    ids = list(dict.fromkeys(session_ids))
    if len(ids) < MIN_UNITS:
        raise OperationError("rollup_too_few", min=MIN_UNITS)
    if len(ids) > MAX_UNITS:
        raise OperationError("rollup_too_many", max=MAX_UNITS)
    chosen = []
    for sid in ids:
        workshop = db.session.get(Workshop, sid)
        if workshop is None or not teams_ops.can_run(user, workshop):
            raise OperationError("not_found")
        chosen.append(workshop)
    if len({w.model_id for w in chosen}) != 1:
        raise OperationError("rollup_mixed_templates")
    return sorted(chosen, key=lambda w: (w.started_at or w.created_at, w.id))


def unit_name(workshop: Workshop) -> str:
    """Return the unit a session stands for: its team, else its team text, else its title."""
    if workshop.team_id is not None:
        team = db.session.get(Team, workshop.team_id)
        if team is not None:
            return team.name
    return workshop.team_name or workshop.title


def _day(workshop: Workshop) -> str:
    moment = workshop.started_at or workshop.created_at
    return moment.astimezone(export.HELSINKI).date().isoformat()


# --- the compilation -------------------------------------------------------------------------


def compile_units(workshops: list[Workshop], lang: str) -> dict:
    """Return the compilation of the chosen sessions (JSON-ready; see the module doc)."""
    from . import operations as ops

    summaries = [export.summary(w) for w in workshops]
    models = [ops.workshop_model(w) for w in workshops]
    names = [unit_name(w) for w in workshops]
    # Two sessions of one unit: tell them apart by their day.
    for i, w in enumerate(workshops):
        if names.count(names[i]) > 1:
            names[i] = f"{names[i]} ({_day(w)})"
    units = [
        {
            "id": w.id,
            "name": names[i],
            "session": w.title,
            "date": _day(w),
            "status": w.status.value,
            "participants": summaries[i]["session"]["participants"],
        }
        for i, w in enumerate(workshops)
    ]
    items = [
        {
            "unit": w.id,
            "items": [
                {
                    "kind": a["item_kind"],
                    "what": a["what"],
                    "who": a["who"],
                    "due": a["due"],
                    "follow_up": a["follow_up"],
                    "status": a["status"],
                }
                for a in summaries[i]["actions"]
            ],
        }
        for i, w in enumerate(workshops)
    ]
    first_model = models[0]
    phases = []
    for phase in first_model.phases:
        blocks = [_phase_block(s, phase.id) for s in summaries]
        if any(b is None for b in blocks):
            continue  # a template version without this phase: nothing side by side
        entry = _themes_and_votes(phase, blocks, workshops, summaries, lang)
        if entry is None:
            entry = _ratings(phase, blocks, workshops, models, lang)
        if entry is not None:
            phases.append(entry)
    return {
        "rollup_version": ROLLUP_VERSION,
        "template": {"id": workshops[0].model_id, "title": localize(first_model.title, lang)},
        "units": units,
        "items": items,
        "phases": phases,
    }


def _phase_block(summary: dict, phase_id: str) -> dict | None:
    return next((p for p in summary["phases"] if p["id"] == phase_id), None)


def _themes_and_votes(phase, blocks, workshops, summaries, lang) -> dict | None:
    """A phase with themes (their names only) or vote results (totals, winners)."""
    if all("themes" in b for b in blocks):
        per_unit = []
        for i, b in enumerate(blocks):
            votes = _theme_votes(summaries[i], phase.id)
            per_unit.append(
                {
                    "unit": workshops[i].id,
                    "themes": [
                        {"title": t["title"], "votes": votes.get(t["id"])}
                        for t in b["themes"]
                        if t["id"] is not None
                    ],
                }
            )
        return {
            "id": phase.id,
            "type": "themes",
            "title": localize(phase.title, lang),
            "units": per_unit,
        }
    if all("results" in b and "voters" in b for b in blocks):
        per_unit = []
        for i, b in enumerate(blocks):
            themes = [r for r in b["results"] if r["key"].startswith("theme:")]
            singles = [r for r in b["results"] if not r["key"].startswith("theme:") and r["count"]]
            winners = sorted(singles, key=lambda r: -r["count"])[:WINNERS]
            per_unit.append(
                {
                    "unit": workshops[i].id,
                    "voters": b["voters"],
                    "themes": [{"title": r["title"], "count": r["count"]} for r in themes],
                    "winners": [{"title": r["title"], "count": r["count"]} for r in winners],
                }
            )
        return {
            "id": phase.id,
            "type": "votes",
            "title": localize(phase.title, lang),
            "units": per_unit,
        }
    return None


def _theme_votes(summary: dict, group_id: str) -> dict:
    """Return theme id → votes from the vote phase(s) on a group phase's themes."""
    votes: dict = {}
    for p in summary["phases"]:
        if p.get("source") == group_id and "results" in p:
            for r in p["results"]:
                if r["key"].startswith("theme:"):
                    theme_id = int(r["key"].split(":", 1)[1])
                    votes[theme_id] = votes.get(theme_id, 0) + r["count"]
    return votes


def _ratings(phase, blocks, workshops, models, lang) -> dict | None:
    """A phase of statements rated on a scale: per unit, and pooled where the rule allows."""
    if not all("statements" in b and "scale" in b for b in blocks):
        return None
    n = max(_threshold(m, phase.id) for m in models)
    statements = []
    for st in blocks[0]["statements"]:
        rows = []
        for i, b in enumerate(blocks):
            own = next((s for s in b["statements"] if s["id"] == st["id"]), None)
            rows.append(
                {
                    "unit": workshops[i].id,
                    "responses": own["responses"] if own else 0,
                    "mean": own["mean"] if own else None,
                    "distribution": own["distribution"] if own else None,
                }
            )
        everyone = all(r["responses"] >= n and r["distribution"] is not None for r in rows)
        pooled = _pool([r["distribution"] for r in rows]) if everyone else None
        statements.append(
            {
                "id": st["id"],
                "text": st["text"],
                "units": rows,
                "pooled": pooled,
                "not_shown": None if everyone else "fewer_than_threshold_in_some_unit",
            }
        )
    scale = blocks[0]["scale"]
    return {
        "id": phase.id,
        "type": "ratings",
        "title": localize(phase.title, lang),
        "scale": {"min": scale["min"], "max": scale["max"]},
        "threshold": n,
        "statements": statements,
    }


def _threshold(model, phase_id: str) -> int:
    return threshold(next(p for p in model.phases if p.id == phase_id))


def _pool(distributions: list[dict]) -> dict:
    total: dict[str, int] = {}
    for dist in distributions:
        for key, count in dist.items():
            total[key] = total.get(key, 0) + count
    responses = sum(total.values())
    mean = round(sum(int(k) * v for k, v in total.items()) / responses, 2) if responses else None
    return {"responses": responses, "mean": mean, "distribution": total}


# --- for reading: labels, Markdown, XLSX ---------------------------------------------------


def labels() -> dict[str, str]:
    """Return the compilation's headings in the current language."""
    return {
        "title": gettext("Compilation"),
        "template": gettext("Workshop template"),
        "units": gettext("Units"),
        "unit": gettext("Unit"),
        "session": gettext("Session"),
        "date": gettext("Date"),
        "participants": gettext("Participants"),
        "items": gettext("Agreed items"),
        "no_items": gettext("No agreed items"),
        "kind": gettext("Kind"),
        "what": gettext("What"),
        "who": gettext("Who"),
        "due": gettext("By when"),
        "status": gettext("Status"),
        "theme": gettext("Theme"),
        "votes": gettext("Votes"),
        "voters": gettext("Voters"),
        "winners": gettext("Most votes"),
        "statement": gettext("Statement"),
        "answers": gettext("Answers"),
        "mean": gettext("Average"),
        "all_units": gettext("All units"),
        "no_themes": gettext("No themes"),
        "no_raw": gettext(
            "This compilation has no raw walls: only theme names, vote totals, the ideas "
            "that won the most votes, agreed items and ratings."
        ),
    }


def not_shown_text(n: int) -> str:
    """Return "not shown: fewer than N answers in some unit" in the current language."""
    return ngettext(
        "not shown: fewer than %(num)s answer in some unit",
        "not shown: fewer than %(num)s answers in some unit",
        n,
    )


def hidden_text(n: int) -> str:
    """Return a unit's own hidden figure."""
    return ngettext("hidden: fewer than %(num)s answer", "hidden: fewer than %(num)s answers", n)


def _figure(f, figures: dict) -> str:
    """Return "3,8 (12)": the average and the number of answers."""
    if figures.get("mean") is None:
        return "–"
    return f"{f.mean(figures['mean'])} ({f.number(figures['responses'])})"


def report(data: dict, lang: str) -> dict:
    """Return the compilation as display-ready text for the page and the Markdown."""
    from .team_exports import kind_labels, status_labels

    f = export.Formats(lang)
    statuses, kinds = status_labels(), kind_labels()
    names = {u["id"]: u["name"] for u in data["units"]}
    units = [{**u, "date_text": f.date(u["date"])} for u in data["units"]]
    items = [
        {
            "unit": names[group["unit"]],
            "items": [
                {
                    **a,
                    "kind_text": kinds.get(a["kind"], a["kind"]),
                    "status_text": statuses.get(a["status"], a["status"]),
                    "due_text": f.date(a["due"]),
                }
                for a in group["items"]
            ],
        }
        for group in data["items"]
    ]
    phases = []
    for p in data["phases"]:
        entry = {"id": p["id"], "type": p["type"], "title": p["title"]}
        if p["type"] == "themes":
            entry["units"] = [
                {
                    "unit": names[u["unit"]],
                    "themes": [
                        {
                            "title": t["title"],
                            "votes": "" if t["votes"] is None else f.number(t["votes"]),
                        }
                        for t in u["themes"]
                    ],
                }
                for u in p["units"]
            ]
        elif p["type"] == "votes":
            entry["units"] = [
                {
                    "unit": names[u["unit"]],
                    "voters": f.number(u["voters"]),
                    "themes": [
                        {"title": t["title"], "count": f.number(t["count"])} for t in u["themes"]
                    ],
                    "winners": [
                        {"title": t["title"], "count": f.number(t["count"])} for t in u["winners"]
                    ],
                }
                for u in p["units"]
            ]
        else:
            n = p["threshold"]
            entry["columns"] = (
                [names[u["unit"]] for u in p["statements"][0]["units"]]
                if p["statements"]
                else [names[u["id"]] for u in data["units"]]
            )
            entry["statements"] = [
                {
                    "text": st["text"],
                    "cells": [
                        _figure(f, u) if u["mean"] is not None else hidden_text(n)
                        for u in st["units"]
                    ],
                    "pooled": _figure(f, st["pooled"]) if st["pooled"] else not_shown_text(n),
                }
                for st in p["statements"]
            ]
            entry["scale"] = f"{f.number(p['scale']['min'])}–{f.number(p['scale']['max'])}"
        phases.append(entry)
    return {
        "labels": labels(),
        "template": data["template"]["title"],
        "units": units,
        "items": items,
        "phases": phases,
    }


def markdown(data: dict, lang: str) -> str:
    """Render the compilation as Markdown (current language)."""
    e = export._md_escape
    r = report(data, lang)
    t = r["labels"]
    lines = [f"# {t['title']}: {e(r['template'])}", "", f"*{t['no_raw']}*", ""]
    lines += [f"## {t['units']}", ""]
    lines += [
        f"| {t['unit']} | {t['session']} | {t['date']} | {t['participants']} |",
        "|---|---|---|---:|",
    ]
    lines += [
        f"| {e(u['name'])} | {e(u['session'])} | {u['date_text']} | {u['participants']} |"
        for u in r["units"]
    ]
    lines += ["", f"## {t['items']}", ""]
    for group in r["items"]:
        lines += [f"### {e(group['unit'])}", ""]
        if not group["items"]:
            lines += [f"*{t['no_items']}*", ""]
            continue
        lines += [
            f"| {t['kind']} | {t['what']} | {t['who']} | {t['due']} | {t['status']} |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {a['kind_text']} | {e(a['what'])} | {e(a['who']) or '–'} | "
            f"{a['due_text'] or '–'} | {a['status_text']} |"
            for a in group["items"]
        ]
        lines.append("")
    for p in r["phases"]:
        lines += [f"## {e(p['title'])}", ""]
        if p["type"] in ("themes", "votes"):
            for u in p["units"]:
                head = f"### {e(u['unit'])}"
                if p["type"] == "votes":
                    head += f" ({t['voters']}: {u['voters']})"
                lines += [head, ""]
                rows = u["themes"] + (u.get("winners") or [])
                if not rows:
                    lines += [f"*{t['no_themes']}*", ""]
                    continue
                for row in rows:
                    count = row.get("count", row.get("votes"))
                    lines.append(f"- {e(row['title'])}" + (f" — {count}" if count else ""))
                lines.append("")
        else:
            lines.append(
                f"| {t['statement']} | "
                + " | ".join(e(c) for c in p["columns"])
                + f" | {t['all_units']} |"
            )
            lines.append("|---|" + "---:|" * (len(p["columns"]) + 1))
            for st in p["statements"]:
                lines.append(
                    f"| {e(st['text'])} | " + " | ".join(st["cells"]) + f" | {st['pooled']} |"
                )
            lines.append("")
    return "\n".join(lines)


def xlsx_bytes(data: dict, lang: str) -> bytes:
    """Render the compilation as a workbook: units, items, themes and votes, ratings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .team_exports import _sheet_title, kind_labels, status_labels

    t = labels()
    statuses, kinds = status_labels(), kind_labels()
    names = {u["id"]: u["name"] for u in data["units"]}
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], widths: list[int], first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = _sheet_title(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
                elif isinstance(cell.value, date):
                    cell.number_format = "d.m.yyyy"
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, ws.max_row)}"

    sheet(
        t["units"],
        [t["unit"], t["session"], t["date"], t["participants"]],
        [
            [u["name"], u["session"], date.fromisoformat(u["date"]), u["participants"]]
            for u in data["units"]
        ],
        [30, 36, 12, 12],
        first=True,
    )
    sheet(
        t["items"],
        [t["unit"], t["kind"], t["what"], t["who"], t["due"], t["status"]],
        [
            [
                names[g["unit"]],
                kinds.get(a["kind"], a["kind"]),
                a["what"],
                a["who"],
                date.fromisoformat(a["due"]) if a["due"] else None,
                statuses.get(a["status"], a["status"]),
            ]
            for g in data["items"]
            for a in g["items"]
        ],
        [24, 14, 50, 24, 12, 16],
    )
    vote_rows = []
    for p in data["phases"]:
        if p["type"] == "themes":
            vote_rows += [
                [p["title"], names[u["unit"]], th["title"], th["votes"]]
                for u in p["units"]
                for th in u["themes"]
            ]
        elif p["type"] == "votes":
            vote_rows += [
                [p["title"], names[u["unit"]], r["title"], r["count"]]
                for u in p["units"]
                for r in u["themes"] + u["winners"]
            ]
    sheet(t["votes"], [t["title"], t["unit"], t["theme"], t["votes"]], vote_rows, [28, 24, 50, 10])
    rating_rows = []
    for p in data["phases"]:
        if p["type"] != "ratings":
            continue
        for st in p["statements"]:
            for u in st["units"]:
                rating_rows.append(
                    [p["title"], st["text"], names[u["unit"]], u["responses"], u["mean"]]
                )
            rating_rows.append(
                [
                    p["title"],
                    st["text"],
                    t["all_units"],
                    st["pooled"]["responses"] if st["pooled"] else None,
                    st["pooled"]["mean"] if st["pooled"] else not_shown_text(p["threshold"]),
                ]
            )
    sheet(
        gettext("Ratings"),
        [t["title"], t["statement"], t["unit"], t["answers"], t["mean"]],
        rating_rows,
        [24, 50, 24, 10, 12],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
