"""Watch streams: the events of one kind after a resourceVersion, as Kubernetes sends them.

- ``resourceVersion`` empty or ``"0"``: the current objects first, as ``ADDED``
  events, then every later change;
- ``resourceVersion=N``: changes after N; if the store's history no longer
  reaches N, one ``ERROR`` event carrying a 410 ``Expired`` Status, then the end
  (clients relist, as with Kubernetes);
- ``timeoutSeconds``: the stream ends after that long (otherwise it runs until
  the client goes away or the server stops).

Between events, a ``None`` heartbeat is yielded every ``POLL_SECONDS`` so the
server can notice a client that went away without waiting for the next event.

Events are filtered (namespace, selectors) on the object after the change and
rendered at the version the client asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from kingress.apiserver.status import failure
from kingress.cluster.errors import Gone
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object

#: How often a watch wakes up to check its deadline and the server's shutdown.
POLL_SECONDS = 0.5


def events(
    store: MemoryCluster,
    kind: Kind,
    resource_version: str,
    *,
    selected: Callable[[Object], bool],
    render: Callable[[Object], Object],
    timeout: float | None,
    stopping: threading.Event,
) -> Iterator[dict[str, Any] | None]:
    """The watch events, one JSON-ready dict each, and ``None`` heartbeats when idle."""
    deadline = None if timeout is None else time.monotonic() + timeout
    if resource_version in ("", "0"):
        since = store.resource_version
        for obj in store.list(kind):
            if selected(obj):
                yield {"type": "ADDED", "object": render(obj)}
    else:
        try:
            since = int(resource_version)
        except ValueError:
            since = -1
        if since < 0:
            yield _expired(f"invalid resource version: {resource_version!r}")
            return
    while not stopping.is_set() and (deadline is None or time.monotonic() < deadline):
        poll_until = time.monotonic() + POLL_SECONDS
        if deadline is not None:
            poll_until = min(poll_until, deadline)
        try:
            for event in store.watch(since, frozenset({kind}), deadline=poll_until):
                since = event.resource_version
                if selected(event.object):
                    yield {"type": event.type.value, "object": render(event.object)}
        except Gone as error:
            yield _expired(error.message)
            return
        yield None


def _expired(message: str) -> dict[str, Any]:
    return {"type": "ERROR", "object": failure(Gone(message))}
