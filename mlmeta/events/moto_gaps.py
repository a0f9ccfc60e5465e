"""What moto 5.2's SageMaker cannot say about a pipeline execution, answered the way AWS documents it.

Used wherever the real handler code runs against moto: ``mlmeta demo`` (its embedded server), the
handler and replay tests, and the benchmarks. The answers are patched into moto's SageMaker *server
side* (its response class), so every client sees them, whether moto runs in-process (``mock_aws``) or
as the embedded ``moto server`` thread of this process (``mlmeta.events.local_aws.embedded_moto``).

The gaps (docs/handlers.md lists moto's others):

- **Search** of trial components: moto ignores ``MaxResults`` and ``NextToken`` (one page, whatever
  the size), rejects the ``Parents.ExperimentName`` filter, and its results carry no ``Metrics``,
  ``Parents`` or ``Source``, though it stores metrics (SageMaker Metrics' ``BatchPutMetrics``) and
  each component's trial. Inside ``sagemaker_like_aws()``, moto filters as before, then the matches
  are filtered by experiment and one page of ``MaxResults`` (AWS's default 10) is returned with a
  ``NextToken``, each result being the component as DescribeTrialComponent shows it (metric
  summaries included) plus its ``Parents``.
- **Source** of a job's trial component: SageMaker sets it when a processing, training or transform
  job creates its component; no API sets it. ``set_job_source`` records it on moto's component, and
  DescribeTrialComponent and Search then show it.
- **ListPipelineExecutionSteps** is not implemented by moto (and moto's executions run no steps).
  ``record_execution_steps`` stores the steps of an execution as Pipelines would list them; inside
  ``sagemaker_like_aws()`` the call answers from them (newest first by default, paged).
- **An entity moto does not hold**: ``AddTags``, ``ListTags`` and ``DeleteTags`` on its ARN, and
  ``DescribeExperiment`` of its name, crash moto's handler (an HTTP 500 with a server traceback, which
  botocore retries and the handlers take for a transient error). Inside ``missing_entities_not_found()``
  they answer ``ResourceNotFound``, as AWS documents for the Describe* calls, and every not-found
  lookup of an experiment, trial or trial component is recorded in
  ``mlmeta.events.missing_entities.MISSING`` for replay to report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from mlmeta.events.local_aws import LOCAL_ACCOUNT
from mlmeta.events.missing_entities import MISSING

EXPERIMENT_FILTER = "Parents.ExperimentName"
DEFAULT_SEARCH_PAGE = 10  # Search's MaxResults when absent (AWS API reference)
DEFAULT_STEPS_PAGE = 50
# Where the recorded steps live: on moto's backend, so a moto reset forgets them with everything else.
_STEPS_ATTRIBUTE = "_mlmeta_execution_steps"


@contextmanager
def sagemaker_like_aws() -> Iterator[None]:
    """While active, moto answers Search and ListPipelineExecutionSteps as described above."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(SageMakerResponse, "search", _search))
        stack.enter_context(
            mock.patch.object(SageMakerResponse, "list_pipeline_execution_steps", _list_pipeline_execution_steps, create=True)
        )
        yield


@contextmanager
def missing_entities_not_found() -> Iterator[None]:
    """While active, moto answers lookups of entities it does not hold with a not-found, and records them."""
    lookups = {"describe_trial": "trial", "describe_trial_component": "trial component"}
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(SageMakerModelBackend, "_get_resource_from_arn", _resource_from_arn))
        stack.enter_context(mock.patch.object(SageMakerModelBackend, "describe_experiment", _describe_experiment))
        for method, kind in lookups.items():
            original = getattr(SageMakerModelBackend, method)
            stack.enter_context(mock.patch.object(SageMakerModelBackend, method, _recording_not_found(original, kind)))
        yield


_ORIGINAL_RESOURCE_FROM_ARN = SageMakerModelBackend._get_resource_from_arn
_ORIGINAL_DESCRIBE_EXPERIMENT = SageMakerModelBackend.describe_experiment


def _resource_from_arn(backend: Any, arn: str) -> Any:
    try:
        resource = _ORIGINAL_RESOURCE_FROM_ARN(backend, arn)
    except (AttributeError, ValueError, ValidationError):  # an unknown type, or not an ARN of a resource
        resource = None
    if resource is None:
        MISSING.record_arn(arn)
        raise ResourceNotFound(f"Resource {arn} does not exist")
    return resource


def _describe_experiment(backend: Any, experiment_name: str) -> dict[str, Any]:
    if experiment_name not in backend.experiments:
        MISSING.record("experiment", experiment_name)
        raise ResourceNotFound(f"Experiment {experiment_name} does not exist")
    return _ORIGINAL_DESCRIBE_EXPERIMENT(backend, experiment_name)


def _recording_not_found(describe: Any, kind: str) -> Any:
    """``describe`` (moto's, which raises "Could not find ..." for a name it lacks), recording the miss."""

    def recorded(backend: Any, name: str) -> dict[str, Any]:
        try:
            return describe(backend, name)
        except (ValidationError, ResourceNotFound):
            MISSING.record(kind, name)
            raise

    return recorded


def set_job_source(component_name: str, source_arn: str, source_type: str, *, region: str, account: str = LOCAL_ACCOUNT) -> None:
    """Give an existing trial component the ``Source`` SageMaker gives a job's own component."""
    component = _backend(account, region).trial_components[component_name]
    # moto shows every attribute of its component in DescribeTrialComponent: ``source`` as ``Source``.
    component.source = {"SourceArn": source_arn, "SourceType": source_type}


def record_execution_steps(
    execution_arn: str, steps: Sequence[Mapping[str, Any]], *, region: str, account: str = LOCAL_ACCOUNT
) -> None:
    """Store an execution's steps, oldest first, each a ``PipelineExecutionStep`` of AWS's API
    (``StepName``, ``StepStatus``, ``StartTime``, ``Metadata``, ...)."""
    backend = _backend(account, region)
    if not hasattr(backend, _STEPS_ATTRIBUTE):
        setattr(backend, _STEPS_ATTRIBUTE, {})
    getattr(backend, _STEPS_ATTRIBUTE)[execution_arn] = [dict(step) for step in steps]


def _backend(account: str, region: str) -> Any:
    return sagemaker_backends[account][region]


def _search(response: SageMakerResponse) -> ActionResult:
    backend = response.sagemaker_backend
    resource = response._get_param("Resource")
    expression = dict(response._get_param("SearchExpression") or {})
    filters = list(expression.get("Filters") or [])
    experiments = {f["Value"] for f in filters if f["Name"] == EXPERIMENT_FILTER}
    if any(f.get("Operator", "Equals") != "Equals" for f in filters if f["Name"] == EXPERIMENT_FILTER):
        raise NotImplementedError(f"mlmeta.events.moto_gaps answers {EXPERIMENT_FILTER} with the Equals operator only")
    expression["Filters"] = [f for f in filters if f["Name"] != EXPERIMENT_FILTER]
    results = backend.search(resource=resource, search_expression=expression)["Results"]
    start, size = _page(response, DEFAULT_SEARCH_PAGE)
    if resource == "ExperimentTrialComponent":
        names = [result["TrialComponent"]["TrialComponentName"] for result in results]
        if experiments:
            names = [name for name in names if _experiment_of(backend, name) in experiments]
        page = [{"TrialComponent": _trial_component(backend, name)} for name in names[start : start + size]]
        total = len(names)
    elif experiments:
        raise NotImplementedError(f"mlmeta.events.moto_gaps answers {EXPERIMENT_FILTER} for ExperimentTrialComponent only")
    else:
        page, total = results[start : start + size], len(results)
    answer: dict[str, Any] = {"Results": page}
    if start + size < total:
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def _list_pipeline_execution_steps(response: SageMakerResponse) -> ActionResult:
    execution_arn = response._get_param("PipelineExecutionArn")
    recorded = getattr(response.sagemaker_backend, _STEPS_ATTRIBUTE, {})
    if execution_arn not in recorded:
        raise ResourceNotFound(f"Pipeline execution {execution_arn} does not exist")
    steps = recorded[execution_arn]
    if response._get_param("SortOrder", "Descending") == "Descending":
        steps = list(reversed(steps))
    start, size = _page(response, DEFAULT_STEPS_PAGE)
    answer: dict[str, Any] = {"PipelineExecutionSteps": steps[start : start + size]}
    if start + size < len(steps):
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def _page(response: SageMakerResponse, default_size: int) -> tuple[int, int]:
    return int(response._get_param("NextToken") or 0), int(response._get_param("MaxResults") or default_size)


def _experiment_of(backend: Any, component_name: str) -> str | None:
    trial = backend.trial_components[component_name].trial_name
    return backend.trials[trial].experiment_name if trial in backend.trials else None


def _trial_component(backend: Any, name: str) -> dict[str, Any]:
    component = backend.describe_trial_component(name)  # moto's DescribeTrialComponent: with metric summaries
    trial = backend.trial_components[name].trial_name
    if trial:
        component["Parents"] = [{"TrialName": trial, "ExperimentName": _experiment_of(backend, name)}]
    return component
