"""The demo's calls to its embedded AWS, answered in this process instead of over HTTP.

The demo and the handlers it replays to make about 5,800 AWS calls (180 executions). Through the
embedded moto server each call crossed a socket to a server thread that started a thread per request
and parsed HTTP on both sides: about 4.4 ms of CPU and 10 ms of wall time per call on the 2-core
machine, most of the demo (docs/benchmarks.md, "The demo"). Here botocore hands every request for the
embedded endpoint straight to moto's own server application (the same WSGI app, the same backends, the
same ``moto_gaps`` patches), so nothing about the answers changes: 2.4 ms of CPU per call.

Only requests to ``endpoint`` are taken, only while the block runs; everything else (and any client
outside this process) still goes through the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import EnvironBuilder, run_wsgi_app

_EVENT = "before-send"


@contextmanager
def in_process_calls(endpoint: str) -> Iterator[None]:
    """While the block runs, botocore clients created in it answer requests to ``endpoint`` in process."""
    # moto's backends are module state: this app serves the same accounts as the server's own app.
    app = DomainDispatcherApplication(create_backend_app)
    prefix = endpoint.rstrip("/") + "/"

    def send(request: Any, **_kwargs: Any) -> AWSResponse | None:
        if not (request.url + "/").startswith(prefix):
            return None  # not ours: botocore sends it as usual
        return _answer(app, endpoint, request)

    # botocore copies BUILTIN_HANDLERS into each new session (as moto's own mock does): the handlers'
    # module-level clients are created inside the block, so they get it too.
    botocore.handlers.BUILTIN_HANDLERS.append((_EVENT, send))
    try:
        yield
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove((_EVENT, send))


def _answer(app: DomainDispatcherApplication, endpoint: str, request: Any) -> AWSResponse:
    parts = urlsplit(request.url)
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {name: value.decode("utf-8") if isinstance(value, bytes) else value for name, value in request.headers.items()}
    environ = EnvironBuilder(
        method=request.method, base_url=endpoint, path=parts.path, query_string=parts.query, headers=headers, data=body or b""
    ).get_environ()
    chunks, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    data = b"".join(chunks)
    return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(response_headers), MockRawResponse(data))
