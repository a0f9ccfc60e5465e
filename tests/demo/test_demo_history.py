"""The simulated history (pure, no AWS): deterministic, the names the convention gives, and with the
default settings a drift that the demo's drift parameters flag from its onset on, and nothing else."""

from __future__ import annotations

import re
import statistics

import pytest
from demo_fixtures import SMALL

from mlmeta.local.demo.history import FAILED, STOPPED, SUCCEEDED, plan_history
from mlmeta.local.demo.settings import MIN_EXECUTIONS, DemoSettings, DemoSettingsError
from mlmeta_contract.naming import validate

DEFAULT = DemoSettings()


def test_the_same_seed_plans_the_same_history_and_another_seed_another():
    assert plan_history(DEFAULT) == plan_history(DemoSettings())
    other = plan_history(DemoSettings(seed=8))
    assert {e.execution_id for e in other.executions}.isdisjoint(e.execution_id for e in plan_history(DEFAULT).executions)


def test_execution_ids_and_job_names_are_what_sagemaker_makes():
    history = plan_history(DEFAULT)
    ids = [e.execution_id for e in history.executions]
    assert len(set(ids)) == len(ids) == DEFAULT.executions
    assert all(re.fullmatch(r"[a-z0-9]{12}", i) for i in ids)
    jobs = [s.job_name for e in history.executions for s in e.steps if s.job_name]
    assert all(re.fullmatch(rf"pipelines-{e.execution_id}-[a-z-]+-[a-z0-9]{{10}}", s.job_name) and len(s.job_name) <= 63
               for e in history.executions for s in e.steps if s.job_name)
    assert len(set(jobs)) == len(jobs)


def test_some_executions_fail_or_stop_in_training_and_never_reach_the_evaluation():
    history = plan_history(DEFAULT)
    unfinished = [e for e in history.executions if e.status != SUCCEEDED]
    assert {e.status for e in unfinished} == {FAILED, STOPPED}
    assert all(e.evaluation is None and [s.name for s in e.steps] == ["preprocess", "train"] and e.steps[-1].status == e.status
               for e in unfinished)
    assert all(e.end >= e.steps[-1].end > e.steps[0].start > e.start for e in history.executions)


def test_the_planted_runs_are_succeeded_runs_and_the_drift_starts_at_its_run():
    history = plan_history(DEFAULT)
    assert history.drift_onset.number >= DEFAULT.drift_start
    assert all(not e.drifted for e in history.executions if e.number < DEFAULT.drift_start)
    assert {history.drift_onset.status, history.duplicated.status, history.truncated.status} == {SUCCEEDED}
    assert history.duplicated is not history.truncated


def test_eda_names_follow_the_convention_except_the_three_planted_violations():
    actions = plan_history(DEFAULT).eda_actions
    kinds = {"experiment": "eda-experiment", "experiment-trial": "eda-trial"}
    verdicts = {a.name: validate(kinds[a.resource_type], a.name).compliant for a in actions}
    assert sorted(name for name, ok in verdicts.items() if not ok) == sorted(a.name for a in actions if a.violation)
    assert sum(a.violation for a in actions) == 3
    assert [a.time for a in actions] == sorted(a.time for a in actions)


def full_window_drift_flags(values: list[float], window: int, z_threshold: float, min_change: float) -> list[int]:
    """Positions metric_drift flags DRIFT: against the median and MAD of a full window of the previous runs."""
    flagged = []
    for position in range(window, len(values)):
        baseline = values[position - window : position]
        median = statistics.median(baseline)
        spread = 1.4826 * statistics.median(abs(v - median) for v in baseline)
        distance = abs(values[position] - median)
        far_out = distance > 0 and (spread == 0 or distance / spread >= z_threshold)
        if far_out and distance >= min_change * abs(median):
            flagged.append(position)
    return flagged


@pytest.mark.parametrize("settings", [DEFAULT, SMALL], ids=["default", "small"])
def test_with_the_default_seed_only_drifted_runs_stand_out_from_the_onset_on(settings):
    history = plan_history(settings)
    succeeded = [e for e in history.executions if e.status == SUCCEEDED]
    auc = [e.evaluation.metrics["auc"] for e in succeeded]

    flagged = [succeeded[position] for position in full_window_drift_flags(auc, settings.window_size, settings.z_threshold, settings.min_change)]

    # The onset first, then the drifted runs after it until the baseline's median has moved; nothing before.
    drifted = [e for e in succeeded if e.number >= history.drift_onset.number]
    assert flagged and flagged == drifted[: len(flagged)]
    assert flagged[0] == history.drift_onset


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"executions": MIN_EXECUTIONS - 1}, f"from {MIN_EXECUTIONS} to 1000, got {MIN_EXECUTIONS - 1}"), ({"executions": 1001}, f"from {MIN_EXECUTIONS} to 1000, got 1001"), ({"drift_start_run": 10}, "full window")],
)
def test_settings_out_of_range_say_which(changes, message):
    with pytest.raises(DemoSettingsError, match=message):
        DemoSettings(**changes)
