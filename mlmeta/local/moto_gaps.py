"""What moto 5.2's SageMaker cannot say about a pipeline execution, answered the way AWS documents it.

Used wherever the real handler code runs against moto: ``mlmeta demo`` (its embedded server), the
handler and replay tests, and the benchmarks. The answers are patched into moto's SageMaker *server
side* (its response class), so every client sees them, whether moto runs in-process (``mock_aws``) or
as the embedded ``moto server`` thread of this process (``mlmeta.local.emulator.embedded_moto``).

The gaps (docs/handlers.md lists moto's others):

- **Search** of trial components: moto ignores ``MaxResults`` and ``NextToken`` (one page, whatever
  the size), rejects the ``Parents.ExperimentName`` filter, and its results carry no ``Metrics``,
  ``Parents`` or ``Source``, though it stores metrics (SageMaker Metrics' ``BatchPutMetrics``) and
  each component's trial. Inside ``sagemaker_like_aws()``, moto filters as before, then the matches
  are filtered by experiment and one page of ``MaxResults`` (AWS's default 10) is returned with a
  ``NextToken``, each result being the component as DescribeTrialComponent shows it (metric
  summaries included) plus its ``Parents``.
- **Search by creation time** (the reconciler's naming sweep): moto compares every filter for
  equality, so ``CreationTime`` with ``GreaterThan(OrEqualTo)`` / ``LessThan(OrEqualTo)`` matches
  nothing, and it ignores ``SortBy``. Inside ``sagemaker_like_aws()``, those filters (Value
  ``YYYY-mm-dd'T'HH:MM:SS``, UTC, as AWS documents) are applied to each result's ``CreationTime`` and
  ``SortBy=CreationTime`` orders the results, for every resource.
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
  ``mlmeta.local.missing_entities.MISSING`` for replay to report.
- **Creating an experiment entity** (what ``mlmeta.track`` and the SDK's ``Run`` do): moto's
  CreateExperiment, CreateTrial and CreateTrialComponent drop the ``Tags`` and silently replace an
  entity of the same name, where AWS refuses with a ValidationException "... already exists", which the
  SDK's Run and ``mlmeta.track`` rely on to reuse it. Inside ``creates_like_aws()`` they refuse an
  existing name and keep the tags.
- **BatchPutMetrics** without a ``Step``: moto fails on it, though AWS documents ``Step`` as optional.
  Inside ``steps_optional()`` such a value is stored after the metric's others, so values accumulate and
  the last one logged is ``Last``, as on AWS.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakermetrics.models import SageMakerMetricsBackend

from mlmeta.local.emulator import LOCAL_ACCOUNT
from mlmeta.local.missing_entities import MISSING

EXPERIMENT_FILTER = "Parents.ExperimentName"
CREATION_TIME = "CreationTime"
_TIME_OPERATORS: Mapping[str, Callable[[datetime, datetime], bool]] = {
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
}
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
        raise NotImplementedError(f"mlmeta.local.moto_gaps answers {EXPERIMENT_FILTER} with the Equals operator only")
    created = [f for f in filters if f["Name"] == CREATION_TIME]
    expression["Filters"] = [f for f in filters if f["Name"] not in (EXPERIMENT_FILTER, CREATION_TIME)]
    results = backend.search(resource=resource, search_expression=expression)["Results"]
    start, size = _page(response, DEFAULT_SEARCH_PAGE)
    if experiments and resource != "ExperimentTrialComponent":
        raise NotImplementedError(f"mlmeta.local.moto_gaps answers {EXPERIMENT_FILTER} for ExperimentTrialComponent only")
    if experiments:
        results = [r for r in results if _experiment_of(backend, r["TrialComponent"]["TrialComponentName"]) in experiments]
    results = _sorted(_created_within(results, created), response._get_param("SortBy"), response._get_param("SortOrder"))
    page = results[start : start + size]
    if resource == "ExperimentTrialComponent":
        # Built for the page only: the full component (metric summaries, Source, Parents) costs a lookup each.
        page = [{"TrialComponent": _trial_component(backend, r["TrialComponent"]["TrialComponentName"])} for r in page]
    answer: dict[str, Any] = {"Results": page}
    if start + size < len(results):
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def _created_within(results: list[dict[str, Any]], filters: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The results whose entity's CreationTime passes every ``CreationTime`` filter."""
    if not filters:
        return results
    for f in filters:
        if f.get("Operator") not in _TIME_OPERATORS:
            raise NotImplementedError(f"mlmeta.local.moto_gaps answers {CREATION_TIME} with {', '.join(_TIME_OPERATORS)} only")
    return [r for r in results if all(_TIME_OPERATORS[f["Operator"]](_created(r), _search_time(f["Value"])) for f in filters)]


def _sorted(results: list[dict[str, Any]], sort_by: str | None, sort_order: str | None) -> list[dict[str, Any]]:
    if sort_by is None:
        return results
    if sort_by != CREATION_TIME:
        raise NotImplementedError(f"mlmeta.local.moto_gaps sorts Search results by {CREATION_TIME} only")
    return sorted(results, key=_created, reverse=sort_order == "Descending")


def _created(result: Mapping[str, Any]) -> datetime:
    (entity,) = result.values()
    moment = entity[CREATION_TIME]
    # moto keeps naive UTC times; AWS compares in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _search_time(value: str) -> datetime:
    """Search's documented time format, ``YYYY-mm-dd'T'HH:MM:SS`` (UTC)."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


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


# Create call -> (its name parameter, moto's store of the entities, the answer's ARN key, the entity in words)
_CREATE_CALLS = {
    "create_experiment": ("ExperimentName", "experiments", "ExperimentArn", "Experiment"),
    "create_trial": ("TrialName", "trials", "TrialArn", "Trial"),
    "create_trial_component": ("TrialComponentName", "trial_components", "TrialComponentArn", "Trial component"),
}


@contextmanager
def creates_like_aws() -> Iterator[None]:
    """While active, moto's Create* of an experiment entity refuse an existing name and keep the Tags."""

    def like_aws(create: Any, name_key: str, store: str, arn_key: str, entity: str) -> Any:
        def created(response: SageMakerResponse) -> Any:
            name = response._get_param(name_key)
            if name in getattr(response.sagemaker_backend, store):
                raise ValidationError(f"{entity} '{name}' already exists.")
            result = create(response)
            tags = response._get_param("Tags")
            if tags:
                response.sagemaker_backend.add_tags(result.result[arn_key], tags)
            return result

        return created

    with ExitStack() as stack:
        for method, keys in _CREATE_CALLS.items():
            original = getattr(SageMakerResponse, method)
            stack.enter_context(mock.patch.object(SageMakerResponse, method, like_aws(original, *keys)))
        yield


_ORIGINAL_BATCH_PUT_METRICS = SageMakerMetricsBackend.batch_put_metrics


def _batch_put_metrics(backend: SageMakerMetricsBackend, trial_component_name: str, metric_data: list[dict[str, Any]]) -> Any:
    component = backend.sagemaker_backend.trial_components.get(trial_component_name)
    data = []
    for datum in metric_data:
        if "Step" not in datum and component is not None:
            known = component.metrics.get(datum["MetricName"], {}).get("Values", {})
            taken = [*known, *(d["Step"] for d in data if d["MetricName"] == datum["MetricName"])]
            datum = {**datum, "Step": max(taken, default=-1) + 1}
        data.append(datum)
    return _ORIGINAL_BATCH_PUT_METRICS(backend, trial_component_name, data)


@contextmanager
def steps_optional() -> Iterator[None]:
    with mock.patch.object(SageMakerMetricsBackend, "batch_put_metrics", _batch_put_metrics):
        yield
