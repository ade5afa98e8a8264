"""Errors of the cluster port, one per Kubernetes API status the reconcilers handle.

The codes and reasons are Kubernetes' own, so the embedded API can return them
unchanged and code written against the ``kubernetes`` client sees the same.
"""

from __future__ import annotations


class ApiError(Exception):
    """A Kubernetes API failure: an HTTP code, a machine reason and a message."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApiError):
    """The object does not exist."""

    code = 404
    reason = "NotFound"


class AlreadyExists(ApiError):
    """Create of an object whose name is taken."""

    code = 409
    reason = "AlreadyExists"


class Conflict(ApiError):
    """Optimistic concurrency: the object changed since it was read."""

    code = 409
    reason = "Conflict"


class Gone(ApiError):
    """A watch asked for a resourceVersion older than the retained history."""

    code = 410
    reason = "Expired"


class Invalid(ApiError):
    """The object is not acceptable (bad name, missing fields, schema errors)."""

    code = 422
    reason = "Invalid"


class BadRequest(ApiError):
    """The request itself is malformed."""

    code = 400
    reason = "BadRequest"


class Unavailable(ApiError):
    """The API server could not be reached or did not answer in time."""

    code = 503
    reason = "ServiceUnavailable"


def is_transient(error: ApiError) -> bool:
    """Whether the same request may succeed if simply retried.

    A conflict (someone wrote first), a timeout, throttling (429) or a server
    error (5xx, an unreachable API) says nothing about the request itself: a
    controller retries it instead of reporting a failure on its object. A
    refusal of the request (400, 403, 404, 422, ``AlreadyExists``) does not pass.
    """
    return error.reason == Conflict.reason or error.code in (408, 429) or error.code >= 500


#: The subclass for each (code, reason) a Kubernetes API returns; code alone as fallback.
_BY_REASON: dict[tuple[int, str], type[ApiError]] = {
    (409, "AlreadyExists"): AlreadyExists,
    (409, "Conflict"): Conflict,
}
_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: Invalid,
    503: Unavailable,
}


def error_for(code: int, reason: str, message: str) -> ApiError:
    """The error for a Kubernetes ``Status``: the matching subclass, else a generic one."""
    cls = _BY_REASON.get((code, reason)) or _BY_CODE.get(code)
    if cls is not None:
        return cls(message)
    error = ApiError(message)
    error.code, error.reason = code, reason or "Unknown"
    return error
