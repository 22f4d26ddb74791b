"""Importing a unit's QWL results: every accepted file variant, the broken ones with
their exact messages, and the small-group threshold at import (docs/qwl.md)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "samples" / "qwl"
HEADER_FI = (
    "Yksikkö;Kierros;QWL-indeksi;Väittämän tunnus;Ulottuvuus;Väittämä;Tulos;"
    "Edellinen tulos;Vastaajia"
)
GOOD_ROWS = [
    "Osasto 5;kevät 2022;54,9 %;t01;Turvallisuus;Työmääräni on kohtuullinen.;41,5 %;44,0 %;17",
    "Osasto 5;kevät 2022;54,9 %;t02;Työyhteisö;Tieto kulkee hyvin.;45,0 %;49,2 %;17",
]


def upload(facilitator, session, data: bytes, name="qwl.csv"):
    return facilitator.client.post(
        f"/api/v1/sessions/{session['id']}/qwl/rounds",
        data={"file": (io.BytesIO(data), name)},
        headers={"X-CSRFToken": facilitator.csrf},
        content_type="multipart/form-data",
    )


def rounds(facilitator, session) -> list:
    return facilitator.api("GET", f"/sessions/{session['id']}/qwl/rounds").get_json()["rounds"]


@pytest.fixture
def session(facilitator):
    # The messages below are the English ones (the account's default is Finnish).
    facilitator.client.get("/lang/en")
    return facilitator.create_session("keep-change-give-up", "QWL-tulokset")


def scores(summary) -> dict:
    return {
        st["id"]: (st["score"], st["previous"], st["change"])
        for group in summary["dimensions"]
        for st in group["statements"]
    }


@pytest.mark.parametrize(
    "name",
    [
        "kotihoito-kevat-2022-utf8-bom-puolipiste.csv",
        "home-care-spring-2022-utf8-comma.csv",
        "kotihoito-kevat-2022-pilkku-osuudet.csv",
        "kotihoito-kevat-2022.xlsx",
        "home-care-spring-2022.xlsx",
    ],
)
def test_every_sample_variant_reads_the_same_numbers(facilitator, session, name):
    """UTF-8 with and without BOM, semicolon and comma, decimal commas, 54,9 %, 54.9 and
    0.549, Finnish and English headers, CSV and XLSX: the same index and scores."""
    response = upload(facilitator, session, (SAMPLES / name).read_bytes(), name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    summary = body["summary"]
    assert summary["index"] == 54.9
    assert summary["answers"] == 17
    got = scores(summary)
    assert got["t02"] == (41.5, 44.0, -2.5)
    assert got["t12"] == (38.9, 36.4, 2.5)
    # t09 had 4 answers: no score, previous or change is stored or shown.
    assert got["t09"] == (None, None, None)
    assert body["round"]["hidden"] == 1 and summary["hidden"] == 1
    # Weakest first within each dimension; the hidden one last.
    safety = summary["dimensions"][0]["statements"]
    assert [s["id"] for s in safety] == ["t02", "t03", "t01"]
    motivation = summary["dimensions"][2]["statements"]
    assert [s["id"] for s in motivation] == ["t08", "t07", "t09"]


def test_windows_1252_tab_file_without_previous_scores(facilitator, session):
    name = "kotihoito-syksy-2021-windows1252-sarkain.csv"
    response = upload(facilitator, session, (SAMPLES / name).read_bytes(), name)
    assert response.status_code == 201, response.get_json()
    summary = response.get_json()["summary"]
    assert summary["unit"] == "Kotihoito Itä"
    assert summary["round"] == "syksy 2021"
    assert summary["index"] == 53.8
    assert scores(summary)["t02"] == (44.0, None, None)


def test_second_round_gives_trend_and_change(facilitator, session):
    """Rounds are kept: the spring file after the autumn one gives the index trend."""
    autumn = "kotihoito-syksy-2021-windows1252-sarkain.csv"
    spring = "kotihoito-kevat-2022-utf8-bom-puolipiste.csv"
    # Imported out of order: the seasons still order them.
    upload(facilitator, session, (SAMPLES / spring).read_bytes())
    summary = upload(facilitator, session, (SAMPLES / autumn).read_bytes()).get_json()["summary"]
    assert summary["round"] == "kevät 2022"
    assert summary["trend"] == [
        {"round": "syksy 2021", "index": 53.8},
        {"round": "kevät 2022", "index": 54.9},
    ]
    assert summary["index_change"] == 1.1
    # Importing the same round again replaces it instead of adding a third.
    upload(facilitator, session, (SAMPLES / spring).read_bytes())
    assert [r["round"] for r in rounds(facilitator, session)] == ["syksy 2021", "kevät 2022"]


def refused(facilitator, session, data: bytes, name="qwl.csv") -> dict:
    response = upload(facilitator, session, data, name)
    assert response.status_code == 422, response.get_json()
    assert rounds(facilitator, session) == []  # nothing half-imported stays behind
    return response.get_json()["error"]


def csv_bytes(*rows: str, encoding="utf-8") -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


def test_empty_file(facilitator, session):
    error = refused(facilitator, session, b"")
    assert error == {
        "code": "empty_file",
        "message": "The file is empty: expected a header row and one row per statement.",
        "row": None,
        "column": None,
    }
    assert refused(facilitator, session, b"\xef\xbb\xbf\r\n;;;\r\n")["code"] == "empty_file"


def test_messages_follow_the_facilitators_language(facilitator, session):
    facilitator.client.get("/lang/fi")
    error = refused(facilitator, session, b"")
    assert error["message"] == (
        "Tiedosto on tyhjä: siinä pitää olla otsikkorivi ja yksi rivi kutakin väittämää kohden."
    )


def test_wrong_encoding(facilitator, session):
    """UTF-16 ("Unicode text" from Excel) is refused with the row, not read as garbage."""
    data = "\r\n".join([HEADER_FI, *GOOD_ROWS]).encode("utf-16")
    error = refused(facilitator, session, data)
    assert error["code"] == "bad_encoding"
    assert error["message"] == (
        "Row 1: the file is not text in UTF-8 or Windows-1252."
        " Save it as CSV (UTF-8) or as an Excel workbook (.xlsx)."
    )
    # A byte Windows-1252 does not define (0x81) on the third row.
    data = csv_bytes(HEADER_FI, GOOD_ROWS[0]) + b"Osasto 5;k\x81;1;t03;x;y;1;1;9\r\n"
    error = refused(facilitator, session, data)
    assert (error["code"], error["row"]) == ("bad_encoding", 3)


def test_missing_column(facilitator, session):
    header = HEADER_FI.replace(";Tulos", "")
    rows = [r.replace(";41,5 %", "").replace(";45,0 %", "") for r in GOOD_ROWS]
    error = refused(facilitator, session, csv_bytes(header, *rows))
    assert error == {
        "code": "missing_column",
        "message": "Row 1: no column “tulos / score”. The header row needs the columns"
        " yksikkö, kierros, qwl-indeksi, väittämän tunnus, ulottuvuus, väittämä, tulos,"
        " vastaajia (in Finnish or English; see the sample files).",
        "row": 1,
        "column": None,
    }


def test_text_where_a_number_belongs(facilitator, session):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace("45,0 %", "hyvä")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error == {
        "code": "not_a_number",
        "message": "Row 3, column G (Tulos): expected a percentage such as 54,9 %, 54.9 or"
        " 0.549, not “hyvä”.",
        "row": 3,
        "column": "G",
    }
    rows = [GOOD_ROWS[0].replace(";17", ";seitsemäntoista")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error["message"] == (
        "Row 2, column I (Vastaajia): expected a whole number of answers, not “seitsemäntoista”."
    )
    rows = [GOOD_ROWS[0].replace("41,5 %", "141,5 %")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error["message"] == (
        "Row 2, column G (Tulos): expected a percentage from 0 to 100, not “141,5 %”."
    )


def test_duplicate_statement_ids(facilitator, session):
    rows = [*GOOD_ROWS, GOOD_ROWS[1].replace("t02", "t01")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error == {
        "code": "duplicate_statement",
        "message": "Row 4, column D (Väittämän tunnus): statement “t01” is already on row 2;"
        " each statement once per file.",
        "row": 4,
        "column": "D",
    }


def test_bad_statement_id(facilitator, session):
    rows = [GOOD_ROWS[0].replace(";t01;", ";t 01;")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error["message"] == (
        "Row 2, column D (Väittämän tunnus): expected a statement id of at most 32"
        " characters (letters, digits and . - _), not “t 01”."
    )


def test_empty_cell_header_only_and_two_rounds_in_one_file(facilitator, session):
    rows = [GOOD_ROWS[0].replace(";Turvallisuus;", ";;")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error["message"] == ("Row 2, column E (Ulottuvuus): the cell is empty; expected text.")
    error = refused(facilitator, session, csv_bytes(HEADER_FI))
    assert error["message"] == "Row 2: the header row is not followed by any statement rows."
    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace("kevät 2022", "syksy 2021")]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error["message"] == (
        "Row 3, column B (Kierros): expected “kevät 2022” as on row 2;"
        " one file holds one round of one unit."
    )


def test_broken_workbook_and_old_excel(facilitator, session):
    error = refused(facilitator, session, b"PK\x03\x04 not really a zip", "qwl.xlsx")
    assert error["message"] == "The file is neither an Excel workbook (.xlsx) nor a CSV file."
    error = refused(facilitator, session, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert error["message"] == (
        "Old Excel files (.xls) are not read. Save the workbook as .xlsx or CSV."
    )


def test_xlsx_error_names_the_excel_cell(facilitator, session):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Unit", "Round", "Index", "Statement id", "Dimension", "Statement", "Score", "Answers"]
    )
    sheet.append(
        ["Ward 5", "spring 2022", 0.549, "t01", "Safety", "My workload is fine.", "n/a", 12]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = refused(facilitator, session, buffer.getvalue(), "qwl.xlsx")
    assert error["message"] == (
        "Row 2, column G (Score): expected a percentage such as 54,9 %, 54.9 or 0.549, not “n/a”."
    )


def test_unit_below_threshold_is_never_stored(facilitator, session):
    rows = [r.replace(";17", ";4") for r in GOOD_ROWS]
    error = refused(facilitator, session, csv_bytes(HEADER_FI, *rows))
    assert error == {
        "code": "too_few_answers",
        "message": "The unit has fewer than 5 answers (at most 4 on any statement): to protect"
        " anonymity its results are not stored or shown.",
        "row": None,
        "column": None,
    }


def test_statement_below_threshold_is_stored_without_scores(app, facilitator, session):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace(";17", ";3")]
    assert upload(facilitator, session, csv_bytes(HEADER_FI, *rows)).status_code == 201
    from facilitator.extensions import db
    from facilitator.qwl.tables import QwlStatement

    with app.app_context():
        stored = {s.statement_id: s for s in db.session.scalars(db.select(QwlStatement))}
        assert stored["t02"].score is None and stored["t02"].previous is None
        assert stored["t01"].score == 41.5


def test_typed_in_round_uses_the_same_checks(facilitator, session):
    path = f"/sessions/{session['id']}/qwl/rounds/form"
    body = {
        "unit": "Osasto 5",
        "round": "kevät 2023",
        "index": "56,1 %",
        "statements": [
            {
                "id": "t01",
                "dimension": "Turvallisuus",
                "text": "Työmäärä",
                "score": 48.0,
                "previous": "41,5",
                "answers": 15,
            },
            {
                "id": "t02",
                "dimension": "Työyhteisö",
                "text": "Tieto",
                "score": "0.51",
                "answers": 15,
            },
        ],
    }
    response = facilitator.api("POST", path, body)
    assert response.status_code == 201, response.get_json()
    assert scores(response.get_json()["summary"]) == {
        "t01": (48.0, 41.5, 6.5),
        "t02": (51.0, None, None),
    }
    body["statements"][1]["score"] = "paljon"
    response = facilitator.api("POST", path, body)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == (
        "Row 3, column G (score): expected a percentage such as 54,9 %, 54.9 or 0.549,"
        " not “paljon”."
    )


def test_only_the_sessions_facilitator_may_import(app, facilitator, session):
    from tests.conftest import FacilitatorClient

    other = FacilitatorClient(app, app.test_client(), email="toinen@example.fi")
    data = (SAMPLES / "home-care-spring-2022-utf8-comma.csv").read_bytes()
    assert upload(other, session, data).status_code == 404
    assert rounds(facilitator, session) == []
