"""Bounding what a backend says about an ingress before it is written into its status.

A backend names the reason and message of a failure (``TranslationError``,
``Readiness``); the core writes them into the ClusterIngress's conditions. A
buggy backend can say anything — an empty or multi-line reason, a message of
megabytes, an exception that cannot even be printed — so the core keeps a reason only if it is a
CamelCase word (as Kubernetes condition reasons are) and cuts messages to
``MAX_MESSAGE`` characters: a status can never grow past what the API stores.
"""

from __future__ import annotations

import re

from kingress.ingress.guard import BackendAborted

#: Longest message written into a condition; longer ones are cut, ending in "...".
MAX_MESSAGE = 2048
MAX_REASON = 64

_REASON = re.compile(r"[A-Z][A-Za-z0-9]*")


def condition_reason(reason: object, default: str) -> str:
    """``reason`` if it is a CamelCase word of at most ``MAX_REASON`` letters, else ``default``."""
    if isinstance(reason, str) and len(reason) <= MAX_REASON and _REASON.fullmatch(reason):
        return reason
    return default


def condition_message(message: object) -> str:
    """``message`` as a string of at most ``MAX_MESSAGE`` characters (never raises)."""
    try:
        text = message if isinstance(message, str) else str(message)
    except Exception:  # a plugin's exception whose __str__ itself fails
        text = f"<unprintable {type(message).__name__}>"
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def raised(who: str, error: BaseException) -> str:
    """``<who> raised <Type>: <message>``, bounded; an aborted call names what it raised."""
    original = error.original if isinstance(error, BackendAborted) else error
    detail = condition_message(original)
    return condition_message(f"{who} raised {type(original).__name__}: {detail}")
