"""Request ids, body limits, JSON access logs, Prometheus metrics, Swagger UI."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
import uuid
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    request,
    send_from_directory,
)
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from api.context import services
from api.errors import ApiError
from api.feed_metrics import feed_metrics

JSON_LIMIT = 1024 * 1024
RAW_BODY_ENDPOINTS = frozenset({"documents.submit_version"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")

REQUESTS = Counter(
    "pmo_ledger_http_requests_total",
    "HTTP requests answered",
    ["method", "endpoint", "status"],
)
LATENCY = Histogram(
    "pmo_ledger_http_request_seconds", "Time to answer", ["method", "endpoint"]
)
access_log = logging.getLogger("pmo_ledger.access")

blueprint = Blueprint("swagger", __name__)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line."""

    _stamp: tuple[int, str] = (-1, "")

    def formatTime(  # noqa: N802 (logging's name)
        self, record: logging.LogRecord, datefmt: str | None = None
    ) -> str:
        """The default time format, its strftime done once a second."""
        if datefmt is not None or self.default_msec_format is None:
            return super().formatTime(record, datefmt)
        second, stamp = self._stamp
        if second != int(record.created):
            second = int(record.created)
            stamp = time.strftime(self.default_time_format, self.converter(second))
            self._stamp = second, stamp
        return self.default_msec_format % (stamp, record.msecs)

    def format(self, record: logging.LogRecord) -> str:
        """Render the record and its structured extras."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


@blueprint.get("/docs")
def docs() -> Response:
    """Swagger UI, served from the package (works with no internet)."""
    return send_from_directory(STATIC, "swagger-ui/index.html")


@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus text format; aggregates every gunicorn worker in multiprocess mode."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    body = generate_latest(registry) + feed_metrics(services())
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _begin() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def check_body() -> None:
    """JSON bodies only, at most 1 MiB (uploads have their own limit)."""
    if request.endpoint in RAW_BODY_ENDPOINTS:
        return
    request.max_content_length = JSON_LIMIT
    if (
        request.method in ("POST", "PUT", "PATCH")
        and _has_body()
        and not request.is_json
    ):
        raise ApiError(415, "send the body as application/json")


def check_query() -> None:
    """Refuse query parameters an API read does not declare, naming them (400)."""
    if request.method != "GET" or not request.path.startswith("/api/v1/"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    unknown = sorted(set(request.args) - _declared_query(view))
    if unknown:
        raise ApiError(
            400,
            f"unknown query parameter(s): {', '.join(unknown)}",
            errors={name: ["Unknown query parameter."] for name in unknown},
        )


@functools.cache
def _declared_query(view: Any) -> frozenset[str]:
    arguments = getattr(view, "_apidoc", {}).get("arguments", {})
    names: set[str] = set()
    for argument in arguments.get("parameters", []):
        if argument.get("in") != "query":
            continue
        schema = argument["schema"]
        schema = schema() if isinstance(schema, type) else schema
        names.update(f.data_key or name for name, f in schema.fields.items())
    return frozenset(names)


def _has_body() -> bool:
    return (
        bool(request.content_length)
        or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    )


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    endpoint = request.endpoint or "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    count, latency = _metrics(request.method, endpoint, response.status_code)
    count.inc()
    latency.observe(elapsed)
    if not access_log.isEnabledFor(logging.INFO):
        return response
    principal = g.get("principal")
    fields = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,  # never the headers: they carry the token
        "endpoint": endpoint,
        "status": response.status_code,
        "duration_ms": round(elapsed * 1000, 1),
        # Who, as a pseudonym (token:<id> or oidc:<subject>): never a name, so
        # the log holds nothing an account's erasure would have to reach.
        "actor": principal.subject if principal else None,
    }
    if cause := g.get("cause"):
        fields["cause"] = cause
    # As access_log.info would, minus finding the caller's frame (never logged).
    access_log.handle(
        access_log.makeRecord(
            access_log.name,
            logging.INFO,
            __file__,
            0,
            "request",
            (),
            None,
            extra={"fields": fields},
        )
    )
    return response


# Labelled metric children, looked up once per (method, endpoint, status).
_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _metrics(method: str, endpoint: str, status: int) -> tuple[Any, Any]:
    key = (method, endpoint, status)
    children = _CHILDREN.get(key)
    if children is None:
        children = _CHILDREN[key] = (
            REQUESTS.labels(method, endpoint, str(status)),
            LATENCY.labels(method, endpoint),
        )
    return children


def init_app(app: Flask) -> None:
    """Install the hooks (first, so every later hook sees the request id)."""
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_blueprint(blueprint)
