"""``kingress dev``: a local Knative for kubectl — API server, controllers, revisions, gateway.

On top of a started ``LocalStack``: the embedded Kubernetes API on loopback
(a fresh in-memory store serving the backends' kinds, as ``kingress
apiserver`` does), a kubeconfig for it, ``config-network`` (the stack's class
as the default) written through the API, and the controller manager running
every reconciler of the stack through the real ``kubernetes`` client —
informers, work queue, no leader election (one process). Leaving the block
stops the manager (in-flight reconciles finish), then the API server; the
stack stops its processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kingress.apiserver.backend_kinds import install_backend_kinds
from kingress.apiserver.kubeconfig import write_kubeconfig
from kingress.apiserver.server import ApiServer
from kingress.cluster.kube import KubeCluster
from kingress.cluster.memory import MemoryCluster
from kingress.runtime.manager import Manager, ManagerOptions
from kingress.stack.local import LocalStack


@dataclass(frozen=True, slots=True)
class DevEnvironment:
    """What a running ``kingress dev`` offers."""

    server: ApiServer
    kubeconfig: Path
    manager: Manager


@contextmanager
def dev_environment(
    stack: LocalStack, *, api_port: int = 0, kubeconfig: Path | None = None, workers: int = 4
) -> Iterator[DevEnvironment]:
    """The API server and the controller manager over ``stack``, until the block ends.

    ``workers`` concurrent reconciles: starting a revision process holds one
    for a fraction of a second, so a few keep the rest responsive.
    """
    store = MemoryCluster()
    install_backend_kinds(store, stack.backends)
    with ApiServer(store, port=api_port) as server:
        path = write_kubeconfig(kubeconfig or stack.workdir / "kubeconfig", server.url)
        api = KubeCluster.from_kubeconfig(str(path))
        stack.configure(api)
        options = ManagerOptions(leader_election=False, workers=workers, health_port=None)
        with Manager(api, stack.reconcilers(), options) as manager:
            yield DevEnvironment(server, path, manager)
