"""A query result as a pandas DataFrame, with the lake's ISO-8601 time strings as UTC timestamps."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from mlmeta.queries.result import QueryResult

# Time columns the named queries return as the lake's ISO-8601 UTC text.
TIME_COLUMNS = ("execution_start", "execution_end")
TIMESTAMP_DTYPE = "datetime64[us, UTC]"


def to_frame(result: QueryResult, time_columns: Iterable[str] = TIME_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(list(result.rows), columns=list(result.columns))
    for column in time_columns:
        if column in frame.columns:
            # format="ISO8601": the lake's times come with and without fractional seconds.
            # One unit (pandas 3's usual one for text) whatever the data: an empty column would get seconds.
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").astype(TIMESTAMP_DTYPE)
    return frame
