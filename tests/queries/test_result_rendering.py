"""QueryResult.render: CSV keeps every double exactly (it is for other tools); the table stays short."""

from __future__ import annotations

import csv
import io
import math

from mlmeta.queries.result import QueryResult

DOUBLES = (0.1 + 0.2, 0.8838123456789012, 1.7976931348623157e308, -5e-324, 123456789.12345679, 1e22, 0.0, -0.0)


def parsed_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_doubles_read_back_exactly():
    result = QueryResult(("value",), tuple((value,) for value in DOUBLES))

    header, *cells = parsed_csv(result.render("csv"))

    assert header == ["value"]
    read_back = [float(row[0]) for row in cells]
    assert read_back == list(DOUBLES)
    assert [math.copysign(1, v) for v in read_back] == [math.copysign(1, v) for v in DOUBLES]  # -0.0 stays negative


def test_csv_non_finite_doubles_and_nulls():
    result = QueryResult(("value",), ((math.nan,), (math.inf,), (-math.inf,), (None,)))

    cells = [row[0] for row in parsed_csv(result.render("csv"))[1:]]

    assert cells == ["NaN", "Infinity", "-Infinity", ""]
    assert math.isnan(float(cells[0])) and [float(c) for c in cells[1:3]] == [math.inf, -math.inf]


def test_the_table_still_shows_six_significant_digits():
    table = QueryResult(("value",), ((0.8838123456789012,),)).render("table")

    assert table.splitlines()[2] == "0.883812"
