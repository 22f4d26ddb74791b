"""The printed summary of a typical one-hour session fits on two A4 pages before the appendix.

A keep/change/give-up session as a ward runs it: 20 phones, 40 ideas in three columns,
six themes, a dot vote and five agreed actions, on the real server. Chromium prints
the export page to A4 (as "Print or save as PDF" does) once whole and once without the
appendix. Set FACILITATOR_EXPORT_PDF_DIR to keep the PDFs (e.g. to render them with
pdftoppm and look at them).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
import requests

from tests.server_process import signed_in_facilitator
from tests.test_real_server import RealPhone

pytestmark = pytest.mark.browser

PHONES = 20

# (column, text) per language: what a ward writes in a quarter of an hour.
IDEAS = {
    "fi": {
        "keep": [
            "Aamupalaverit pitävät kaikki ajan tasalla",
            "Kollegoilta saa aina apua kiireessä",
            "Hyvä perehdytys uusille työntekijöille",
            "Joustavat työvuorotoiveet",
            "Yhteiset kahvihetket iltapäivällä",
            "Omahoitajuus potilaiden kanssa",
            "Esihenkilö on helposti tavoitettavissa",
            "Huumori ja hyvä henki vaikeinakin päivinä",
            "Lääkehoidon kaksoistarkistus",
            "Kiitos sanotaan ääneen",
            "Koulutuspäivät kerran vuodessa",
            "Vertaistuki raskaiden tilanteiden jälkeen",
            "Selkeä työnjako aamuvuorossa",
        ],
        "change": [
            "Vuorolistat julki kolme viikkoa aiemmin",
            "Raportointi lyhyemmäksi ja rakenteisemmaksi",
            "Sijaisten perehdytykseen oma tarkistuslista",
            "Taukotilaan rauhallinen nurkka",
            "Tiedotteet yhteen paikkaan, ei viittä kanavaa",
            "Palaverit 20 minuuttiin ja aina asialista",
            "Potilassiirroista ilmoitus ajoissa",
            "Lomatoiveet kerätään sähköisesti",
            "Uusien laitteiden käyttöön koulutus ennen käyttöönottoa",
            "Kehityskeskustelut oikeasti kerran vuodessa",
            "Iltavuoron ja yövuoron raportti kirjallisena",
            "Työergonomiaan apuvälineitä nostoihin",
            "Palautetta myös hyvin menneistä asioista",
            "Varahenkilöjärjestelmä sairauspoissaoloihin",
        ],
        "give-up": [
            "Päällekkäinen kirjaaminen paperille ja järjestelmään",
            "Turhat sähköpostiketjut, joissa kaikki kopiona",
            "Viikkopalaveri, jossa käydään läpi samat asiat",
            "Käsin täytettävät lomakkeet",
            "Kiireessä tehdyt vuoronvaihdot viestillä",
            "Varastojen tarkistus kahteen kertaan",
            "Paperiset päivystyslistat seinällä",
            "Tulostaminen kaikesta varmuuden vuoksi",
            "Ylimääräiset kyselyt, joiden tuloksia ei käsitellä",
            "Pitkät odotukset IT-tuessa, vaihdetaan käytäntöä",
            "Iltaisin soittaminen vapaalla oleville",
            "Saman tiedon kysyminen potilaalta monta kertaa",
            "Kokoukset ilman päätöksiä",
        ],
    },
    "sv": {
        "keep": [
            "Morgonmötena håller alla uppdaterade",
            "Kollegerna hjälper alltid till när det är bråttom",
            "God introduktion för nyanställda",
            "Flexibla önskemål om arbetsturer",
            "Gemensam kaffestund på eftermiddagen",
            "Egenvårdare för patienterna",
            "Chefen är lätt att nå",
            "Humor och god stämning också svåra dagar",
            "Dubbelkontroll av läkemedel",
            "Vi säger tack högt",
            "Utbildningsdagar en gång om året",
            "Kamratstöd efter tunga situationer",
            "Tydlig arbetsfördelning på morgonen",
        ],
        "change": [
            "Arbetslistorna ut tre veckor i förväg",
            "Kortare och mer strukturerad rapport",
            "Egen checklista för vikariernas introduktion",
            "Ett lugnt hörn i pausrummet",
            "Meddelanden på ett ställe, inte i fem kanaler",
            "Möten på 20 minuter och alltid med föredragningslista",
            "Patientförflyttningar meddelas i tid",
            "Semesterönskemål samlas in elektroniskt",
            "Utbildning innan nya apparater tas i bruk",
            "Utvecklingssamtal verkligen en gång om året",
            "Skriftlig rapport mellan kvälls- och nattskiftet",
            "Hjälpmedel för lyft och bättre ergonomi",
            "Respons också på det som gått bra",
            "Ett vikariesystem för sjukfrånvaro",
        ],
        "give-up": [
            "Dubbel dokumentation på papper och i systemet",
            "Onödiga e-postkedjor med alla på kopia",
            "Veckomöte där samma saker gås igenom",
            "Blanketter som fylls i för hand",
            "Turbyten i all hast via meddelanden",
            "Lagerkontroll två gånger",
            "Jourlistor på papper på väggen",
            "Utskrifter av allt för säkerhets skull",
            "Enkäter vars resultat ingen behandlar",
            "Långa väntetider hos IT-stödet",
            "Samtal till lediga på kvällarna",
            "Att fråga patienten samma sak många gånger",
            "Möten utan beslut",
        ],
    },
}

# Six themes: title and the (column, index) of the ideas under it.
THEMES = {
    "fi": [
        "Tiedonkulku ja palaverit",
        "Työvuorot ja lomat",
        "Kirjaaminen ja paperityö",
        "Perehdytys ja osaaminen",
        "Työhyvinvointi ja yhteisö",
        "Potilastyön sujuvuus",
    ],
    "sv": [
        "Information och möten",
        "Arbetsturer och semestrar",
        "Dokumentation och pappersarbete",
        "Introduktion och kompetens",
        "Välbefinnande och gemenskap",
        "Smidigt patientarbete",
    ],
}
# Theme index per idea, by column, in the order of IDEAS.
THEME_OF = {
    "keep": [0, 4, 3, 1, 4, 5, 0, 4, 5, 4, 3, 4, 1],
    "change": [1, 2, 3, 4, 0, 0, 5, 1, 3, 3, 2, 4, 4, 1],
    "give-up": [2, 0, 0, 2, 1, 2, 1, 2, 0, 5, 1, 5, 0],
}

ACTIONS = {
    "fi": [
        (
            "Vuorolistat julki kolme viikkoa etukäteen",
            "Osastonhoitaja ja vuorosuunnittelija",
            "2026-12-31",
            "Sovitaan listan tekijät seuraavassa osastokokouksessa",
            "2027-01-15",
            "in_progress",
        ),
        (
            "Palaverit 20 minuuttiin ja aina asialista",
            "Apulaisosastonhoitaja",
            "2026-11-30",
            "Asialistapohja yhteiseen kansioon",
            "2026-12-15",
            "done",
        ),
        (
            "Tiedotteet yhteen kanavaan",
            "Tiina ja Matti",
            "2027-01-31",
            "Kartoitetaan nykyiset kanavat",
            "2027-02-15",
            "open",
        ),
        (
            "Kirjaaminen vain järjestelmään, paperit pois",
            "Kirjaamisvastaavat",
            "2027-02-28",
            "Listataan päällekkäiset lomakkeet",
            "2027-03-15",
            "open",
        ),
        (
            "Sijaisten perehdytyksen tarkistuslista",
            "Perehdytysvastaava",
            "2027-01-15",
            "Kootaan vanhat ohjeet",
            "2027-02-01",
            "open",
        ),
    ],
    "sv": [
        (
            "Arbetslistorna ut tre veckor i förväg",
            "Avdelningsskötaren och turplaneraren",
            "2026-12-31",
            "Vi kommer överens om vem som gör listan på nästa avdelningsmöte",
            "2027-01-15",
            "in_progress",
        ),
        (
            "Möten på 20 minuter och alltid föredragningslista",
            "Biträdande avdelningsskötaren",
            "2026-11-30",
            "Mall för föredragningslista i gemensam mapp",
            "2026-12-15",
            "done",
        ),
        (
            "Meddelanden i en kanal",
            "Tiina och Matti",
            "2027-01-31",
            "Vi kartlägger de nuvarande kanalerna",
            "2027-02-15",
            "open",
        ),
        (
            "Dokumentation endast i systemet, inga papper",
            "Dokumentationsansvariga",
            "2027-02-28",
            "Vi listar överlappande blanketter",
            "2027-03-15",
            "open",
        ),
        (
            "Checklista för vikariernas introduktion",
            "Introduktionsansvarig",
            "2027-01-15",
            "Vi samlar de gamla instruktionerna",
            "2027-02-01",
            "open",
        ),
    ],
}


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF written by Chromium (one /Type /Page object each)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def typical_session(base: str, language: str) -> tuple[requests.Session, int]:
    """Run a one-hour keep/change/give-up session on the real server; return its owner and id."""
    http, csrf = signed_in_facilitator(base, f"export-{language}@example.fi")
    headers = {"X-CSRFToken": csrf}
    session = http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={
            "model_id": "keep-change-give-up",
            "title": {"fi": "Osasto 5 kehittämisiltapäivä", "sv": "Avdelning 5 utvecklingsdag"}[
                language
            ],
            "team_name": {"fi": "Osasto 5", "sv": "Avdelning 5"}[language],
            "language": language,
        },
    ).json()
    sid, api = session["id"], f"{base}/api/v1/sessions/{session['id']}"

    def post(path: str, body: dict | None = None, method: str = "POST") -> dict:
        response = http.request(method, api + path, headers=headers, json=body)
        assert response.ok, response.text
        return response.json()

    def go_to(phase_id: str) -> None:
        index = next(p["index"] for p in http.get(api).json()["phases"] if p["id"] == phase_id)
        post("/phase", {"to": index})

    phones = [RealPhone(base, session["join_code"]) for _ in range(PHONES)]
    try:
        for phone in phones:
            phone.next_state()
        post("/start")
        go_to("ideas")
        idea_ids: dict[tuple[str, int], int] = {}
        n = 0
        for column, texts in IDEAS[language].items():
            for i, text in enumerate(texts):
                ack = phones[n % PHONES].call(
                    "idea.add", {"client_id": uuid.uuid4().hex, "text": text, "column": column}
                )
                assert ack["ok"], ack
                idea_ids[(column, i)] = ack["idea"]["id"]
                n += 1
        go_to("themes")
        theme_ids = [
            post("/themes", {"title": title, "phase_id": "themes"})["theme"]["id"]
            for title in THEMES[language]
        ]
        for (column, i), idea_id in idea_ids.items():
            theme = theme_ids[THEME_OF[column][i]]
            post(f"/ideas/{idea_id}", {"theme_id": theme}, method="PATCH")
        go_to("vote")
        # 18 of 20 vote, three dots each (at most two on one theme): 24, 10, 8, 4, 4, 2.
        ballots = [(0, 1, 1), (1, 1, 2)] * 6 + [(0, 2, 3), (3, 4, 4), (0, 3, 5)] * 2
        for phone, ballot in zip(phones, ballots, strict=False):
            for theme in set(ballot):
                ack = phone.call(
                    "vote.set",
                    {
                        "client_id": uuid.uuid4().hex,
                        "item": f"theme:{theme_ids[theme]}",
                        "count": ballot.count(theme),
                    },
                )
                assert ack["ok"], ack
        go_to("actions")
        for what, who, due, step, follow, status in ACTIONS[language]:
            action = post(
                "/actions",
                {
                    "client_id": uuid.uuid4().hex,
                    "what": what,
                    "who": who,
                    "due": due,
                    "first_step": step,
                    "follow_up": follow,
                },
            )["action"]
            if status != "open":
                post(f"/actions/{action['id']}", {"status": status}, method="PATCH")
        go_to("summary")
        post("/close")
    finally:
        for phone in phones:
            phone.client.disconnect()
    return http, sid


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_typical_session_prints_on_two_a4_pages_before_the_appendix(server, browser, language):
    """Header, agreed actions, themes and votes fit on two A4 pages; raw ideas start a new page."""
    http, sid = typical_session(server, language)
    context = browser.new_context(bypass_csp=True)  # to hide the appendix for one print
    context.add_cookies([{"name": c.name, "value": c.value, "url": server} for c in http.cookies])
    page = context.new_page()
    page.goto(f"{server}/sessions/{sid}/export")
    assert page.locator(".actions-table tbody tr").count() == 5
    assert page.locator(".report-themes .report-theme").count() == 6
    assert page.locator("#appendix li").count() == 40
    whole = page.pdf(format="A4", prefer_css_page_size=True)
    page.add_style_tag(content="#appendix > :not(h2) { display: none !important; }")
    appendix_heading_only = page.pdf(format="A4", prefer_css_page_size=True)
    page.add_style_tag(content="#appendix { display: none !important; }")
    before_appendix = page.pdf(format="A4", prefer_css_page_size=True)
    context.close()

    keep = os.environ.get("FACILITATOR_EXPORT_PDF_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        Path(keep, f"export-{language}.pdf").write_bytes(whole)
    assert page_count(before_appendix) <= 2
    # The appendix starts on a page of its own.
    assert page_count(appendix_heading_only) == page_count(before_appendix) + 1
    assert page_count(whole) > page_count(before_appendix)
