"""A query's result, whichever engine ran it, and its rendering as table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return "\n".join(json.dumps(d, default=str, ensure_ascii=False) for d in self.as_dicts())
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(self.columns)
            writer.writerows([[_exact_cell(v) for v in row] for row in self.rows])
            return buf.getvalue().rstrip("\n")
        if fmt == "table":
            return _table(self.columns, [[_cell(v) for v in row] for row in self.rows])
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _cell(value: Any) -> str:
    """A table cell: doubles to 6 significant digits, for reading."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def _exact_cell(value: Any) -> str:
    """A CSV cell, for other tools: the shortest text that reads back as the same double (``repr``);
    NaN and +-Infinity as Athena and JSON write them."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return _cell(value)


def _table(columns: tuple[str, ...], cells: list[list[str]]) -> str:
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    body = [line(row) for row in cells]
    return "\n".join([line(columns), line(["-" * w for w in widths]), *body, f"({len(cells)} row{'s' if len(cells) != 1 else ''})"])
