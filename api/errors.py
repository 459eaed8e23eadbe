"""Every error as RFC 9457 application/problem+json, mapped from one table."""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.exc import InterfaceError as SqlInterfaceError
from sqlalchemy.exc import OperationalError as SqlOperationalError
from werkzeug.exceptions import HTTPException

from service.blobs import (
    BlobTooLargeError,
    DigestMismatchError,
    InvalidDigestError,
    RangeNotSatisfiableError,
)
from service.domain.base import InvalidValueError, RoleRequiredError, TransitionError
from service.errors import (
    AuthenticationError,
    ConcurrentWriteError,
    DuplicateError,
    NotFoundError,
    StoreUnavailableError,
    VersionConflictError,
)
from usecases.errors import (
    EvidenceError,
    NotAvailableError,
    ProofRefusedError,
    ReadModelsBehindError,
    SigningUnavailableError,
    VerificationError,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("pmo_ledger.api")

STATUS_BY_ERROR: Mapping[type[Exception], int] = {
    AuthenticationError: 401,
    RoleRequiredError: 403,
    NotFoundError: 404,
    NotAvailableError: 404,
    ConcurrentWriteError: 409,
    DuplicateError: 409,
    TransitionError: 409,
    VersionConflictError: 412,
    BlobTooLargeError: 413,
    RangeNotSatisfiableError: 416,
    InvalidValueError: 422,
    DigestMismatchError: 422,
    InvalidDigestError: 422,
    ProofRefusedError: 422,
    EvidenceError: 500,
    VerificationError: 500,
    ReadModelsBehindError: 503,
    SigningUnavailableError: 503,
    StoreUnavailableError: 503,
    # The read-model database (views, idempotency keys) gone, locked or full.
    SqlOperationalError: 503,
    SqlInterfaceError: 503,
}
"""Domain and application errors to HTTP status: the only such mapping."""

TITLES: Mapping[int, str] = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Invalid values",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    507: "Insufficient storage",
}


class ApiError(Exception):
    """An error the HTTP layer raises itself (bad header, missing read model...)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra


def problem(
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response."""
    title = TITLES.get(status, "Error")
    body = {
        "type": f"urn:pmo-ledger:problem:{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def status_for(error: Exception) -> int | None:
    """The status the table gives an exception (nearest class wins), if any."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return None


def _known_error(error: Exception) -> Response:
    status = status_for(error)
    if status is None:
        return _unexpected(error)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, InvalidValueError):
        extra["errors"] = {error.field: [error.message]}
    elif isinstance(error, TransitionError):
        extra["state"] = error.state
    elif isinstance(error, RoleRequiredError):
        extra["roles"] = list(error.roles)
    elif isinstance(error, VersionConflictError) and error.actual is not None:
        extra["current_version"] = error.actual
        headers["ETag"] = f'"{error.actual}"'
    elif isinstance(error, DigestMismatchError):
        extra["errors"] = {"Content-Digest": [str(error)]}
    elif isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="pmo-ledger"'
    elif isinstance(error, ReadModelsBehindError):
        headers["Retry-After"] = "1"
    elif isinstance(error, SigningUnavailableError):
        headers["Retry-After"] = "10"
    elif status == 503:
        what = "store" if isinstance(error, StoreUnavailableError) else "read models"
        # The access log has the status only: say here why this request got 503.
        g.cause = f"{what} unavailable: {error}"
        log.warning("%s %s: 503, %s", request.method, request.path, g.cause)
        headers["Retry-After"] = "1"
        return problem(503, "the store is unavailable; retry", headers=headers)
    elif isinstance(error, RangeNotSatisfiableError):
        headers["Content-Range"] = f"bytes */{error.size}"
    return problem(status, str(error), headers=headers, **extra)


def _api_error(error: ApiError) -> Response:
    return problem(error.status, error.detail, headers=error.headers, **error.extra)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return _unexpected(error)
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    if messages is not None:
        errors = _flatten(messages)
        if status == 400:
            return problem(400, "the request body is not valid JSON", errors=errors)
        return problem(
            status, "some values are invalid", errors=errors, headers=headers
        )
    detail = error.description or TITLES.get(status, "error")
    return problem(status, detail, headers=headers)


def _flatten(messages: Mapping[str, Any]) -> dict[str, Any]:
    # webargs nests messages under the location (json, query...); clients want fields.
    flat: dict[str, Any] = {}
    for location, value in messages.items():
        if isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[location] = value
    return flat


def _unexpected(error: BaseException) -> Response:
    # Flask wraps an error raised outside the view (after_request...) in a 500.
    cause = getattr(error, "original_exception", None) or error
    log.error("unexpected error", exc_info=cause)
    return problem(500, "an unexpected error occurred; it has been logged")


def _os_error(error: OSError) -> Response:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        log.error("storage full: %r", error)
        return problem(507, "the server's storage is full; nothing was stored")
    if error.errno in (errno.EROFS, errno.EACCES):
        g.cause = f"storage not writable: {error}"
        log.warning("%s %s: 503, %s", request.method, request.path, g.cause)
        return problem(
            503, "the store is unavailable; retry", headers={"Retry-After": "10"}
        )
    return _unexpected(error)


def init_app(app: Flask) -> None:
    """Register the handlers (after flask-smorest, so ours win)."""
    for cls in STATUS_BY_ERROR:
        app.register_error_handler(cls, _known_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OSError, _os_error)
    app.register_error_handler(Exception, _unexpected)
