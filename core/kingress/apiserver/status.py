"""``Status`` objects: how the Kubernetes API reports errors and bare successes."""

from __future__ import annotations

from typing import Any

from kingress.cluster.errors import ApiError


def failure(error: ApiError, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Status body of an error (its code and reason are Kubernetes')."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": error.message,
        "reason": error.reason,
        "code": error.code,
    }
    if details:
        body["details"] = details
    return body


def success(details: dict[str, Any]) -> dict[str, Any]:
    """The Status body of a completed delete."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    }


class MethodNotAllowed(ApiError):
    """The URL exists but not for this verb."""

    code = 405
    reason = "MethodNotAllowed"


class RequestEntityTooLarge(ApiError):
    """The request body exceeds the server's limit."""

    code = 413
    reason = "RequestEntityTooLarge"


class RequestTimeout(ApiError):
    """The request (its body) did not arrive in time."""

    code = 408
    reason = "Timeout"


class LengthRequired(ApiError):
    """A body without a Content-Length (chunked uploads are not accepted)."""

    code = 411
    reason = "LengthRequired"


class TooManyRequests(ApiError):
    """The server is at its limit of connections or watches; retry later."""

    code = 429
    reason = "TooManyRequests"
