"""The lake's one parser of ``dt`` days (mlmeta_contract.lake.layout.parse_day), used by the compactor, the views'
ranges and ``mlmeta compact --day``: a day as YYYY-MM-DD and nothing else."""

from __future__ import annotations

import re

import pytest

from mlmeta_contract.lake.layout import is_day, parse_day


@pytest.mark.parametrize("day", ["2026-01-05", "2024-02-29", "2020-12-31"])
def test_a_day_comes_back_as_given(day):
    assert parse_day(day) == day
    assert is_day(day)


# date.fromisoformat alone takes the basic and the week forms: they name no partition.
@pytest.mark.parametrize("bad", ["20260105", "2026-W02-1", "2026-1-05", "2026-02-30", "2026-01-05T00:00", " 2026-01-05", "", None, 20260105])
def test_anything_else_is_refused_naming_the_value(bad):
    with pytest.raises(ValueError, match=f"^{re.escape(f'not a day (YYYY-MM-DD): {bad!r}')}$"):
        parse_day(bad)
    assert not is_day(bad)
