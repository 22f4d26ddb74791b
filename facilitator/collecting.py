"""Input before the session: the first phase takes input in a window days ahead.

People on other shifts add ideas before the session. The session's status is then
`collecting` (models.Workshop.open_collecting / stop_collecting / start), with an
opening and a closing time. Inside the window phones write to the first phase as in a
live session; before or after it they get `collecting_not_open` / `collecting_closed`
with the day. Starting the session keeps everything collected.

Times: the facilitator sets and sees exact times; phones are shown only days (the
window's first and last day in the app's time zone), and nothing a phone added carries
a time finer than a day anywhere (ideas carry no time at all in snapshots and exports).
The facilitator sees how much came in ("18 ideas from 9 phones"), never who.

Operations change rows and queue what to publish; the edge commits.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date as format_date_in
from flask import current_app
from flask_babel import format_date, ngettext
from sqlalchemy import distinct, func, select

from .errors import OperationError
from .extensions import db
from .models import Idea, IllegalTransition, SessionStatus, Workshop, utcnow
from .phases.base import publication

# The short message the facilitator pastes into e-mail or chat, in the session's
# language. {title}, {url}, {site} (the server's address without the scheme), {code},
# {opens}, {closes} are filled in.
MESSAGES = {
    "fi": (
        "Ennakkovastaaminen: {title}\n\n"
        "Voit kirjoittaa ajatuksesi jo ennen työpajaa, nimettömästi omalla puhelimellasi. "
        "Vastausaika on {opens}–{closes}. Avaa linkki: {url}\n"
        "(tai mene sivulle {site} ja anna liittymiskoodi {code}). Käsittelemme ajatukset yhdessä "
        "työpajassa."
    ),
    "sv": (
        "Svar i förväg: {title}\n\n"
        "Du kan skriva dina tankar redan före workshoppen, anonymt på din egen telefon. "
        "Svarstiden är {opens}–{closes}. Öppna länken: {url}\n"
        "(eller gå till sidan {site} och ange anslutningskoden {code}). Vi går igenom tankarna "
        "tillsammans i workshoppen."
    ),
    "en": (
        "Before the session: {title}\n\n"
        "You can write your thoughts before the session, anonymously on your own phone. "
        "Answers are open {opens}–{closes}. Open the link: {url}\n"
        "(or go to {site} and enter the join code {code}). We go through the ideas "
        "together in the session."
    ),
}
DATE_FORMATS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMM yyyy"}
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Helsinki")


def local_day(moment: datetime | None) -> date | None:
    """Return the day of a moment in the app's time zone (the only precision phones get)."""
    return moment.astimezone(_zone()).date() if moment is not None else None


def local_time(moment: datetime | None) -> datetime | None:
    """Return a moment in the app's time zone (for the facilitator's form)."""
    return moment.astimezone(_zone()) if moment is not None else None


def parse_local(value: str) -> datetime:
    """Read a form's `YYYY-MM-DDTHH:MM` (no zone: the app's time zone) or an ISO time."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise OperationError("invalid_window") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment


def _day_text(day: date | None, lang: str | None = None) -> str:
    if day is None:
        return ""
    if lang is None:
        return format_date(day, "medium")
    # The message's own language, whatever the facilitator's interface language is.
    return format_date_in(day, DATE_FORMATS[lang], locale=LOCALES[lang])


# --- transitions -------------------------------------------------------------------


def input_phase(workshop: Workshop) -> int:
    """Return the index of the phase phones write to before the session.

    The template's first phase whose kind takes input (a welcome `info` phase is
    passed over); the first phase if none does.
    """
    from .operations import workshop_model
    from .phases import registry

    for index, phase in enumerate(workshop_model(workshop).phases):
        if registry.of(phase).takes_input:
            return index
    return 0


def open_window(workshop: Workshop, opens_at: datetime, closes_at: datetime) -> None:
    """Open (or move) the window; phones are told to re-read the session."""
    try:
        workshop.open_collecting(opens_at, closes_at, input_phase(workshop))
    except IllegalTransition as exc:
        raise OperationError(exc.code) from None
    _announce(workshop)


def stop(workshop: Workshop) -> None:
    """End input before the session early: back to `upcoming`, what came in stays."""
    try:
        workshop.stop_collecting()
    except IllegalTransition as exc:
        raise OperationError(exc.code) from None
    _announce(workshop)


def _announce(workshop: Workshop) -> None:
    payload = {"index": workshop.phase_index, "status": workshop.status.value}
    publication().emit(workshop.id, "phase", payload)


def require_window(workshop: Workshop, now: datetime | None = None) -> None:
    """Refuse a phone's write outside the window, naming the day (operations._require_input)."""
    state = workshop.collecting_state(now)
    if state == "before":
        raise OperationError(
            "collecting_not_open", date=_day_text(local_day(workshop.collect_opens_at))
        )
    if state == "after":
        raise OperationError(
            "collecting_closed", date=_day_text(local_day(workshop.collect_closes_at))
        )


# --- what screens see --------------------------------------------------------------


def state_dict(workshop: Workshop, now: datetime | None = None) -> dict | None:
    """Return the window as every screen gets it: days only, plus when to re-read.

    `changes_in`: seconds until the window opens or closes (the phone re-syncs then),
    null when nothing more changes by itself.
    """
    if workshop.status is not SessionStatus.COLLECTING:
        return None
    now = now or utcnow()
    state = workshop.collecting_state(now)
    nxt = {"before": workshop.collect_opens_at, "open": workshop.collect_closes_at}.get(state)
    return {
        "state": state,
        "opens_on": _iso(local_day(workshop.collect_opens_at)),
        "closes_on": _iso(local_day(workshop.collect_closes_at)),
        "changes_in": max(1, int((nxt - now).total_seconds()) + 1) if nxt is not None else None,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def counts(workshop: Workshop) -> dict:
    """Return how much came in to the first phase: ideas and the phones that wrote them."""
    from .operations import workshop_model

    first = workshop_model(workshop).phases[input_phase(workshop)].id
    row = db.session.execute(
        select(func.count(Idea.id), func.count(distinct(Idea.participant_id))).where(
            Idea.workshop_id == workshop.id, Idea.phase_id == first, Idea.deleted.is_(False)
        )
    ).one()
    return {"ideas": row[0], "phones": row[1]}


def count_text(ideas: int, phones: int) -> str:
    """Return "18 ideas from 9 phones" in the request's language."""
    return " ".join(
        (
            ngettext("%(num)s idea", "%(num)s ideas", ideas),
            ngettext("from %(num)s phone", "from %(num)s phones", phones),
        )
    )


def message_texts(workshop: Workshop, url: str) -> dict[str, str]:
    """Return the message to paste into e-mail or chat, in fi, sv and en."""
    out = {}
    for lang, text in MESSAGES.items():
        out[lang] = text.format(
            title=workshop.title,
            url=url,
            code=workshop.join_code,
            site=urlsplit(url).netloc or url,
            opens=_day_text(local_day(workshop.collect_opens_at), lang),
            closes=_day_text(local_day(workshop.collect_closes_at), lang),
        )
    return out


def facilitator_dict(workshop: Workshop, url: str) -> dict:
    """Return the window for the facilitator: exact times, counts and the message texts."""
    found = counts(workshop)
    return {
        "status": workshop.status.value,
        "opens_at": workshop.collect_opens_at.isoformat() if workshop.collect_opens_at else None,
        "closes_at": workshop.collect_closes_at.isoformat() if workshop.collect_closes_at else None,
        "window": state_dict(workshop),
        **found,
        "text": count_text(found["ideas"], found["phones"]),
        "messages": message_texts(workshop, url) if workshop.collect_closes_at else {},
    }
