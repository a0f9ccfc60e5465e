"""The baseline way to gather one execution's trial components: as SageMaker's
``sagemaker.analytics.ExperimentAnalytics(experiment_name=...)`` does, fetch every trial component of
the experiment with Search (filter ``Parents.ExperimentName``, paged with NextToken), then keep the
execution's own.

ExperimentAnalytics sends no MaxResults (the service's default page is smaller); the baseline asks for
100 a page, the most it can, so it is the baseline at its best. Like ExperimentAnalytics, it fetches
the experiment once and serves both trials from that copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PAGE_SIZE = 100


def experiment_components(sagemaker: Any, experiment_name: str) -> list[Mapping[str, Any]]:
    request: dict[str, Any] = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {"Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": experiment_name}]},
        "MaxResults": PAGE_SIZE,
    }
    components: list[Mapping[str, Any]] = []
    while True:
        page = sagemaker.search(**request)
        components += [result["TrialComponent"] for result in page["Results"]]
        if not page.get("NextToken"):
            return components
        request["NextToken"] = page["NextToken"]


class ExperimentWideSearch:
    """A SageMaker client whose per-trial Search (``Parents.TrialName`` Equals) is answered from one
    experiment-wide fetch, as ExperimentAnalytics gathers; every other call goes to ``client``.

    Handing it to the snapshotter's ``snapshot_execution`` gives the same snapshot with only the
    gathering changed, so the two differ in nothing else."""

    def __init__(self, client: Any, experiment_name: str) -> None:
        self._client = client
        self._experiment_name = experiment_name
        self._components: list[Mapping[str, Any]] | None = None

    def search(self, **request: Any) -> dict[str, Any]:
        [trial] = [f["Value"] for f in request["SearchExpression"]["Filters"] if f["Name"] == "Parents.TrialName"]
        if self._components is None:
            self._components = experiment_components(self._client, self._experiment_name)
        mine = [c for c in self._components if any(p.get("TrialName") == trial for p in c.get("Parents") or [])]
        return {"Results": [{"TrialComponent": component} for component in mine]}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
