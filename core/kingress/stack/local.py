"""``LocalStack``: the controllers, the local revision runtime and a local data plane, together.

Start it (``with LocalStack(settings) as stack``), run ``stack.reconcilers()``
over a store (``settle``) or an API (the controller manager), send requests to
``stack.public``. Leaving the block stops the revision processes, then the
gateway, then removes a temporary work directory — also when starting fails
half-way, or on Ctrl-C.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kingress.api.annotations import normalize_ingress_class
from kingress.backends import BackendRegistry
from kingress.cluster.port import Cluster
from kingress.config.edit import update_config_map
from kingress.config.network import CONFIG_NETWORK
from kingress.controller.reconciler import Reconciler
from kingress.controller.registry import Options, all_reconcilers
from kingress.dataplane import DataPlaneSettings, GatewayListener, LocalDataPlane, local_data_plane
from kingress.localrt import LocalRuntime
from kingress.plugin.manager import build_registry

#: The class whose backend runs a local gateway out of the box.
DEFAULT_CLASS = "envoy"


class StackError(RuntimeError):
    """The stack could not start; the message says which part and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StackSettings:
    """What to run: the ingress class (an alias is fine), ports (0: free ones), files."""

    ingress_class: str = DEFAULT_CLASS
    public_http_port: int = 0
    private_http_port: int = 0
    #: Where logs and gateway files go; ``None``: a temporary directory, removed at the end.
    workdir: Path | None = None
    #: How long a revision process has to answer its first probe.
    ready_timeout: float = 20.0


class LocalStack:
    """Every controller plus the processes that make a cluster's data plane, on loopback."""

    def __init__(self, settings: StackSettings, backends: BackendRegistry | None = None) -> None:
        self.settings = settings
        self.backends = backends if backends is not None else build_registry()
        self.ingress_class = normalize_ingress_class(settings.ingress_class)
        self._exit = ExitStack()
        self._workdir: Path | None = None
        self._data_plane: LocalDataPlane | None = None
        self._runtime: LocalRuntime | None = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> LocalStack:
        """Start the gateway (empty) and the runtime; on any failure stop what started."""
        if self._workdir is not None:
            raise RuntimeError("the stack is already started")
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        workdir = self.settings.workdir
        if workdir is None:
            workdir = Path(tempfile.mkdtemp(prefix="kingress-"))
            self._exit.callback(shutil.rmtree, workdir, ignore_errors=True)
        self._workdir = workdir
        data_plane = local_data_plane(
            self.backends,
            self.ingress_class,
            DataPlaneSettings(
                workdir=workdir,
                public_http_port=self.settings.public_http_port,
                private_http_port=self.settings.private_http_port,
            ),
        )
        self._exit.callback(data_plane.close)
        try:
            data_plane.start()
        except Exception as error:
            raise StackError(
                f"the gateway of class {self.ingress_class} did not start: {error}"
            ) from error
        self._data_plane = data_plane
        runtime = LocalRuntime(workdir / "revisions", ready_timeout=self.settings.ready_timeout)
        self._exit.callback(runtime.close)
        self._runtime = runtime

    def close(self) -> None:
        """Stop the revision processes, then the gateway; remove a temporary workdir."""
        self._exit.close()

    @property
    def workdir(self) -> Path:
        """Where logs and gateway files are."""
        assert self._workdir is not None, "the stack is not started"
        return self._workdir

    @property
    def data_plane(self) -> LocalDataPlane:
        """The backend's local gateway."""
        assert self._data_plane is not None, "the stack is not started"
        return self._data_plane

    @property
    def runtime(self) -> LocalRuntime:
        """The local revision runtime."""
        assert self._runtime is not None, "the stack is not started"
        return self._runtime

    @property
    def public(self) -> GatewayListener:
        """The gateway's public HTTP listener: where a Route's URL is served."""
        return self.data_plane.listeners()[0]

    def reconcilers(self) -> list[Reconciler]:
        """Every controller, the runtime in place of a kubelet, and the data plane's runner."""
        return [
            *all_reconcilers(Options(backends=self.backends)),
            self.runtime,
            self.data_plane.reconciler,
        ]

    def configure(self, cluster: Cluster) -> None:
        """Make the stack's class the default: ``config-network``'s ``ingress-class``."""
        update_config_map(
            cluster, CONFIG_NETWORK, lambda data: {**data, "ingress-class": self.ingress_class}
        )
