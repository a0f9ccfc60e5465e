"""Trial 1.2 on the MLflow backend (``MLMETA_TRACKING_BACKEND=mlflow``): the evaluate step's record as one
MLflow run, named by the convention (mlmeta_contract/mlflow/names.py):

- experiment ``{usecase}-{env}-pipeline`` (tagged as the SageMaker experiment), created if missing;
- run ``{usecase}-{env}-{execution_id}-analysis-{step}`` (the analysis component's name), tagged with the
  convention's tags, the trial it stands for and the execution's ARN (how the snapshotter finds it);
- the count of metrics it logs, as the tag ``mlmeta:metrics-logged``, set when the run is created (before
  the metrics, as on SageMaker): a run whose metrics did not all arrive shows it (completeness);
- the input/output artifacts as tags ``mlmeta:input-artifact:<name>`` / ``mlmeta:output-artifact:<name>``
  (MLflow has no artifact URIs of its own for a run);
- the parameters and metrics in ONE LogBatch (one transaction on the server), then the run FINISHED.

Every key and value is checked against MLflow's rules before the first call, so a metric name MLflow
would refuse fails the step with nothing written. A retried step adopts the run the first attempt
created (same experiment, same run name), never a second run of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Mapping, Union

from mlmeta_contract.naming import DEFAULT_CONVENTION, NamingConvention
from mlmeta_contract.mlflow.client import MlflowClient, MlflowError
from mlmeta_contract.mlflow.keys import check_record, param_text
from mlmeta_contract.mlflow.names import TAG_INPUT_ARTIFACT_PREFIX, TAG_METRICS_LOGGED, TAG_OUTPUT_ARTIFACT_PREFIX, pipeline_run_names
from mlmeta_contract.mlflow.times import milliseconds
from pipelines.common.tracking import DEFAULT_STEP, StepExecution, TrackingError, reject_reserved_parameters

ParameterValue = Union[str, int, float]


@dataclass(frozen=True)
class MlflowAnalysisRecord:
    experiment_name: str
    trial_name: str
    trial_component_name: str  # the run's name
    experiment_id: str
    run_id: str


class MlflowAnalysisRun:
    """Names and records trial 1.2 of one execution as an MLflow run. ``client`` is an MlflowClient."""

    def __init__(
        self,
        execution: StepExecution,
        *,
        client: MlflowClient,
        step: str = DEFAULT_STEP,
        convention: NamingConvention = DEFAULT_CONVENTION,
    ) -> None:
        self.execution = execution
        self.names = pipeline_run_names(
            use_case=execution.use_case,
            env=execution.env,
            execution_id=execution.execution_id,
            execution_arn=execution.execution_arn,
            step=step,
            convention=convention,
        )
        self.experiment_name = self.names.experiment_name
        self.trial_name = self.names.trial_name
        self.trial_component_name = self.names.run_name
        self._client = client

    def record(
        self,
        *,
        parameters: Mapping[str, ParameterValue],
        metrics: Mapping[str, float],
        input_artifacts: Mapping[str, str],
        output_artifacts: Mapping[str, str],
        start_time: datetime,
        end_time: datetime,
    ) -> MlflowAnalysisRecord:
        reject_reserved_parameters(parameters)
        params = {name: param_text(value) for name, value in parameters.items()}
        tags: Dict[str, str] = {
            **self.names.run_tags,
            TAG_METRICS_LOGGED: str(len(metrics)),
            **{TAG_INPUT_ARTIFACT_PREFIX + name: uri for name, uri in input_artifacts.items()},
            **{TAG_OUTPUT_ARTIFACT_PREFIX + name: uri for name, uri in output_artifacts.items()},
        }
        # Before any call: a key MLflow would refuse fails here, nothing is half-written.
        check_record(metrics=metrics, params=params, tags={**tags, **self.names.experiment_tags})
        timestamp = milliseconds(end_time)
        batch = [{"key": name, "value": float(value), "timestamp": timestamp, "step": 0} for name, value in metrics.items()]

        experiment_id = self._client.ensure_experiment(self.experiment_name, tags=self.names.experiment_tags)
        run_id = self._ensure_run(experiment_id, start_time, tags)
        try:
            self._client.log_batch(run_id, metrics=batch, params=params)
        except MlflowError:
            self._mark_failed(run_id)
            raise
        self._client.update_run(run_id, status="FINISHED", end_time_ms=timestamp)
        return MlflowAnalysisRecord(self.experiment_name, self.trial_name, self.trial_component_name, experiment_id, run_id)

    def _ensure_run(self, experiment_id: str, start_time: datetime, tags: Mapping[str, str]) -> str:
        existing = self._client.search_runs(
            [experiment_id], filter_string=f"attributes.run_name = '{self.trial_component_name}'"
        )
        if len(existing) > 1:
            raise TrackingError(
                f"experiment {self.experiment_name} holds {len(existing)} runs named {self.trial_component_name}: "
                "delete the extra ones in MLflow, then retry the step"
            )
        if existing:
            # A retried step: the first attempt's run, tags set again (MLflow overwrites a tag's value).
            run_id = str(existing[0]["info"]["run_id"])
            self._client.log_batch(run_id, tags=tags)
            return run_id
        run = self._client.create_run(experiment_id, run_name=self.trial_component_name, start_time_ms=milliseconds(start_time), tags=tags)
        return str(run["info"]["run_id"])

    def _mark_failed(self, run_id: str) -> None:
        # The run shows FAILED rather than RUNNING forever; the step's own error is what matters.
        try:
            self._client.update_run(run_id, status="FAILED")
        except MlflowError:
            pass

