"""Reading a unit's QWL results from CSV or XLSX the way Finnish offices save them.

One file holds one round of one unit: a header row (Finnish or English names, see
`COLUMNS`) and one row per statement. Unit, round and index may be repeated on every
row or given on the first one only. Accepted: UTF-8 with or without BOM and
Windows-1252; comma, semicolon or tab separators (csv.Sniffer); decimal commas;
percentages as `54,9 %`, `54.9` or `0.549` (a number of at most 1 without a percent
sign is a fraction). XLSX through openpyxl (the first worksheet). Nothing here touches
the database: `parse` returns a `ParsedRound` or raises `ImportProblem` naming the row
and the column (as Excel letters) and what was expected. The format is in docs/qwl.md.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

__all__ = [
    "COLUMNS",
    "MAX_STATEMENTS",
    "MIN_ANSWERS",
    "ImportProblem",
    "ParsedRound",
    "ParsedStatement",
    "parse",
    "parse_rows",
]

# Results of a unit or a statement with fewer answers are never stored for display.
MIN_ANSWERS = 5
MAX_STATEMENTS = 200
UNIT_MAX = 200
LABEL_MAX = 100
DIMENSION_MAX = 200
TEXT_MAX = 500
# "kevät 2022", "autumn 2021": a season names the month a round is dated by (for order).
SEASONS = {
    "kevät": 4,
    "spring": 4,
    "kesä": 7,
    "summer": 7,
    "syksy": 10,
    "autumn": 10,
    "fall": 10,
    "talvi": 1,
    "winter": 1,
}
STATEMENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,32}$")

# column key -> accepted header names (compared lower-case, `_` as space, `%` dropped).
# The first Finnish and the first English name are the ones messages use.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("yksikkö", "unit", "työyksikkö", "yksikön nimi"),
    "round": (
        "kierros",
        "round",
        "mittaus",
        "mittauskierros",
        "ajankohta",
        "päivämäärä",
        "pvm",
        "date",
        "period",
    ),
    "index": ("qwl-indeksi", "index", "qwl indeksi", "indeksi", "qwl", "qwl index", "qwl-index"),
    "statement_id": (
        "väittämän tunnus",
        "statement id",
        "tunnus",
        "väittämä-id",
        "nro",
        "id",
        "statement-id",
    ),
    "dimension": ("ulottuvuus", "dimension", "osa-alue", "teema", "area"),
    "text": ("väittämä", "statement", "väittämän teksti", "teksti", "text"),
    "score": ("tulos", "score", "pisteet", "result"),
    "previous": (
        "edellinen tulos",
        "previous score",
        "edellinen",
        "edellinen kierros",
        "previous",
    ),
    "answers": (
        "vastaajia",
        "answers",
        "vastaajat",
        "vastauksia",
        "vastausten määrä",
        "n",
        "respondents",
        "number of answers",
    ),
}
REQUIRED = ("unit", "round", "index", "statement_id", "dimension", "text", "score", "answers")
# Columns whose value is the same for the whole file (may be empty after the first row).
FILE_WIDE = ("unit", "round", "index")


def column_names(key: str) -> str:
    """Return a column's Finnish and English header names, e.g. "tulos / score"."""
    names = COLUMNS[key]
    return f"{names[0]} / {names[1]}"


class ImportProblem(Exception):
    """A refused file: a stable code, the translated message, and where (1-based row,
    Excel column letter) when known."""

    def __init__(self, code: str, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.code, self.message, self.row, self.column = code, message, row, column

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "row": self.row, "column": self.column}


@dataclass
class ParsedStatement:
    id: str
    dimension: str
    text: str
    # Percent 0..100; None when the statement has fewer than MIN_ANSWERS answers.
    score: float | None
    previous: float | None
    answers: int

    @property
    def hidden(self) -> bool:
        return self.answers < MIN_ANSWERS


@dataclass
class ParsedRound:
    unit: str
    label: str
    measured_on: date | None
    index: float
    statements: list[ParsedStatement] = field(default_factory=list)

    @property
    def answers(self) -> int:
        """The unit's answers: the most any statement got."""
        return max((s.answers for s in self.statements), default=0)

    @property
    def hidden(self) -> int:
        return sum(1 for s in self.statements if s.hidden)


def _letter(index: int) -> str:
    """Return the Excel column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_key(value: Any) -> str | None:
    """Return the column key a header cell names, if any."""
    if value is None:
        return None
    text = str(value).replace("\ufeff", "").replace("_", " ").replace("%", "")
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    for key, names in COLUMNS.items():
        if text in names:
            return key
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


# --- numbers -------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _percent(value: Any) -> float | None:
    """Return a percentage 0..100 from `54,9 %`, `54.9`, `0.549` or a number; None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number, had_percent = float(value), False
    else:
        text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
        had_percent = text.endswith("%")
        text = text.rstrip("%")
        if not _NUMBER.match(text):
            return None
        number = float(text.replace(",", "."))
    if not had_percent and 0 <= number <= 1:
        # A fraction (0.549), as a percent-formatted Excel cell holds it.
        number *= 100
    return round(number, 2)


def _count(value: Any) -> int | None:
    """Return a whole number of answers from `12`, `12.0` or a cell; None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).replace("\u00a0", "").replace(" ", "").strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def _round_date(value: Any) -> tuple[str, date | None]:
    """Return the round's label and its date when the cell is (or reads as) one."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}", value
    text = _cell_text(value)
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", lambda m: date(int(m[3]), int(m[2]), int(m[1]))),
        (r"(\d{4})-(\d{1,2})", lambda m: date(int(m[1]), int(m[2]), 1)),
        (r"(\d{1,2})/(\d{4})", lambda m: date(int(m[2]), int(m[1]), 1)),
    )
    season = re.fullmatch(r"(\w+)\s+(\d{4})", text.lower())
    if season and season[1] in SEASONS:
        return text, date(int(season[2]), SEASONS[season[1]], 1)
    for pattern, make in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return text, make(match)
            except ValueError:
                return text, None
    return text, None


# --- reading the file ----------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Return the text of a CSV file in UTF-8 (BOM or not) or Windows-1252."""
    if b"\x00" in data:
        # UTF-16 (Excel's "Unicode text") or a binary file.
        row = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportProblem("bad_encoding", _encoding_message(row), row)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise ImportProblem("bad_encoding", _encoding_message(row), row) from None


def _encoding_message(row: int) -> str:
    return gettext(
        "Row %(row)s: the file is not text in UTF-8 or Windows-1252."
        " Save it as CSV (UTF-8) or as an Excel workbook (.xlsx).",
        row=row,
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        # One column only, or too little text to tell: the most common separator wins.
        first = sample.splitlines()[0] if sample.strip() else ""
        delimiter = max(";,\t", key=first.count)
        dialect = type("Sniffed", (csv.excel,), {"delimiter": delimiter})
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportProblem(
            "bad_file", gettext("The file is neither an Excel workbook (.xlsx) nor a CSV file.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def parse(data: bytes) -> ParsedRound:
    """Read one round of one unit from a CSV or XLSX file's bytes."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise ImportProblem("empty_file", _empty_message())
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblem(
            "bad_file",
            gettext("Old Excel files (.xls) are not read. Save the workbook as .xlsx or CSV."),
        )
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    return parse_rows(rows)


def _empty_message() -> str:
    return gettext("The file is empty: expected a header row and one row per statement.")


def parse_rows(rows: list[list[Any]]) -> ParsedRound:
    """Read one round from rows of cells: the first non-empty row is the header."""
    numbered = [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any(_cell_text(cell) for cell in row)
    ]
    if not numbered:
        raise ImportProblem("empty_file", _empty_message())
    header_row, header = numbered[0]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header):
        key = _header_key(cell)
        if key and key not in positions:
            positions[key] = position
            headers[key] = _cell_text(cell)
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        raise ImportProblem(
            "missing_column",
            gettext(
                "Row %(row)s: no column “%(column)s”. The header row needs the columns"
                " %(expected)s (in Finnish or English; see the sample files).",
                row=header_row,
                column=column_names(missing[0]),
                expected=", ".join(COLUMNS[key][0] for key in REQUIRED),
            ),
            header_row,
        )
    body = numbered[1:]
    if not body:
        raise ImportProblem(
            "no_statements",
            gettext(
                "Row %(row)s: the header row is not followed by any statement rows.",
                row=header_row + 1,
            ),
            header_row + 1,
        )
    if len(body) > MAX_STATEMENTS:
        raise ImportProblem(
            "too_many_statements",
            gettext("The file has more than %(max)s statements.", max=MAX_STATEMENTS),
        )

    def where(key: str) -> tuple[str, str]:
        return _letter(positions[key]), headers[key]

    def cell(row: list[Any], key: str) -> Any:
        position = positions.get(key)
        if position is None or position >= len(row):
            return None
        value = row[position]
        return None if isinstance(value, str) and not value.strip() else value

    def problem(code: str, number: int, key: str, message: str, **params) -> ImportProblem:
        letter, name = where(key)
        text = str(message) % {"row": number, "col": letter, "header": name, **params}
        return ImportProblem(code, text, number, letter)

    def required_cell(row, number, key):
        value = cell(row, key)
        if value is None:
            return problem(
                "empty_cell",
                number,
                key,
                _l(
                    "Row %(row)s, column %(col)s (%(header)s): the cell is empty;"
                    " expected %(what)s."
                ),
                what=_what(key),
            )
        return value

    file_wide: dict[str, tuple[Any, int]] = {}
    statements: list[ParsedStatement] = []
    seen: dict[str, int] = {}
    for number, row in body:
        for key in FILE_WIDE:
            value = cell(row, key)
            if value is None:
                if key not in file_wide:
                    raise required_cell(row, number, key)
                continue
            if key not in file_wide:
                file_wide[key] = (value, number)
            elif _cell_text(value) != _cell_text(file_wide[key][0]):
                raise problem(
                    "mixed_rounds",
                    number,
                    key,
                    _l(
                        "Row %(row)s, column %(col)s (%(header)s): expected “%(expected)s” as on"
                        " row %(first)s; one file holds one round of one unit."
                    ),
                    expected=_cell_text(file_wide[key][0]),
                    first=file_wide[key][1],
                )
        values = {}
        for key in ("statement_id", "dimension", "text", "score", "answers"):
            value = cell(row, key)
            if value is None:
                raise required_cell(row, number, key)
            values[key] = value
        statement_id = _cell_text(values["statement_id"])
        if not STATEMENT_ID.match(statement_id):
            raise problem(
                "bad_statement_id",
                number,
                "statement_id",
                _l(
                    "Row %(row)s, column %(col)s (%(header)s): expected a statement id of at most"
                    " 32 characters (letters, digits and . - _), not “%(value)s”."
                ),
                value=statement_id[:40],
            )
        if statement_id in seen:
            raise problem(
                "duplicate_statement",
                number,
                "statement_id",
                _l(
                    "Row %(row)s, column %(col)s (%(header)s): statement “%(value)s” is already on"
                    " row %(first)s; each statement once per file."
                ),
                value=statement_id,
                first=seen[statement_id],
            )
        seen[statement_id] = number
        for key, limit in (("dimension", DIMENSION_MAX), ("text", TEXT_MAX)):
            if len(_cell_text(values[key])) > limit:
                raise problem(
                    "too_long",
                    number,
                    key,
                    _l("Row %(row)s, column %(col)s (%(header)s): at most %(max)s characters."),
                    max=limit,
                )
        score = _checked_percent(values["score"], number, "score", problem)
        previous_cell = cell(row, "previous")
        previous = (
            None
            if previous_cell is None
            else _checked_percent(previous_cell, number, "previous", problem)
        )
        answers = _count(values["answers"])
        if answers is None:
            raise problem(
                "not_a_number",
                number,
                "answers",
                _l(
                    "Row %(row)s, column %(col)s (%(header)s): expected a whole number of"
                    " answers, not “%(value)s”."
                ),
                value=_cell_text(values["answers"])[:40],
            )
        hidden = answers < MIN_ANSWERS
        statements.append(
            ParsedStatement(
                id=statement_id,
                dimension=_cell_text(values["dimension"]),
                text=_cell_text(values["text"]),
                # Below the threshold the scores are dropped here, before anything is stored.
                score=None if hidden else score,
                previous=None if hidden else previous,
                answers=answers,
            )
        )

    unit_value, unit_row = file_wide["unit"]
    unit = _cell_text(unit_value)
    if len(unit) > UNIT_MAX:
        raise problem(
            "too_long",
            unit_row,
            "unit",
            _l("Row %(row)s, column %(col)s (%(header)s): at most %(max)s characters."),
            max=UNIT_MAX,
        )
    round_value, round_row = file_wide["round"]
    label, measured_on = _round_date(round_value)
    if len(label) > LABEL_MAX:
        raise problem(
            "too_long",
            round_row,
            "round",
            _l("Row %(row)s, column %(col)s (%(header)s): at most %(max)s characters."),
            max=LABEL_MAX,
        )
    index_value, index_row = file_wide["index"]
    index = _checked_percent(index_value, index_row, "index", problem)
    parsed = ParsedRound(unit=unit, label=label, measured_on=measured_on, index=index)
    parsed.statements = statements
    if parsed.answers < MIN_ANSWERS:
        raise ImportProblem(
            "too_few_answers",
            gettext(
                "The unit has fewer than %(min)s answers (at most %(n)s on any statement):"
                " to protect anonymity its results are not stored or shown.",
                min=MIN_ANSWERS,
                n=parsed.answers,
            ),
        )
    return parsed


def _what(key: str) -> str:
    if key in ("index", "score", "previous"):
        return gettext("a percentage such as 54,9 %, 54.9 or 0.549")
    if key == "answers":
        return gettext("a whole number of answers")
    return gettext("text")


def _checked_percent(value: Any, number: int, key: str, problem) -> float:
    result = _percent(value)
    if result is None:
        raise problem(
            "not_a_number",
            number,
            key,
            _l(
                "Row %(row)s, column %(col)s (%(header)s): expected a percentage such as"
                " 54,9 %%, 54.9 or 0.549, not “%(value)s”."
            ),
            value=_cell_text(value)[:40],
        )
    if not 0 <= result <= 100:
        raise problem(
            "out_of_range",
            number,
            key,
            _l(
                "Row %(row)s, column %(col)s (%(header)s): expected a percentage from 0 to 100,"
                " not “%(value)s”."
            ),
            value=_cell_text(value)[:40],
        )
    return result
