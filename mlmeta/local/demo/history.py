"""The history the demo simulates, as plain data: what happened, not yet how AWS records or reports it.

Pure and deterministic: the same settings (seed included) always give the same history.

- One execution of ``{usecase}-{env}`` a day at 18:00 UTC (a few seconds late, as a scheduler is):
  preprocess (processing job) -> train (training job) -> evaluation (processing job; records trial 1.2)
  -> check-roc-auc (condition) -> register (model package). About 3 in 100 fail in training and 1 in
  100 is stopped by someone during training; those never reach the evaluation.
- The evaluate step measures precision, recall, F1 and ROC AUC on the test set (the names of
  pipelines/common/classification.py). Run-to-run noise is cut at two standard deviations; from
  ``drift_start`` on, the data has drifted: auc drops by ``auc_shift`` and precision and recall with it.
- Data scientists do EDA on the side: trials in their EDA experiments (names from the convention), a
  second scientist's experiment, and three names that break the convention, at fixed points of the
  timeline so that a short history has all of them too.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from mlmeta.local.demo.settings import START, DemoSettings
from mlmeta_contract.naming import new

EXECUTION_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
JOB_SUFFIX_LENGTH = 10
# Step names of the pipeline definition (stacks/pipeline/definition/binary_classification.py); the
# SDK's ModelStep runs the registration as "<name>-RegisterModel".
PREPROCESS, TRAIN, EVALUATE, CHECK, REGISTER = "preprocess", "train", "evaluation", "check-roc-auc", "register-RegisterModel"
SUCCEEDED, FAILED, STOPPED = "Succeeded", "Failed", "Stopped"
FAILURE_RATE, STOP_RATE = 0.03, 0.01

# metric -> (mean before the drift, run-to-run noise, shift at the drift per unit of auc_shift)
EVALUATION_NOISE = 2.0  # noise is cut at this many standard deviations
AUC = (0.885, 0.006, 1.0)
PRECISION = (0.74, 0.008, 0.9)
RECALL = (0.68, 0.008, 0.5)
# The training job's own metrics (XGBoost's eval_metric auc), logged every 50 rounds.
TRAINING_ROUNDS = (0, 50, 100, 150, 199)
# The data scientist who lowered the learning rate, and when (fraction of the timeline).
ETA_CHANGE_AT = 0.4
HYPERPARAMETERS = {"objective": "binary:logistic", "num_round": 200, "max_depth": 4}
TEST_ROWS = 1000  # 20% of the pipeline's default SyntheticRows (5000)


@dataclass(frozen=True)
class StepRun:
    name: str
    step_type: str  # Processing | Training | Condition | RegisterModel, as in Pipelines' events
    status: str
    start: datetime
    end: datetime
    job_type: str | None = None  # processing | training: the SageMaker job the step ran
    job_name: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """What the evaluate step measured and recorded in trial 1.2."""

    metrics: Mapping[str, float]
    test_positive_rate: float
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Execution:
    number: int  # 0-based, in start order
    execution_id: str
    status: str
    start: datetime
    end: datetime
    steps: tuple[StepRun, ...]
    hyperparameters: Mapping[str, float | str]
    # metric -> value per TRAINING_ROUNDS entry; empty when training did not finish
    training_metrics: Mapping[str, tuple[float, ...]]
    evaluation: Evaluation | None
    drifted: bool


@dataclass(frozen=True)
class EdaAction:
    """A data scientist creates an experiment or a trial (CloudTrail records the call)."""

    time: datetime
    user: str
    resource_type: str  # experiment | experiment-trial
    name: str
    experiment_name: str | None  # the trial's experiment
    violation: bool  # planted: the name breaks the convention


@dataclass(frozen=True)
class History:
    executions: tuple[Execution, ...]
    eda_actions: tuple[EdaAction, ...]
    drift_onset: Execution  # the first succeeded execution with drifted metrics
    duplicated: Execution  # its Succeeded event is delivered twice
    truncated: Execution  # a truncated copy of its Succeeded event is delivered after the real one

    @property
    def end(self) -> datetime:
        return max(execution.end for execution in self.executions)


def plan_history(settings: DemoSettings) -> History:
    rng = random.Random(settings.seed)
    ids: set[str] = set()
    executions = []
    for number in range(settings.executions):
        execution_id = _unique_id(rng, ids)
        start = START + timedelta(days=number, seconds=rng.randint(2, 90))
        executions.append(_execution(rng, settings, number, execution_id, start))
    succeeded = [e for e in executions if e.status == SUCCEEDED]
    history_days = (executions[-1].start - START).days + 1
    drift_onset = next(e for e in succeeded if e.drifted)
    return History(
        executions=tuple(executions),
        eda_actions=_eda_actions(settings, history_days, drift_onset.end),
        drift_onset=drift_onset,
        duplicated=_succeeded_near(succeeded, settings.executions // 3),
        truncated=_succeeded_near(succeeded, settings.executions // 2),
    )


def _unique_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        candidate = "".join(rng.choice(EXECUTION_ID_ALPHABET) for _ in range(12))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _execution(rng: random.Random, settings: DemoSettings, number: int, execution_id: str, start: datetime) -> Execution:
    roll = rng.random()
    outcome = FAILED if roll < FAILURE_RATE else STOPPED if roll < FAILURE_RATE + STOP_RATE else SUCCEEDED
    drifted = number >= settings.drift_start
    hyperparameters = {**HYPERPARAMETERS, "eta": 0.1 if number < settings.executions * ETA_CHANGE_AT else 0.05}
    clock = start + timedelta(seconds=rng.randint(3, 6))
    steps = []

    def job(name: str, step_type: str, job_type: str, minutes: tuple[int, int], status: str = SUCCEEDED) -> StepRun:
        nonlocal clock
        began = clock
        clock = began + timedelta(minutes=rng.randint(*minutes), seconds=rng.randint(0, 59))
        suffix = "".join(rng.choice(EXECUTION_ID_ALPHABET) for _ in range(JOB_SUFFIX_LENGTH))
        run = StepRun(name, step_type, status, began, clock, job_type, f"pipelines-{execution_id}-{name}-{suffix}")
        clock += timedelta(seconds=rng.randint(2, 5))
        return run

    steps.append(job(PREPROCESS, "Processing", "processing", (5, 9)))
    if outcome != SUCCEEDED:
        steps.append(job(TRAIN, "Training", "training", (3, 10), status=outcome))
        return Execution(number, execution_id, outcome, start, clock, tuple(steps), hyperparameters, {}, None, drifted)
    steps.append(job(TRAIN, "Training", "training", (14, 26)))
    values = _evaluation_metrics(rng, settings.auc_shift if drifted else 0.0)
    training = _training_metrics(rng, values["auc"])
    evaluate = job(EVALUATE, "Processing", "processing", (3, 5))
    steps.append(evaluate)
    evaluation = Evaluation(values, round(rng.uniform(0.18, 0.22), 4), evaluate.start + timedelta(seconds=40), evaluate.end - timedelta(seconds=5))
    for name, step_type, seconds in ((CHECK, "Condition", (1, 2)), (REGISTER, "RegisterModel", (3, 9))):
        began = clock
        clock = began + timedelta(seconds=rng.randint(*seconds))
        steps.append(StepRun(name, step_type, SUCCEEDED, began, clock))
        clock += timedelta(seconds=rng.randint(1, 3))
    return Execution(number, execution_id, SUCCEEDED, start, clock, tuple(steps), hyperparameters, training, evaluation, drifted)


def _noise(rng: random.Random, sigma: float) -> float:
    limit = EVALUATION_NOISE * sigma
    return max(-limit, min(limit, rng.gauss(0.0, sigma)))


def _evaluation_metrics(rng: random.Random, auc_shift: float) -> dict[str, float]:
    def value(model: tuple[float, float, float]) -> float:
        mean, sigma, shift = model
        return mean + _noise(rng, sigma) + shift * auc_shift

    auc, precision, recall = value(AUC), value(PRECISION), value(RECALL)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall), "auc": auc}


def _training_metrics(rng: random.Random, test_auc: float) -> dict[str, tuple[float, ...]]:
    """The training job's curves: rising towards a final value a little above the test auc."""
    finals = {"train:auc": test_auc + 0.06 + _noise(rng, 0.004), "validation:auc": test_auc + 0.012 + _noise(rng, 0.004)}
    return {name: tuple(final - 0.08 * (1 - i / (len(TRAINING_ROUNDS) - 1)) ** 2 for i in range(len(TRAINING_ROUNDS)))
            for name, final in finals.items()}


def _succeeded_near(succeeded: list[Execution], number: int) -> Execution:
    return min(succeeded, key=lambda e: (abs(e.number - number), e.number))


@dataclass(frozen=True)
class _Eda:
    """One line of the EDA script: when (fraction of the timeline), who, and what they create."""

    fraction: float
    user: str
    what: str  # trial | experiment (the user's EDA experiment) | off-convention-trial | off-convention-experiment
    text: str = ""  # the trial's topic, or the off-convention name ({date}: the day's YYYYMMDD)


INVESTIGATOR = "ikazaki"  # an EDA user of the example use case (mlmeta/config/environments.py)
_EDA_SCRIPT = (
    _Eda(0.03, INVESTIGATOR, "trial", "baseline-features"),
    _Eda(0.10, "tanaka", "experiment"),
    _Eda(0.12, "tanaka", "trial", "class-weights"),
    _Eda(0.22, "tanaka", "off-convention-experiment", "tanaka-sandbox"),  # no use case, no kind word
    _Eda(0.35, INVESTIGATOR, "trial", "feature-selection"),
    _Eda(0.48, "tanaka", "off-convention-trial", "churn-prediction-eda-tanaka-quick-look"),  # no date
    _Eda(0.60, INVESTIGATOR, "trial", "calibration"),
    _Eda(0.72, INVESTIGATOR, "off-convention-trial", "churn-prediction-eda-ikazaki-{date}-Holdout-Check"),  # uppercase
)
DRIFT_TOPIC = "auc-drop"  # two days after the drift, someone looks into it
_EDA_HOUR = 10  # UTC: the afternoon in Tokyo


def _eda_actions(settings: DemoSettings, days: int, drift_noticed: datetime) -> tuple[EdaAction, ...]:
    script = [(START + timedelta(days=int(line.fraction * days)), line) for line in _EDA_SCRIPT]
    script.append((drift_noticed + timedelta(days=2), _Eda(1.0, INVESTIGATOR, "trial", DRIFT_TOPIC)))
    use_case = settings.use_case.name
    actions = []
    for index, (day, line) in enumerate(sorted(script, key=lambda item: item[0])):
        moment = day.replace(hour=_EDA_HOUR, minute=(7 * index) % 60, second=(13 * index) % 60)
        experiment = new("eda-experiment", use_case=use_case, user=line.user)
        if line.what == "experiment":
            actions.append(EdaAction(moment, line.user, "experiment", experiment, None, violation=False))
        elif line.what == "off-convention-experiment":
            actions.append(EdaAction(moment, line.user, "experiment", line.text, None, violation=True))
        elif line.what == "off-convention-trial":
            name = line.text.format(date=moment.strftime("%Y%m%d"))
            actions.append(EdaAction(moment, line.user, "experiment-trial", name, experiment, violation=True))
        else:
            trial = new("eda-trial", use_case=use_case, user=line.user, date=moment.date(), topic=line.text)
            actions.append(EdaAction(moment, line.user, "experiment-trial", trial, experiment, violation=False))
    return tuple(actions)
