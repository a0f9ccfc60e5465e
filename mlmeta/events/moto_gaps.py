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
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound
from moto.sagemaker.models import sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from mlmeta.events.local_aws import LOCAL_ACCOUNT

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
