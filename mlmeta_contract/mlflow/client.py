"""A small MLflow REST client (stdlib urllib + json) for the Lambdas, the pipeline step and mlmeta.track,
none of which has the mlflow package. It speaks MLflow's REST API 2.0 (``/api/2.0/mlflow/...``) to a
self-hosted server (``http(s)://host:port``) or to SageMaker managed MLflow (an ARN: the request goes to
the ARN's endpoint, SigV4-signed, signing.py).

Errors, one line each, saying what to check:

- ``MlflowUnreachable``: no answer (connection refused, DNS, timeout) or a server-side failure (HTTP 5xx,
  429): transient, worth retrying;
- ``MlflowRejected``: MLflow refused the request (HTTP 4xx), with its ``error_code`` and message (an
  invalid metric key, a missing experiment, a denied permission): retrying the same request cannot help.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from .backend import TRACKING_URI_ENV_VAR  # noqa: F401 (also imported from here)
from .errors import MlflowError, MlflowRejected, MlflowUnreachable  # noqa: F401 (raised here, imported from here too)
from .signing import MlflowArn, SigV4Signer, is_arn
DEFAULT_TIMEOUT_SECONDS = 10.0
API_PREFIX = "/api/2.0/mlflow/"
# The page size of search_runs; the server caps max_results at 50000 (SEARCH_MAX_RESULTS_THRESHOLD).
SEARCH_PAGE_SIZE = 1000
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
# LogBatch's limits (MLflow's REST API docs): more is refused as a whole, so it is refused here first.
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000


class Signer(Protocol):
    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> dict[str, str]: ...


def key_values(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """MLflow's ``[{"key": ..., "value": ...}]`` shape of params and tags (values as text)."""
    return [{"key": key, "value": str(value)} for key, value in values.items()]


class MlflowClient:
    """``tracking_uri`` is the server's base URL; for an ARN use ``from_uri`` (it builds the endpoint and signer)."""

    def __init__(
        self,
        tracking_uri: str,
        *,
        signer: Signer | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        described_as: str | None = None,
    ) -> None:
        if not tracking_uri.startswith(("http://", "https://")):
            raise ValueError(f"MLflow tracking URI {tracking_uri!r} must be http(s)://host:port (or an ARN, via from_uri)")
        self.base_url = tracking_uri.rstrip("/")
        self.signer = signer
        self.timeout = timeout
        # What the messages call the server: the ARN when there is one, else the URL.
        self.described_as = described_as or self.base_url

    @classmethod
    def from_uri(cls, tracking_uri: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, credentials: Any = None) -> MlflowClient:
        """A client for ``http(s)://host:port`` or the ARN of a SageMaker MLflow App / tracking server."""
        tracking_uri = tracking_uri.strip()
        if not is_arn(tracking_uri):
            return cls(tracking_uri, timeout=timeout)
        arn = MlflowArn.parse(tracking_uri)
        return cls(arn.endpoint(), signer=SigV4Signer(arn, credentials=credentials), timeout=timeout, described_as=arn.arn)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **options: Any) -> MlflowClient:
        environ = os.environ if environ is None else environ
        uri = environ.get(TRACKING_URI_ENV_VAR, "").strip()
        if not uri:
            raise ValueError(
                f"{TRACKING_URI_ENV_VAR} is not set: it must hold the MLflow tracking URI (http(s)://host:port or a SageMaker MLflow ARN)"
            )
        return cls.from_uri(uri, **options)

    # --- experiments -------------------------------------------------------------------------------

    def get_experiment_by_name(self, name: str) -> dict[str, Any] | None:
        """The experiment (MLflow's Experiment shape), or None when there is none of that name."""
        try:
            return self._call("GET", "experiments/get-by-name", {"experiment_name": name})["experiment"]
        except MlflowRejected as err:
            if err.error_code == RESOURCE_DOES_NOT_EXIST:
                return None
            raise

    def create_experiment(self, name: str, *, tags: Mapping[str, str] | None = None) -> str:
        """The new experiment's ID; MlflowRejected (RESOURCE_ALREADY_EXISTS) when the name is taken."""
        body: dict[str, Any] = {"name": name, "tags": key_values(tags or {})}
        return str(self._call("POST", "experiments/create", body)["experiment_id"])

    def ensure_experiment(self, name: str, *, tags: Mapping[str, str] | None = None) -> str:
        """The ID of the experiment ``name``, created (with ``tags``) if missing: a replay creates nothing."""
        existing = self.get_experiment_by_name(name)
        if existing is not None:
            return str(existing["experiment_id"])
        try:
            return self.create_experiment(name, tags=tags)
        except MlflowRejected as err:
            # Another writer created it between the two calls.
            if err.error_code != RESOURCE_ALREADY_EXISTS:
                raise
        found = self.get_experiment_by_name(name)
        if found is None:
            raise MlflowError(f"{self.described_as}: experiment {name!r} exists and does not (deleted meanwhile?)")
        return str(found["experiment_id"])

    # --- runs --------------------------------------------------------------------------------------

    def create_run(
        self, experiment_id: str, *, run_name: str, start_time_ms: int, tags: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The new run (MLflow's Run shape: ``info``, ``data``)."""
        body = {"experiment_id": experiment_id, "run_name": run_name, "start_time": start_time_ms, "tags": key_values(tags or {})}
        return self._call("POST", "runs/create", body)["run"]

    def get_run(self, run_id: str) -> dict[str, Any]:
        return self._call("GET", "runs/get", {"run_id": run_id})["run"]

    def log_batch(
        self,
        run_id: str,
        *,
        metrics: Sequence[Mapping[str, Any]] = (),
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """One LogBatch: ``metrics`` in MLflow's shape (key, value, timestamp in ms, step). MLflow applies a
        batch in one transaction, so a refused batch logs nothing."""
        params, tags = params or {}, tags or {}
        sizes = {"metrics": (len(metrics), MAX_METRICS_PER_BATCH), "params": (len(params), MAX_PARAMS_PER_BATCH),
                 "tags": (len(tags), MAX_TAGS_PER_BATCH), "metrics, params and tags": (len(metrics) + len(params) + len(tags), MAX_ENTITIES_PER_BATCH)}
        for what, (size, limit) in sizes.items():
            if size > limit:
                raise ValueError(f"log_batch of run {run_id}: {size} {what}, MLflow's LogBatch takes at most {limit}")
        body = {"run_id": run_id, "metrics": [dict(metric) for metric in metrics], "params": key_values(params), "tags": key_values(tags)}
        self._call("POST", "runs/log-batch", body)

    def update_run(self, run_id: str, *, status: str | None = None, end_time_ms: int | None = None, run_name: str | None = None) -> dict[str, Any]:
        """Status is RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. Returns the run's new RunInfo."""
        body: dict[str, Any] = {"run_id": run_id}
        for key, value in (("status", status), ("end_time", end_time_ms), ("run_name", run_name)):
            if value is not None:
                body[key] = value
        return self._call("POST", "runs/update", body)["run_info"]

    def set_tag(self, run_id: str, key: str, value: str) -> None:
        self._call("POST", "runs/set-tag", {"run_id": run_id, "key": key, "value": value})

    def search_runs(
        self,
        experiment_ids: Iterable[str],
        *,
        filter_string: str = "",
        order_by: Sequence[str] = (),
        page_size: int = SEARCH_PAGE_SIZE,
        view: str = "ACTIVE_ONLY",
    ) -> list[dict[str, Any]]:
        """Every run that matches, all pages read (MLflow's Run shapes)."""
        body: dict[str, Any] = {"experiment_ids": list(experiment_ids), "filter": filter_string, "max_results": page_size,
                                "order_by": list(order_by), "run_view_type": view}
        return self._all_pages("POST", "runs/search", body, "runs")

    def get_metric_history(self, run_id: str, key: str, *, page_size: int = SEARCH_PAGE_SIZE) -> list[dict[str, Any]]:
        """Every value logged for ``key`` in the run (MLflow's Metric shapes), all pages read."""
        query: dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": page_size}
        return self._all_pages("GET", "metrics/get-history", query, "metrics")

    # --- transport ---------------------------------------------------------------------------------

    def _all_pages(self, method: str, endpoint: str, payload: dict[str, Any], items: str) -> list[dict[str, Any]]:
        """The ``items`` of every page: MLflow's paged calls answer a ``next_page_token`` until the last page."""
        found: list[dict[str, Any]] = []
        while True:
            page = self._call(method, endpoint, payload)
            found.extend(page.get(items) or [])
            token = page.get("next_page_token")
            if not token:
                return found
            payload["page_token"] = token

    def _call(self, method: str, endpoint: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        url = self.base_url + API_PREFIX + endpoint
        body: bytes | None = None
        headers = {"Accept": "application/json"}
        if method == "GET":
            url += "?" + urllib.parse.urlencode(payload, quote_via=urllib.parse.quote)
        else:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if self.signer is not None:
            headers = self.signer.sign(method, url, headers, body)
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        where = f"MLflow at {self.described_as} ({method} {API_PREFIX}{endpoint})"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            raise self._http_error(where, err) from None
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, socket.timeout, OSError) as err:
            # Refused, reset, timed out, or a connection dropped mid-answer (http.client's errors).
            reason = getattr(err, "reason", err)
            raise MlflowUnreachable(
                f"{where} is unreachable: {reason}; check that the server runs and that {TRACKING_URI_ENV_VAR} "
                "points to it (host, port, network path; for an ARN the region and the role's access)"
            ) from None
        try:
            answer = json.loads(text) if text else {}
        except json.JSONDecodeError:
            raise MlflowError(f"{where} answered with something other than JSON: {text[:200]!r}; is this an MLflow server?") from None
        if not isinstance(answer, dict):
            raise MlflowError(f"{where} answered {text[:200]!r}, not a JSON object")
        return answer

    def _http_error(self, where: str, err: urllib.error.HTTPError) -> MlflowError:
        text = err.read().decode("utf-8", "replace")
        try:
            answer = json.loads(text)
        except json.JSONDecodeError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        code = str(answer.get("error_code") or f"HTTP_{err.code}")
        detail = str(answer.get("message") or text[:300] or err.reason)
        if err.code >= 500 or err.code == 429:
            return MlflowUnreachable(f"{where} failed with HTTP {err.code} {code}: {detail}; retry later")
        return MlflowRejected(f"{where} rejected the request: {code}: {detail}", error_code=code, status=err.code, detail=detail)
