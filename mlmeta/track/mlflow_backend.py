"""The MLflow backend: an EDA run logged with the stdlib REST client (``mlmeta_contract.mlflow``), named
and tagged by the convention as MLflow sees it (``mlmeta_contract.mlflow.names``): the MLflow
experiment is the EDA experiment, the run is named as the trial component and carries its trial as
the tag ``mlmeta:trial``.

What could go wrong half-way is checked first: the server is asked for the experiment (a read) before
anything is created, so an unreachable server is one error and nothing exists; every key is checked
against MLflow's rules (``mlmeta_contract.mlflow.keys``) before it is sent, and a batch of metrics is
one LogBatch, which MLflow applies whole or not at all.

MLflow keeps parameters immutable: logging a parameter again with another value is refused (SageMaker
overwrites it). A run given ``run=`` that exists is reused; otherwise the run is the trial's next ``runN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mlmeta_contract.naming import NamingConvention, validate
from mlmeta.track.errors import BackendError, TrackingError
from mlmeta.track.names import AUTO_RUN_ATTEMPTS, COMPONENT, EdaNames, auto_run
from mlmeta.track.backend_base import BatchingBackend
from mlmeta.track.run import RunRecord
from mlmeta.track.values import MetricPoint, ParameterValue
from mlmeta_contract.mlflow.client import MAX_METRICS_PER_BATCH, MAX_PARAMS_PER_BATCH, MlflowClient, MlflowError
from mlmeta_contract.mlflow.keys import InvalidMlflowKey, check_record, param_text
from mlmeta_contract.mlflow.names import TAG_TRIAL, MlflowNames, eda_run_names

# MLflow's run statuses in SageMaker's words, so runs() reads the same from both backends.
STATUSES = {"RUNNING": "InProgress", "SCHEDULED": "InProgress", "FINISHED": "Completed", "FAILED": "Failed", "KILLED": "Stopped"}
# Where a failed run keeps its exception (MLflow's status has no message).
TAG_FAILURE = "mlmeta:failure"
MAX_FAILURE_TEXT = 8000


def client_for(tracking_uri: str) -> MlflowClient:
    try:
        return MlflowClient.from_uri(tracking_uri)
    except ValueError as err:
        raise TrackingError(str(err)) from None


class MlflowRun(BatchingBackend):
    backend = "mlflow"
    metrics_per_batch = MAX_METRICS_PER_BATCH

    def __init__(self, client: MlflowClient, convention: NamingConvention) -> None:
        super().__init__()
        self._client = client
        self._convention = convention
        self.run_id: str | None = None
        self.experiment_id: str | None = None

    def check_metric_name(self, name: str) -> None:
        self._check(metrics={name: 0.0})

    def check_parameter(self, name: str, value: ParameterValue) -> None:
        self._check(params={name: param_text(value)})

    def start(self, names: EdaNames, *, run_given: bool, started: datetime) -> EdaNames:
        mlflow_names = self._mlflow_names(names)
        # A read first: an unreachable server fails here, before anything is created.
        existing = self._do("find", names.experiment, self._client.get_experiment_by_name, names.experiment,
                            outcome="; nothing was created")
        if existing is not None:
            self.experiment_id = str(existing["experiment_id"])
        else:
            self.experiment_id = self._do("create", names.experiment, self._client.ensure_experiment,
                                          names.experiment, tags=mlflow_names.experiment_tags)
        if run_given:
            reused = self._runs(f"attributes.run_name = '{names.component}'")
            if reused:
                self.run_id = reused[0]["info"]["run_id"]
                self._do("reopen", names.component, self._client.update_run, self.run_id, status="RUNNING")
                self.names = names
                return names
        else:
            names = names.with_run(self._next_run(names), self._convention)
            mlflow_names = self._mlflow_names(names)
        created = self._do("create", names.component, self._client.create_run, self.experiment_id,
                           run_name=mlflow_names.run_name, start_time_ms=_ms(started), tags=mlflow_names.run_tags)
        self.run_id = created["info"]["run_id"]
        if not run_given:
            names = self._claim(names, created["info"])
        self.names = names
        return names

    def _claim(self, names: EdaNames, mine: Mapping[str, Any]) -> EdaNames:
        """Keep the counted runN unless another run took it meanwhile (two notebooks counting at once: MLflow
        takes a run name twice). The run created first keeps it (start time, then run id); the other moves
        one past the highest number, renamed before anything is logged."""
        for _ in range(AUTO_RUN_ATTEMPTS):
            run_name = self._mlflow_names(names).run_name
            rivals = [run["info"] for run in self._runs(f"attributes.run_name = '{run_name}'") if run["info"]["run_id"] != mine["run_id"]]
            if all(_created_order(rival) > _created_order(mine) for rival in rivals):
                return names
            names = names.with_run(self._next_run(names), self._convention)
            self._do("rename", run_name, self._client.update_run, mine["run_id"], run_name=self._mlflow_names(names).run_name)
        raise BackendError(f"no free run name in trial {names.trial} after {AUTO_RUN_ATTEMPTS} tries: pass run=NAME")

    def log_params(self, parameters: Mapping[str, ParameterValue]) -> None:
        names = self._started()
        texts = {name: param_text(value) for name, value in parameters.items()}
        items = list(texts.items())
        for start in range(0, len(items), MAX_PARAMS_PER_BATCH):
            self._do("log parameters of", names.component, self._client.log_batch, self._require_run(),
                     params=dict(items[start : start + MAX_PARAMS_PER_BATCH]))

    def _send_metrics(self, names: EdaNames, batch: list[MetricPoint]) -> None:
        metrics = [{"key": p.name, "value": p.value, "timestamp": _ms(p.timestamp), "step": p.step or 0} for p in batch]
        self._do("log metrics of", names.component, self._client.log_batch, self._require_run(), metrics=metrics)

    def finish(self, *, failed: str | None, ended: datetime) -> None:
        names = self._started()
        try:
            self.flush()
        finally:
            if failed is not None:
                self._do("tag", names.component, self._client.set_tag, self._require_run(), TAG_FAILURE, failed[:MAX_FAILURE_TEXT])
            self._do("end", names.component, self._client.update_run, self._require_run(),
                     status="FAILED" if failed is not None else "FINISHED", end_time_ms=_ms(ended))

    def list_runs(self, experiment: str) -> list[RunRecord]:
        found = self._do("find", experiment, self._client.get_experiment_by_name, experiment)
        if found is None:
            return []
        runs = self._do("search the runs of", experiment, self._client.search_runs, [str(found["experiment_id"])])
        return [_record(run) for run in runs]

    def _next_run(self, names: EdaNames) -> str:
        """One past the highest runN of the trial (MLflow does not refuse a run name twice, so it is counted)."""
        taken = []
        for run in self._runs(f"tags.`{TAG_TRIAL}` = '{names.trial}'"):
            verdict = validate(COMPONENT, run["info"].get("run_name", ""), self._convention)
            word = verdict.parts.get("run", "") if verdict.compliant else ""
            if word.startswith("run") and word[3:].isdigit():
                taken.append(int(word[3:]))
        return auto_run(max(taken, default=0) + 1)

    def _runs(self, filter_string: str) -> list[dict[str, Any]]:
        assert self.experiment_id is not None
        return self._do("search the runs of", self.names.experiment if self.names else "the experiment",
                        self._client.search_runs, [self.experiment_id], filter_string=filter_string)

    def _mlflow_names(self, names: EdaNames) -> MlflowNames:
        return eda_run_names(use_case=names.use_case, env=names.environment, user=names.user, topic=names.topic,
                             run=names.run, date=names.date, convention=self._convention)

    def _check(self, **record: Any) -> None:
        try:
            check_record(**record)
        except InvalidMlflowKey as err:
            raise TrackingError(f"{err}; nothing of this call was logged") from None

    def _require_run(self) -> str:
        assert self.run_id is not None
        return self.run_id

    def _do(self, action: str, subject: str, method: Any, *args: Any, outcome: str = "", **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except MlflowError as err:
            raise BackendError(f"cannot {action} {subject} on MLflow: {err}{outcome}") from None


def _record(run: Mapping[str, Any]) -> RunRecord:
    info, data = run.get("info", {}), run.get("data", {})
    latest: dict[str, tuple[int, int, float]] = {}
    for metric in data.get("metrics") or []:  # runs/search gives each key's latest value
        order = (int(metric.get("step", 0)), int(metric.get("timestamp", 0)))
        if metric["key"] not in latest or order >= latest[metric["key"]][:2]:
            latest[metric["key"]] = (*order, float(metric["value"]))
    return RunRecord(
        run_name=info.get("run_name", ""),
        status=STATUSES.get(info.get("status", ""), info.get("status", "")),
        start=_time(info.get("start_time")),
        end=_time(info.get("end_time")),
        parameters={p["key"]: p["value"] for p in data.get("params") or []},
        metrics={key: value for key, (_, _, value) in latest.items()},
    )


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _time(ms: object) -> datetime | None:
    return datetime.fromtimestamp(int(ms) / 1000, UTC) if ms not in (None, "") else None


def _created_order(info: Mapping[str, Any]) -> tuple[int, str]:
    return int(info.get("start_time") or 0), str(info["run_id"])
