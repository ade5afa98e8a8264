"""The local runtime: a one-machine kubelet, as a reconciler over Deployments.

Offline there is no node to run a Deployment's pods. This reconciler runs,
for every Deployment (whoever made it: a Revision's, or one written by hand),
one local process serving the built-in ``helloworld`` sample — container
images cannot run here; the image is recorded, not pulled — with the serving
container's environment and a free loopback port as ``PORT``. Then it does
what Kubernetes' endpoints and Deployment controllers would: it writes the
``Endpoints`` of every Service selecting the Deployment's pods (address
127.0.0.1, the process's port) and reports the Deployment available.

One reconcile, in order:

1. read the Deployment; gone or being deleted → stop its process, delete the
   Endpoints written for it, done;
2. decide from the running process and the wanted one (``resources.decide``);
   a process that died is first reported: the Deployment unavailable and its
   Endpoints emptied, so nothing routes to it meanwhile;
3. start (or restart, on any pod template change) the process and wait,
   bounded, until it answers the network probe; a process that does not is
   stopped and tried again at the next look;
4. write the Endpoints (owned by the Deployment, labelled ``RUNTIME_LABEL``)
   and delete the ones no Service wants any more;
5. write the Deployment's status, only if it changed;
6. ask to be looked at again after ``check_every`` seconds while a process is
   wanted: that is how a process that dies gets noticed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Object, ObjectRef
from kingress.controller.apply import NotOwned, delete_stale, ensure
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch
from kingress.localrt.index import DeploymentIndex
from kingress.localrt.processes import ProcessInfo, ProcessTable
from kingress.localrt.resources import (
    DEPLOYMENT,
    ENDPOINTS,
    RUNTIME_LABEL,
    SERVICE,
    ProcessAction,
    ProcessSpec,
    decide,
    is_runtime_endpoints_of,
    make_endpoints,
    make_process_spec,
    selects,
    template_labels,
    wanted_replicas,
)
from kingress.localrt.status import make_deployment_status

log = logging.getLogger(__name__)


class LocalRuntime:
    """Runs every Deployment as one local sample-server process; ``close()`` stops them all.

    ``workdir`` holds the processes' log files; a started process has
    ``ready_timeout`` seconds to answer; Deployments with a process are looked
    at again every ``check_every`` seconds.
    """

    name = "local-runtime"
    kind = DEPLOYMENT

    def __init__(self, workdir: Path, *, ready_timeout: float = 20.0, check_every: float = 2.0):
        self.workdir = workdir
        self.ready_timeout = ready_timeout
        self.check_every = check_every
        self._processes = ProcessTable(workdir)
        self._index = DeploymentIndex()

    def watches(self) -> Sequence[Watch]:
        """Services selecting a Deployment's pods, and the Endpoints written for them."""
        return (
            Watch(SERVICE, self._index.service_mapper()),
            Watch(ENDPOINTS, self._index.endpoints_mapper()),
        )

    def process(self, ref: ObjectRef) -> ProcessInfo | None:
        """The Deployment's process while it runs."""
        current = self._processes.get(ref)
        return current.info if current is not None and current.alive() else None

    def close(self) -> None:
        """Stop every process; a reconcile that would start one afterwards fails."""
        self._processes.close()

    def __enter__(self) -> LocalRuntime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Make the Deployment ``ref``'s process, Endpoints and status match it."""
        try:
            deployment = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            deployment = None
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            self._release(ctx.cluster, ref)
            return Result()
        pod_labels = template_labels(deployment)
        services = [s for s in ctx.cluster.list(SERVICE, ref.namespace) if selects(s, pod_labels)]
        self._index.record(ref, pod_labels, (s["metadata"]["name"] for s in services))
        wanted = make_process_spec(deployment)
        current = self._processes.get(ref)
        action = decide(
            current.spec if current else None, current is not None and current.alive(), wanted
        )
        now = stamp(ctx.clock)
        if action is ProcessAction.RECOVER:
            deployment = self._publish(ctx.cluster, deployment, services, None, now)
        port = self._converge(ref, action, wanted)
        self._publish(ctx.cluster, deployment, services, port, now)
        return Result(requeue_after=self.check_every if wanted is not None else None)

    def _converge(
        self, ref: ObjectRef, action: ProcessAction, wanted: ProcessSpec | None
    ) -> int | None:
        """Carry out ``action``; the port of the process now answering, if one is."""
        current = self._processes.get(ref)
        if action is ProcessAction.KEEP and current is not None:
            return current.port
        if wanted is None:
            self._processes.stop(ref)
            return None
        process = self._processes.start(ref, wanted)
        if process.wait_ready(self.ready_timeout):
            return process.port
        log.warning(
            "%s: the process serving image %r did not answer within %ss; log %s ends:\n%s",
            ref,
            wanted.image,
            self.ready_timeout,
            process.log,
            process.log_tail(),
        )
        self._processes.stop(ref)
        return None

    def _publish(
        self,
        cluster: Cluster,
        deployment: Object,
        services: Sequence[Object],
        port: int | None,
        now: str,
    ) -> Object:
        """Write the Services' Endpoints and the Deployment's status; the Deployment as stored."""
        meta = deployment["metadata"]
        for service in services:
            try:
                ensure(cluster, make_endpoints(service, deployment, port), deployment)
            except NotOwned as error:
                log.warning("%s %s: %s", DEPLOYMENT, meta["name"], error)
        delete_stale(
            cluster,
            ENDPOINTS,
            meta["namespace"],
            {RUNTIME_LABEL: "true"},
            (s["metadata"]["name"] for s in services),
            meta["uid"],
        )
        replicas = wanted_replicas(deployment)
        ready = 0 if port is None else 1
        status = make_deployment_status(deployment, replicas=replicas, ready=ready, now=now)
        if status == (deployment.get("status") or {}):
            return deployment
        return cluster.update_status({**deployment, "status": status})

    def _release(self, cluster: Cluster, ref: ObjectRef) -> None:
        """Stop the process of a Deployment that is going, and delete its Endpoints."""
        self._processes.stop(ref)
        self._index.forget(ref)
        for endpoints in cluster.list(ENDPOINTS, ref.namespace, {RUNTIME_LABEL: "true"}):
            if is_runtime_endpoints_of(endpoints, ref.name):
                with contextlib.suppress(NotFound):
                    cluster.delete(ENDPOINTS, ref.namespace, endpoints["metadata"]["name"])
