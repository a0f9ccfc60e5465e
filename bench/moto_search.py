"""moto 5.2's SageMaker Search, answered the way AWS documents it, for the call-count benchmark.

Three gaps matter when counting calls (docs/handlers.md lists moto's others):

- moto ignores ``MaxResults`` and ``NextToken`` and returns every match in one page, so a paged
  reader would look like one call whatever the size;
- moto rejects the ``Parents.ExperimentName`` filter (the one ExperimentAnalytics uses);
- moto's Search results carry no ``Metrics`` and no ``Parents``, though moto keeps both
  (BatchPutMetrics; the trial's experiment).

The runtime tests fill the metrics in with an after-call hook on fixed fixture values
(tests/runtime/moto_gaps.py), which cannot page: botocore would still fetch and parse every match on
every call. So here moto's own Search response is wrapped: moto filters as before (its linear scan
of the account stays in the wall time, see docs/benchmarks.md), then the matches are filtered by
experiment, and one page of ``MaxResults`` (AWS's default 10 when absent) is returned with a
``NextToken``, each result carrying the trial component as DescribeTrialComponent shows it (metric
summaries included) plus its ``Parents``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.sagemaker.responses import SageMakerResponse

EXPERIMENT_FILTER = "Parents.ExperimentName"
DEFAULT_PAGE_SIZE = 10


@contextmanager
def search_like_aws() -> Iterator[None]:
    with mock.patch.object(SageMakerResponse, "search", _search):
        yield


def _search(response: SageMakerResponse) -> ActionResult:
    backend = response.sagemaker_backend
    resource = response._get_param("Resource")
    expression = dict(response._get_param("SearchExpression") or {})
    filters = list(expression.get("Filters") or [])
    experiments = {f["Value"] for f in filters if f["Name"] == EXPERIMENT_FILTER}
    if any(f.get("Operator", "Equals") != "Equals" for f in filters if f["Name"] == EXPERIMENT_FILTER):
        raise NotImplementedError(f"bench.moto_search answers {EXPERIMENT_FILTER} with the Equals operator only")
    expression["Filters"] = [f for f in filters if f["Name"] != EXPERIMENT_FILTER]
    results = backend.search(resource=resource, search_expression=expression)["Results"]
    if resource == "ExperimentTrialComponent":
        names = [result["TrialComponent"]["TrialComponentName"] for result in results]
        if experiments:
            names = [name for name in names if _experiment_of(backend, name) in experiments]
        start, size = _page(response)
        page = [{"TrialComponent": _trial_component(backend, name)} for name in names[start : start + size]]
        total = len(names)
    elif experiments:
        raise NotImplementedError(f"bench.moto_search answers {EXPERIMENT_FILTER} for ExperimentTrialComponent only")
    else:
        start, size = _page(response)
        page, total = results[start : start + size], len(results)
    answer: dict[str, Any] = {"Results": page}
    if start + size < total:
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def _page(response: SageMakerResponse) -> tuple[int, int]:
    return int(response._get_param("NextToken") or 0), int(response._get_param("MaxResults") or DEFAULT_PAGE_SIZE)


def _experiment_of(backend: Any, component_name: str) -> str | None:
    trial = backend.trial_components[component_name].trial_name
    return backend.trials[trial].experiment_name if trial in backend.trials else None


def _trial_component(backend: Any, name: str) -> dict[str, Any]:
    component = backend.describe_trial_component(name)  # moto's DescribeTrialComponent: with metric summaries
    trial = backend.trial_components[name].trial_name
    if trial:
        component["Parents"] = [{"TrialName": trial, "ExperimentName": _experiment_of(backend, name)}]
    return component
