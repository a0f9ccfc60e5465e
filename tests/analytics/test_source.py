"""The defaults every analytics call (and mlmeta plot) shares: pipeline name, engine, dt range."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mlmeta.analytics.source import AnalyticsError, choose_engine, dt_range, pipeline_name
from mlmeta.queries.runner import AthenaTarget
from mlmeta_contract.naming import CONVENTION_ENV_VAR, DEFAULT_CONVENTION

TODAY = date(2026, 11, 26)
LAKE = choose_engine("lake", None, "dev")
ATHENA = choose_engine(None, True, "dev")


@pytest.mark.parametrize(
    ("engine", "since", "until", "expected"),
    [
        (LAKE, None, None, ("0001-01-01", "9999-12-31")),  # a local lake: all of it
        (LAKE, "2026-03-01", None, ("2026-03-01", "9999-12-31")),
        (ATHENA, None, None, ("2025-11-26", "2026-11-26")),  # Athena: the last 365 days up to today
        (ATHENA, None, "2026-06-30", ("2025-06-30", "2026-06-30")),
        (ATHENA, "2020-01-01", None, ("2020-01-01", "2026-11-26")),
        (ATHENA, date(2026, 1, 1), datetime(2026, 1, 31, 23, 59), ("2026-01-01", "2026-01-31")),
    ],
)
def test_default_dt_range_depends_on_the_engine(engine, since, until, expected):
    assert dt_range(since, until, engine, today=TODAY) == expected


def test_athena_default_range_ends_today_in_utc(monkeypatch):
    monkeypatch.setattr("mlmeta.analytics.source.utc_today", lambda: TODAY)
    assert dt_range(None, None, ATHENA) == ("2025-11-26", "2026-11-26")
    assert dt_range(None, None, ATHENA, today=None)[1] == TODAY.isoformat()


def test_an_aware_datetime_counts_by_its_utc_date():
    tokyo_morning = datetime.fromisoformat("2026-03-01T08:00:00+09:00")  # 2026-02-28 23:00 UTC
    assert dt_range(tokyo_morning, tokyo_morning, LAKE) == ("2026-02-28", "2026-02-28")
    assert dt_range(datetime(2026, 3, 1, tzinfo=UTC), None, LAKE)[0] == "2026-03-01"


def test_athena_true_and_a_target_without_env_take_the_calls_env():
    assert choose_engine(None, True, "prod").athena == AthenaTarget(env="prod")
    target = AthenaTarget(workgroup="analysts")
    assert choose_engine(None, target, "stg").athena == AthenaTarget(env="stg", workgroup="analysts")
    # A target that names its env keeps it (e.g. reading prod's pipeline through dev's workgroup).
    assert choose_engine(None, AthenaTarget(env="dev"), "prod").athena.env == "dev"
    assert choose_engine(Path("lake"), False, "dev").lake == Path("lake")


def test_pipeline_name_follows_the_convention_in_force(monkeypatch):
    assert pipeline_name("churn-prediction", "prod") == "churn-prediction-prod"
    with pytest.raises(AnalyticsError, match="env 'qa' is not a known environment"):
        pipeline_name("churn-prediction", "qa")
    # An organisation's convention ($MLMETA_NAMING_CONVENTION) with a qa environment.
    custom = DEFAULT_CONVENTION.to_dict() | {"environments": ["dev", "qa", "stg", "prod"]}
    monkeypatch.setenv(CONVENTION_ENV_VAR, json.dumps(custom))
    assert pipeline_name("churn-prediction", "qa") == "churn-prediction-qa"


def test_a_broken_convention_is_an_analytics_error(monkeypatch):
    monkeypatch.setenv(CONVENTION_ENV_VAR, "{not json")
    with pytest.raises(AnalyticsError) as caught:
        pipeline_name("churn-prediction", "dev")
    assert "\n" not in str(caught.value)
