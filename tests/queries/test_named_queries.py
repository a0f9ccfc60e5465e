"""Each named query, run on DuckDB over the fixture lake, against the same thing computed with pandas
straight from the generated records (not by running SQL)."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest

from mlmeta.local.synthetic_lake import write_lake
from mlmeta.queries.local_engine import register_lake
from mlmeta.queries.trino_to_duckdb import SESSION_SETTINGS
from query_fixtures import CHURN, FRAUD, PLANTED_DRIFT, records, utc

FROM_DT, TO_DT = "2026-01-06", "2026-01-15"  # cuts the first and the last day of the history
WIDE = ("2026-01-01", "2026-12-31")


def one_value_per_execution(metric_frame: pd.DataFrame, pipeline: str, metric: str, from_dt: str, to_dt: str) -> pd.DataFrame:
    """The analysis value of ``metric`` per execution, oldest execution first.

    Dedup rule: the latest metric_time wins, ties go to the first trial_component_name."""
    rows = metric_frame[
        (metric_frame.pipeline_name == pipeline)
        & (metric_frame.metric_name == metric)
        & (metric_frame.trial_kind == "analysis")
        & (metric_frame.dt >= from_dt)
        & (metric_frame.dt <= to_dt)
    ].assign(logged=lambda f: utc(f.metric_time), ended=lambda f: utc(f.execution_end))
    rows = rows.sort_values(["logged", "trial_component_name"], ascending=[False, True])
    rows = rows.drop_duplicates("pipeline_execution_id").sort_values(["ended", "pipeline_execution_id"])
    return rows.rename(columns={"metric_value": "value"}).reset_index(drop=True)


def test_the_fixture_repeats_a_metric_within_executions_so_the_dedup_rule_matters(metric_frame):
    analysis = metric_frame[metric_frame.trial_kind == "analysis"]
    repeats = analysis.groupby(["pipeline_execution_id", "metric_name"]).size()
    assert (repeats > 1).any()
    environment = metric_frame[(metric_frame.trial_kind == "environment") & (metric_frame.metric_name == "auc")]
    assert not environment.empty  # the same metric name outside analysis trials, which the queries must ignore


def test_the_execution_metrics_view_holds_the_value_the_dedup_rule_picks(lake, metric_frame):
    """The view metric_history, metric_drift and runs read (mlmeta.lake.views.EXECUTION_METRICS): every
    pipeline's analysis metrics, one row per execution and metric, the one pandas picks."""
    analysis = metric_frame[metric_frame.trial_kind == "analysis"].assign(logged=lambda f: utc(f.metric_time))
    ranked = analysis.sort_values(["logged", "trial_component_name"], ascending=[False, True])
    picked = ranked.drop_duplicates(["pipeline_execution_id", "metric_name"])
    columns = ["pipeline_execution_id", "metric_name", "trial_component_name", "metric_value", "dt"]
    expected = picked.sort_values(["pipeline_execution_id", "metric_name"])[columns]
    connection = duckdb.connect()
    for setting in SESSION_SETTINGS:
        connection.execute(setting)
    register_lake(connection, lake)

    rows = connection.execute(f"SELECT {', '.join(columns)} FROM execution_metrics ORDER BY pipeline_execution_id, metric_name").fetchall()

    assert [dict(zip(columns, row, strict=True)) for row in rows] == records(expected, columns)
    assert len(picked) < len(analysis)  # some executions log a metric twice: the rule decided


@pytest.mark.parametrize(("pipeline", "metric"), [(CHURN, "f1"), (CHURN, "rows_dropped"), (FRAUD, "auc")])
def test_metric_history_matches_pandas(run_query, metric_frame, pipeline, metric):
    expected = one_value_per_execution(metric_frame, pipeline, metric, FROM_DT, TO_DT)
    previous = expected.value.shift(1)
    expected["moving_avg_7"] = expected.value.rolling(7, min_periods=1).mean()
    expected["change"] = expected.value - previous
    expected["pct_change"] = (100 * (expected.value - previous) / previous).where(previous != 0)
    columns = ["pipeline_execution_id", "execution_end", "execution_status", "value", "moving_avg_7", "change", "pct_change"]

    result = run_query("metric_history", pipeline, metric, FROM_DT, TO_DT)

    assert result.columns == tuple(columns)
    assert result.as_dicts() == [pytest.approx(row) for row in records(expected, columns)]
    assert len(expected) > 7


def test_metric_history_has_no_percent_change_after_a_zero(run_query, metric_frame):
    rows = run_query("metric_history", CHURN, "rows_dropped", FROM_DT, TO_DT).as_dicts()
    after_zero = [row for previous, row in zip(rows, rows[1:]) if previous["value"] == 0]
    assert after_zero, "the fixture should have runs after a 0"
    assert all(row["pct_change"] is None and row["change"] is not None for row in after_zero)
    assert rows[0]["change"] is None and rows[0]["pct_change"] is None


def median_absolute_deviation(window: np.ndarray) -> float:
    values = window[~np.isnan(window)]  # the shifted series starts with NaN, which rolling().median() skips too
    return float(np.median(np.abs(values - np.median(values))))


def expected_drift(values: pd.Series, window_size: int, z_threshold: float, min_value: float, min_change: float) -> pd.DataFrame:
    """The robust check: median and MAD of the previous window_size runs, a full window first."""
    previous = values.shift(1).rolling(window_size, min_periods=1)
    frame = pd.DataFrame(
        {
            "window_runs": values.shift(1).rolling(window_size, min_periods=0).count().astype(int),
            "window_median": previous.median(),
            "window_mad": previous.apply(median_absolute_deviation, raw=True),
        }
    )
    full_window = pd.Series(range(len(values)), index=values.index) >= window_size  # the first window_size runs are not scored
    distance = (values - frame.window_median).abs().where(full_window)
    frame["z_score"] = ((values - frame.window_median) / (1.4826 * frame.window_mad)).where(full_window & (frame.window_mad > 0))
    far_out = (distance > 0) & ((frame.window_mad == 0) | (frame.z_score.abs() >= z_threshold))
    large_enough = distance >= min_change * frame.window_median.abs()
    frame["flag"] = "OK"
    frame.loc[values < min_value, "flag"] = "BELOW_THRESHOLD"
    frame.loc[far_out & large_enough, "flag"] = "DRIFT"
    return frame


DRIFT_COLUMNS = ["pipeline_execution_id", "execution_end", "execution_status", "value", "window_runs", "window_median", "window_mad", "z_score", "flag"]


@pytest.mark.parametrize(
    ("pipeline", "metric", "window_size", "z_threshold", "min_value", "min_change"),
    [
        (CHURN, "auc", 10, 3.0, 0.905, 0.01),
        (CHURN, "auc", 4, 2.0, 0.9, 0.0),  # an even window: the median is the mean of the two middle values
        (CHURN, "auc", 5, 2.0, 0.9, 0.03),  # a minimum change that only the planted drift reaches
        (CHURN, "rows_dropped", 3, 1.5, 0.5, 0.0),  # mostly 0: a MAD of 0, the change decides
        (FRAUD, "log_loss", 6, 2.5, 0.33, 0.02),
    ],
)
def test_metric_drift_matches_pandas(run_query, metric_frame, pipeline, metric, window_size, z_threshold, min_value, min_change):
    runs = one_value_per_execution(metric_frame, pipeline, metric, "2026-01-01", "2026-12-31")
    expected = pd.concat([runs, expected_drift(runs.value, window_size, z_threshold, min_value, min_change)], axis=1)

    result = run_query("metric_drift", pipeline, metric, "2026-01-01", "2026-12-31", window_size, z_threshold, min_value, min_change)

    assert result.columns == tuple(DRIFT_COLUMNS)
    assert result.as_dicts() == [pytest.approx(row) for row in records(expected, DRIFT_COLUMNS)]
    assert "DRIFT" in set(expected.flag)  # every setting flags something: the comparison covers the flag rule


def test_metric_drift_flags_the_planted_drift_and_every_kind_of_run(run_query):
    rows = run_query("metric_drift", CHURN, "auc", "2026-01-01", "2026-12-31", 10, 3.0, 0.905, 0.01).as_dicts()
    flags = [row["flag"] for row in rows]
    assert flags[PLANTED_DRIFT.start_run] == "DRIFT"  # the first shifted run stands out of its baseline
    assert {"DRIFT", "BELOW_THRESHOLD", "OK"} <= set(flags)
    assert all(row["z_score"] is None for row in rows[:10]) and rows[10]["z_score"] is not None  # a full window first
    zero_spread = run_query("metric_drift", CHURN, "rows_dropped", "2026-01-01", "2026-12-31", 3, 1.5, 0.5, 0.0).as_dicts()
    assert any(r["window_mad"] == 0 and r["z_score"] is None for r in zero_spread)


def test_metric_drift_needs_the_minimum_change_too(run_query):
    """The same runs far out in z terms, but a minimum change no run reaches: nothing is DRIFT."""
    args = (CHURN, "auc", "2026-01-01", "2026-12-31", 10, 3.0, 0.0)
    assert "DRIFT" in {r["flag"] for r in run_query("metric_drift", *args, 0.0).as_dicts()}
    assert "DRIFT" not in {r["flag"] for r in run_query("metric_drift", *args, 0.5).as_dicts()}


LATEST_COLUMNS = ["pipeline_name", "metric_name", "value", "pipeline_execution_id", "execution_end", "execution_status"]


def expected_latest(metric_frame: pd.DataFrame, since: str) -> list[dict[str, object]]:
    rows = metric_frame[(metric_frame.trial_kind == "analysis") & (metric_frame.dt >= since)]
    rows = rows.assign(ended=utc(rows.execution_end), logged=utc(rows.metric_time))
    rows = rows.sort_values(["ended", "pipeline_execution_id", "logged", "trial_component_name"], ascending=[False, False, False, True])
    latest = rows.drop_duplicates(["pipeline_name", "metric_name"]).sort_values(["pipeline_name", "metric_name"])
    return records(latest.rename(columns={"metric_value": "value"}), LATEST_COLUMNS)


def test_latest_metrics_matches_pandas(run_query, metric_frame):
    result = run_query("latest_metrics", "2026-01-10")

    assert result.columns == tuple(LATEST_COLUMNS)
    assert result.as_dicts() == [pytest.approx(row) for row in expected_latest(metric_frame, "2026-01-10")]
    assert {r["pipeline_name"] for r in result.as_dicts()} == {CHURN, FRAUD}


def test_latest_metrics_breaks_a_tie_on_execution_end_by_execution_id(run_query, history, tmp_path):
    """Two executions that end at the same instant: the greater execution id is the latest."""
    churn = sorted({(r["execution_end"], r["pipeline_execution_id"]) for r in history.metric_snapshots if r["pipeline_name"] == CHURN})
    (_, earlier), (same_end, last) = churn[-2:]
    tied = tuple(r | {"execution_end": same_end} if r["pipeline_execution_id"] == earlier else r for r in history.metric_snapshots)
    write_lake(tmp_path, replace(history, metric_snapshots=tied))
    frame = pd.DataFrame(list(tied)).assign(dt=lambda f: utc(f.execution_end).dt.strftime("%Y-%m-%d"))

    rows = run_query("latest_metrics", "2026-01-10", lake=tmp_path).as_dicts()

    assert rows == [pytest.approx(row) for row in expected_latest(frame, "2026-01-10")]
    assert {r["pipeline_execution_id"] for r in rows if r["pipeline_name"] == CHURN} == {max(earlier, last)}


def test_naming_violations_match_pandas(run_query, audit_frame):
    since = "2026-01-08"
    rows = audit_frame[(audit_frame.verdict == "violation") & (audit_frame.dt >= since)]
    rows = rows.assign(checked=utc(rows.checked_at))
    expected = rows.sort_values(["checked", "actor_arn", "resource_type", "resource_name"], ascending=[False, True, True, True])
    columns = ["checked_at", "actor_arn", "resource_type", "resource_name", "rule", "reason", "source"]

    result = run_query("naming_violations", since)

    assert result.columns == tuple(columns)
    assert result.as_dicts() == records(expected, columns)
    assert 0 < len(expected) < len(audit_frame[audit_frame.verdict == "violation"])  # the dt filter cut some


def execution_ids(metric_frame: pd.DataFrame, pipeline: str) -> list[str]:
    runs = metric_frame[metric_frame.pipeline_name == pipeline].assign(began=lambda f: utc(f.execution_start))
    return list(runs.sort_values("began").pipeline_execution_id.drop_duplicates())


def component_keys(frame: pd.DataFrame) -> pd.Series:
    replaced = [name.replace(execution, "{execution}") for name, execution in zip(frame.trial_component_name, frame.pipeline_execution_id, strict=True)]
    return frame.trial_kind + "/" + frame.step_name.fillna(pd.Series(replaced, index=frame.index))


def expected_differences(metric_frame: pd.DataFrame, component_frame: pd.DataFrame, a: str, b: str) -> list[tuple]:
    def metrics(execution: str) -> dict[tuple[str, str], float]:
        rows = metric_frame[metric_frame.pipeline_execution_id == execution]
        return dict(zip(zip(component_keys(rows), rows.metric_name, strict=True), rows.metric_value, strict=True))

    def parameters(execution: str) -> dict[tuple[str, str], str]:
        rows = component_frame[component_frame.pipeline_execution_id == execution]
        return {(key, name): value for key, params in zip(component_keys(rows), rows.parameters, strict=True) for name, value in params.items()}

    differences = []
    for kind, side_a, side_b in [("metric", metrics(a), metrics(b)), ("parameter", parameters(a), parameters(b))]:
        for key in sorted(side_a.keys() | side_b.keys()):
            value_a, value_b = side_a.get(key), side_b.get(key)
            if key not in side_a or key not in side_b or value_a != value_b:
                differences.append((kind, *key, value_a, value_b))
    return sorted(differences, key=lambda d: d[:3])


def as_compared(row: dict[str, object]) -> tuple:
    """Metric values come back as text; read them as numbers to compare with the records."""
    values = [row["value_a"], row["value_b"]]
    if row["kind"] == "metric":
        values = [None if v is None else pytest.approx(float(v)) for v in values]
    return (row["kind"], row["component"], row["name"], *values)


@pytest.mark.parametrize(
    ("pick_a", "pick_b"),
    [
        ((CHURN, 9), (CHURN, 10)),  # run 10 adds early_stopping_rounds: a parameter in b only
        ((CHURN, 3), (CHURN, 3)),  # an execution with itself: nothing differs
        ((CHURN, 3), (FRAUD, 3)),  # analysis components are named after the pipeline: present in one only
    ],
)
def test_execution_comparison_matches_pandas(run_query, metric_frame, component_frame, pick_a, pick_b):
    a = execution_ids(metric_frame, pick_a[0])[pick_a[1]]
    b = execution_ids(metric_frame, pick_b[0])[pick_b[1]]
    expected = expected_differences(metric_frame, component_frame, a, b)

    result = run_query("execution_comparison", a, b, "2026-01-01", "2026-12-31")

    assert result.columns == ("kind", "component", "name", "value_a", "value_b")
    assert [as_compared(row) for row in result.as_dicts()] == expected
    if a == b:
        assert expected == []
    else:
        assert {d[0] for d in expected} == {"metric", "parameter"}


def test_execution_comparison_matches_job_components_by_step_and_analysis_components_by_name(run_query, metric_frame):
    a, b = execution_ids(metric_frame, CHURN)[9:11]
    rows = run_query("execution_comparison", a, b, "2026-01-01", "2026-12-31").as_dicts()
    components = {row["component"] for row in rows}
    assert "environment/train" in components
    assert f"analysis/{CHURN}-{{execution}}-analysis-evaluation" in components
    early_stopping = [r for r in rows if r["name"] == "early_stopping_rounds"]
    assert early_stopping == [{"kind": "parameter", "component": "environment/train", "name": "early_stopping_rounds", "value_a": None, "value_b": "20"}]


def unknown(*parameters: str) -> list[dict]:
    return [{"kind": "unknown_execution", "component": None, "name": p, "value_a": None, "value_b": None} for p in parameters]


def test_execution_comparison_with_an_unknown_execution_says_so_and_compares_nothing(run_query, metric_frame):
    known = execution_ids(metric_frame, CHURN)[3]
    mistyped = known[:-1] + ("x" if known[-1] != "x" else "y")

    assert run_query("execution_comparison", known, mistyped, *WIDE).as_dicts() == unknown("execution_b")
    assert run_query("execution_comparison", mistyped, known, *WIDE).as_dicts() == unknown("execution_a")
    assert run_query("execution_comparison", mistyped, mistyped, *WIDE).as_dicts() == unknown("execution_a", "execution_b")


def test_execution_comparison_outside_the_dt_range_is_unknown_there(run_query, metric_frame):
    a, b = execution_ids(metric_frame, CHURN)[:2]
    ended = metric_frame[metric_frame.pipeline_execution_id == a].dt.iloc[0]

    assert run_query("execution_comparison", a, b, "2027-01-01", "2027-12-31").as_dicts() == unknown("execution_a", "execution_b")
    assert run_query("execution_comparison", a, a, ended, ended).as_dicts() == []


def test_metric_drift_threshold_is_inclusive(run_query):
    """|z| == z_threshold is DRIFT: feed back a z the query computed as the threshold."""
    args = (CHURN, "accuracy", "2026-01-01", "2026-12-31", 6)
    rows = run_query("metric_drift", *args, 99.0, 0.0, 0.0).as_dicts()
    judged = max((r for r in rows if r["z_score"] is not None), key=lambda r: abs(r["z_score"]))
    again = run_query("metric_drift", *args, repr(abs(judged["z_score"])), 0.0, 0.0).as_dicts()
    flags = {r["pipeline_execution_id"]: r["flag"] for r in again}
    assert flags[judged["pipeline_execution_id"]] == "DRIFT"
    assert list(flags.values()).count("DRIFT") == 1  # every other |z| is smaller
