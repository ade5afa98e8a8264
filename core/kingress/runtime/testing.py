"""Helpers that start the embedded API server and the controller runtime, for tests.

Used by kingress's own tests and reusable by any end-to-end test (a backend's,
the conformance suite's): ``running_apiserver`` serves a fresh store on
127.0.0.1 and writes a kubeconfig for it; ``running_controller`` runs a
``Manager`` against it with fast timings; ``wait_until`` polls a condition with
a bound. Everything stops by itself when the ``with`` block ends.

``CopyToSecret`` is a small real reconciler to drive the runtime with: it
copies each ConfigMap into a Secret it owns and records which controller
wrote it (``WRITER``), so tests can tell the leader's writes from others'.
``before_write`` lets a test act between its read and its write (a 409).
"""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kingress.api.scheme import Scheme
from kingress.apiserver.backend_kinds import install_backend_kinds
from kingress.apiserver.faults import FaultPlan
from kingress.apiserver.kubeconfig import write_kubeconfig
from kingress.apiserver.server import ApiServer
from kingress.backends import BackendRegistry
from kingress.cluster.errors import NotFound
from kingress.cluster.kube import KubeCluster, load_api_client
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef
from kingress.controller.apply import ensure
from kingress.controller.reconciler import Context, Reconciler, Result, Watch, owner_mapper
from kingress.runtime.manager import Manager, ManagerOptions

#: Timings that make leader election and watches turn over in about a second.
FAST = ManagerOptions(
    lease_namespace="default",
    lease_duration=1.0,
    renew_deadline=0.8,
    retry_period=0.1,
    watch_timeout=2.0,
    resync_period=30.0,
    health_host="127.0.0.1",
    health_port=0,
)


@contextmanager
def running_apiserver(
    directory: Path,
    store: MemoryCluster | None = None,
    scheme: Scheme | None = None,
    *,
    backends: BackendRegistry | None = None,
    faults: FaultPlan | None = None,
) -> Iterator[tuple[ApiServer, Path]]:
    """An API server on a free loopback port and the path of a kubeconfig for it.

    With ``backends``, it also serves the kinds those backends emit; ``faults``
    makes it fail requests on purpose (``kingress.apiserver.faults``).
    """
    store = store or MemoryCluster()
    if backends is not None:
        install_backend_kinds(store, backends)
    with ApiServer(store, scheme, faults=faults) as server:
        yield server, write_kubeconfig(directory / "kubeconfig", server.url)


def connect(kubeconfig: Path) -> KubeCluster:
    """A ``KubeCluster`` for a kubeconfig, with short request timeouts."""
    return KubeCluster(load_api_client(str(kubeconfig)), request_timeout=5.0)


@contextmanager
def running_controller(
    kubeconfig: Path, reconcilers: Sequence[Reconciler], identity: str, **options: Any
) -> Iterator[Manager]:
    """A started ``Manager`` (``FAST`` timings, overridable), stopped on exit."""
    settings = dataclasses.replace(FAST, identity=identity, **options)
    with Manager(connect(kubeconfig), reconcilers, settings) as manager:
        yield manager


def wait_until(
    condition: Callable[[], object], *, timeout: float = 20.0, what: str = "the condition"
) -> None:
    """Poll ``condition`` until it is truthy; ``AssertionError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


CONFIG_MAP = Kind("", "ConfigMap")
SECRET = Kind("", "Secret")
WRITER = "test.kingress.dev/writer"


@dataclass
class CopyToSecret:
    """ConfigMap ``x`` → Secret ``x`` with the same data, controlled by the ConfigMap."""

    identity: str
    before_write: Callable[[ObjectRef], None] = lambda ref: None
    name: str = "copy-to-secret"
    kind: Kind = CONFIG_MAP
    reconciled: list[ObjectRef] = field(default_factory=list)

    def watches(self) -> Sequence[Watch]:
        return [Watch(SECRET, owner_mapper(CONFIG_MAP))]

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        self.reconciled.append(ref)
        try:
            source = ctx.cluster.get(CONFIG_MAP, ref.namespace, ref.name)
        except NotFound:
            return Result()
        data = {
            k: base64.b64encode(v.encode()).decode() for k, v in (source.get("data") or {}).items()
        }
        desired: Object = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": ref.name,
                "namespace": ref.namespace,
                "annotations": {WRITER: self.identity},
            },
            "data": data,
        }
        try:
            current = ctx.cluster.get(SECRET, ref.namespace, ref.name)
        except NotFound:
            ensure(ctx.cluster, desired, owner=source)
            return Result()
        if current.get("data") == data:
            return Result()
        self.before_write(ref)
        annotations = {**(current["metadata"].get("annotations") or {}), WRITER: self.identity}
        ctx.cluster.update(
            {
                **current,
                "metadata": {**current["metadata"], "annotations": annotations},
                "data": data,
            }
        )
        return Result()


def decoded(secret: Object) -> dict[str, str]:
    """A Secret's data, decoded."""
    return {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
