"""Custom resources of a rehearsed stack, answered the way CDK's provider framework answers them, with the
provider's handler code run in this process.

moto's CloudFormation creates a ``Custom::`` resource by invoking its ``ServiceToken`` Lambda with the
request (in a thread) and waits, the stack ``CREATE_IN_PROGRESS``, for the response at the request's
``ResponseURL``. moto would run that Lambda in Docker; the rehearsal has none. So, while the stacks
deploy, moto's invocation only queues the request, and the rehearsal answers it as the framework's
``onEvent`` function would (aws-cdk-lib ``custom-resources/lib/provider-framework``):

- the deployed framework function (read back from moto's Lambda) names the user's handler function in
  its ``USER_ON_EVENT_FUNCTION_ARN`` variable; that function's deployed configuration gives the handler
  (``package.module.function``) and its environment;
- the handler is loaded from ``lambdas/`` with that environment, pointed at the embedded AWS, and called
  with the request (its ``ResponseURL`` hidden, as the framework hides it);
- the answer goes to the ``ResponseURL``: ``SUCCESS`` with the handler's ``PhysicalResourceId`` (the
  request id if it gives none) and ``Data``, or ``FAILED`` with the exception's message.

So what is checked is the deployed wiring (service token -> framework -> handler function -> its code and
environment) and the handler's answer to the properties CloudFormation resolved.
"""

from __future__ import annotations

import contextlib
import json
import queue
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO
from unittest import mock
from urllib.parse import urlsplit

from moto import settings as moto_settings
from moto.awslambda.models import LambdaFunction

from mlmeta.local.handler_loader import load_module
from mlmeta.local.emulator import emulator_environment
from mlmeta.local.replay import LambdaContext

USER_ON_EVENT_FUNCTION = "USER_ON_EVENT_FUNCTION_ARN"  # the provider framework's variable
SUCCESS, FAILED = "SUCCESS", "FAILED"
_HIDDEN_URL = "..."  # what the framework shows the user's handler instead of the presigned URL


class CustomResourceError(RuntimeError):
    """A request the rehearsal cannot answer (not a custom-resource request, no provider framework)."""


@dataclass(frozen=True)
class Answer:
    """How one custom resource was answered."""

    stack_id: str
    logical_id: str
    resource_type: str
    status: str  # SUCCESS | FAILED
    handler_function: str
    reason: str = ""
    physical_id: str = ""


class CustomResourceProvider:
    """Queues the requests moto sends while ``intercepting``; ``answer_pending`` answers them."""

    def __init__(self, endpoint: str, region: str, lambda_client: Any, log_stream: TextIO) -> None:
        self.endpoint = endpoint
        self.region = region
        self.lambda_client = lambda_client
        self.log_stream = log_stream
        self._requests: queue.Queue[tuple[str, Any]] = queue.Queue()

    @contextlib.contextmanager
    def intercepting(self) -> Iterator[None]:
        requests = self._requests

        def queue_request(function: LambdaFunction, body: str, _request_headers: Any, _response_headers: Any) -> bytes:
            requests.put((function.function_arn, json.loads(body) if body else None))
            return b""

        # moto builds the response URL from its settings (localhost:5000, or a Docker host it asks Docker
        # for): the embedded server's address instead.
        address = urlsplit(self.endpoint)
        with (
            mock.patch.object(LambdaFunction, "invoke", queue_request),
            mock.patch.object(moto_settings, "moto_server_host", lambda: f"{address.scheme}://{address.hostname}"),
            mock.patch.object(moto_settings, "moto_server_port", lambda: str(address.port)),
        ):
            yield

    def answer_pending(self) -> list[Answer]:
        answers = []
        while True:
            try:
                function_arn, request = self._requests.get_nowait()
            except queue.Empty:
                return answers
            answers.append(self._answer(function_arn, request))

    def _answer(self, function_arn: str, request: Any) -> Answer:
        if not isinstance(request, dict) or "ResponseURL" not in request or "RequestType" not in request:
            raise CustomResourceError(f"moto invoked {function_arn} with something other than a custom-resource request")
        framework = self.lambda_client.get_function_configuration(FunctionName=function_arn)
        handler_arn = framework.get("Environment", {}).get("Variables", {}).get(USER_ON_EVENT_FUNCTION)
        if handler_arn is None:
            raise CustomResourceError(
                f"custom resource {request['LogicalResourceId']}: its service token {function_arn} is not a CDK provider "
                f"framework function (no {USER_ON_EVENT_FUNCTION}); the rehearsal answers only those"
            )
        handler = self.lambda_client.get_function_configuration(FunctionName=handler_arn)
        answer = Answer(request["StackId"], request["LogicalResourceId"], request["ResourceType"], SUCCESS, handler["FunctionName"])
        try:
            result = self._run(handler, {**request, "ResponseURL": _HIDDEN_URL}) or {}
        except Exception as err:  # noqa: BLE001 - the framework turns any exception into a FAILED response
            answer = Answer(answer.stack_id, answer.logical_id, answer.resource_type, FAILED, answer.handler_function,
                            reason=f"{type(err).__name__}: {' '.join(str(err).split())}")
            self._respond(request, FAILED, request["RequestId"], {}, answer.reason)
            return answer
        physical_id = str(result.get("PhysicalResourceId") or request.get("PhysicalResourceId") or request["RequestId"])
        self._respond(request, SUCCESS, physical_id, result.get("Data") or {}, "")
        return Answer(answer.stack_id, answer.logical_id, answer.resource_type, SUCCESS, answer.handler_function, physical_id=physical_id)

    def _run(self, configuration: dict[str, Any], request: dict[str, Any]) -> Any:
        module_name, _, function_name = configuration["Handler"].rpartition(".")
        environment = {
            **configuration.get("Environment", {}).get("Variables", {}),
            **emulator_environment(self.endpoint, self.region),
        }
        context = LambdaContext(configuration["FunctionName"], request["RequestId"], configuration["FunctionArn"],
                                int(configuration.get("MemorySize", 128)))
        # Powertools binds its log handler to sys.stdout at import: keep stdout for the rehearsal's report.
        with contextlib.redirect_stdout(self.log_stream):
            module = load_module(module_name, environment)
            return getattr(module, function_name)(request, context)

    def _respond(self, request: dict[str, Any], status: str, physical_id: str, data: dict[str, Any], reason: str) -> None:
        body = {
            "Status": status,
            "Reason": reason or f"See the handler's log (mlmeta rehearsal, {status})",
            "PhysicalResourceId": physical_id,
            "StackId": request["StackId"],
            "RequestId": request["RequestId"],
            "LogicalResourceId": request["LogicalResourceId"],
            "Data": data,
        }
        url = request["ResponseURL"]
        if not url.startswith(f"{self.endpoint}/"):  # never answer anywhere but the embedded server
            raise CustomResourceError(f"custom resource {request['LogicalResourceId']}: response URL {url} is not the embedded AWS's")
        # moto finds the stack's region in the URL's host or the User-Agent; the URL's host is 127.0.0.1.
        headers = {"Content-Type": "", "User-Agent": f"mlmeta-rehearsal region/{self.region}"}
        put = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT", headers=headers)
        with urllib.request.urlopen(put, timeout=30) as response:  # noqa: S310 - the embedded server's URL
            response.read()
