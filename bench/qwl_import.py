"""QWL import: how long reading a unit's results file takes, beside its floor.

Prints, for the largest accepted file (200 statements) as a semicolon CSV in
Windows-1252 and as an XLSX workbook, the median time of `facilitator.qwl.parse.parse`
(decode, sniff, header match, every check) beside a baseline measured in the same run:
the standard library alone reading the same CSV (`csv.reader`) and openpyxl alone
reading the same workbook's cells. Not a test: no thresholds.

    python bench/qwl_import.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time

import openpyxl

from facilitator.app import create_app
from facilitator.qwl import parse

HEADER = ["Yksikkö", "Kierros", "QWL-indeksi", "Väittämän tunnus", "Ulottuvuus", "Väittämä",
          "Tulos", "Edellinen tulos", "Vastaajia"]  # fmt: skip


def rows(n: int) -> list[list]:
    out = [HEADER]
    for i in range(n):
        text = f"Väittämä numero {i}: työyhteisössämme asiat sujuvat hyvin ja tieto kulkee."
        out.append(["Kotihoito Itä", "kevät 2022", "54,9 %", f"s{i:03d}", f"Ulottuvuus {i % 6}",
                    text, f"{40 + i % 40},{i % 10} %", f"{41 + i % 38},5 %", 17])  # fmt: skip
    return out


def csv_bytes(table) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode("cp1252")


def xlsx_bytes(table) -> bytes:
    book = openpyxl.Workbook()
    for row in table:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up: imports and caches are not what is measured
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    table = rows(parse.MAX_STATEMENTS)
    data_csv, data_xlsx = csv_bytes(table), xlsx_bytes(table)

    def floor_csv():
        list(csv.reader(io.StringIO(data_csv.decode("cp1252")), delimiter=";"))

    def floor_xlsx():
        book = openpyxl.load_workbook(io.BytesIO(data_xlsx), read_only=True, data_only=True)
        list(book.worksheets[0].iter_rows(values_only=True))
        book.close()

    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    with app.test_request_context():
        figures = [
            ("CSV, 200 statements", len(data_csv), floor_csv, lambda: parse.parse(data_csv)),
            ("XLSX, 200 statements", len(data_xlsx), floor_xlsx, lambda: parse.parse(data_xlsx)),
        ]
        print(f"{'file':<22} {'bytes':>7} {'floor ms':>9} {'import ms':>10}")
        for name, size, floor, full in figures:
            assert len(full().statements) == parse.MAX_STATEMENTS
            print(
                f"{name:<22} {size:>7} {median_ms(floor, args.repeat):>9.2f}"
                f" {median_ms(full, args.repeat):>10.2f}"
            )


if __name__ == "__main__":
    main()
