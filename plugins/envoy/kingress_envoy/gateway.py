"""The gateway manager: run a real Envoy on loopback and program it with snapshots.

``EnvoyGateway(ports=..., workdir=...)`` starts Envoy (``start()`` or ``with``),
``apply(snapshot)`` programs it and returns an ``ApplyResult`` only once Envoy
has accepted the change (or refused it), ``serves(hash, host)`` sends a
Knative probe through Envoy, and ``stop()`` ends it.

Envoy is programmed over delta ADS (``kingress_envoy.xds_server``): the
gateway runs the server, Envoy's bootstrap points at it, and a snapshot is
turned into resources (``XdsEncoder``: clusters, listeners, a routing scope
and a route configuration per listener and host). An update sends only the
resources that changed, in an order that never fails a request, each step
awaited until Envoy acknowledges it (ACK) or refuses it (NACK):

1. new and changed clusters (so no route points at a missing cluster);
2. new and changed route configurations, scopes and listeners;
3. listeners and scopes no longer used are removed, then their route configurations;
4. clusters no longer used are removed.

Steps with nothing to send are skipped. A refusal is rolled back with the
same ordered steps towards the last good state, which keeps serving; the
result carries Envoy's message. If Envoy dies it is restarted from the last
good state (its new stream gets all of it; a bounded number of restarts in a
window) and an apply in flight is retried once.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from kingress import HASH_HEADER, HASH_OVERRIDE, PROBE_HEADER, PROBE_PATH, PROBE_VALUE
from kingress_envoy.admin import AdminError
from kingress_envoy.binary import find_envoy
from kingress_envoy.names import ListenerName
from kingress_envoy.process import EnvoyProcess, EnvoyStartError, unique_base_id
from kingress_envoy.readiness import rejected_status, served_status
from kingress_envoy.snapshot import EnvoySnapshot, Problem, empty_snapshot
from kingress_envoy.xds_files import (
    Delta,
    XdsEncoder,
    XdsLayout,
    XdsState,
    empty_state,
    encode_json,
    render_bootstrap,
    write_atomic,
)
from kingress_envoy.xds_server import (
    LABELS,
    TYPE_CLUSTER,
    TYPE_LISTENER,
    TYPE_ROUTE,
    TYPE_SCOPED_ROUTE,
    Nack,
    XdsResource,
    XdsServer,
)

PROBE_USER_AGENT = "Knative-Ingress-Probe"
#: Reasons an apply may succeed when tried again.
_RETRYABLE = frozenset({"GatewayNotRunning", "Timeout", "EnvoyExited"})
#: Time (seconds) an apply's deadline grows by per resource sent or removed.
_PER_RESOURCE = 0.002
#: The admin gauges that say Envoy is still warming clusters or listeners.
_WARMING = {
    TYPE_CLUSTER: "cluster_manager.warming_clusters",
    TYPE_LISTENER: "listener_manager.total_listeners_warming",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayPorts:
    """Where the gateway listens. Port 0 means "pick a free one at start" (tests)."""

    address: str = "127.0.0.1"
    public_http: int = 8080
    private_http: int = 8081
    public_https: int = 8443
    private_https: int = 8444
    #: The admin endpoint (always on ``address``); 0 lets Envoy pick.
    admin: int = 0

    @classmethod
    def ephemeral(cls, address: str = "127.0.0.1") -> GatewayPorts:
        """Every port picked at start: for tests and parallel gateways."""
        return cls(address=address, public_http=0, private_http=0, public_https=0, private_https=0)

    def of(self, listener: ListenerName) -> int:
        """The configured port of a listener."""
        return {
            ListenerName.PUBLIC_HTTP: self.public_http,
            ListenerName.PRIVATE_HTTP: self.private_http,
            ListenerName.PUBLIC_HTTPS: self.public_https,
            ListenerName.PRIVATE_HTTPS: self.private_https,
        }[listener]


class GatewayError(RuntimeError):
    """The gateway cannot run (Envoy missing, does not start, keeps dying)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyResult:
    """What became of a snapshot: accepted (served now) or not, and why."""

    accepted: bool
    #: The version of the snapshot applied (or attempted).
    version: str
    #: ingress key → probe hash Envoy serves now (the last good snapshot's when not accepted).
    served: Mapping[str, str] = field(default_factory=dict)
    #: Ingresses the assembly left out (conflicts, missing Secrets).
    problems: tuple[Problem, ...] = ()
    reason: str = ""
    message: str = ""
    #: The xDS step that failed (``cds``, ``lds``, ``srds``, ``rds``, ``warming``).
    stage: str = ""

    @classmethod
    def serving(cls, snapshot: EnvoySnapshot) -> ApplyResult:
        """The result of a snapshot Envoy accepted and serves."""
        return cls(
            accepted=True,
            version=snapshot.version,
            served=snapshot.served,
            problems=snapshot.problems,
        )

    @property
    def retryable(self) -> bool:
        """Not accepted for a reason that may pass: Envoy not running, slow, or restarting.

        ``EnvoyRejected`` is not: Envoy would refuse the same snapshot again.
        """
        return not self.accepted and self.reason in _RETRYABLE

    def status_for(self, key: str, hash_: str) -> dict[str, Any]:
        """The status to write into the EnvoyIngressConfig of ingress ``key`` at ``hash_``."""
        served = self.served.get(key, "")
        if served == hash_:
            return served_status(hash_, self.version if self.accepted else "")
        problem = next((p for p in self.problems if p.ingress == key), None)
        if problem is not None:
            return rejected_status(hash_, problem.reason, problem.message, served_hash=served)
        if not self.accepted:
            return rejected_status(hash_, self.reason, self.message, served_hash=served)
        return {}


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    message: str
    stage: str


def _changed(
    current: Mapping[str, XdsResource], target: Mapping[str, XdsResource]
) -> list[XdsResource]:
    """The resources of ``target`` that ``current`` does not hold (as objects: one encoded
    again at the same version counts, and the server sends it only to whom lacks it)."""
    get = current.get
    return [resource for name, resource in target.items() if get(name) is not resource]


def _gone(current: Mapping[str, XdsResource], target: Mapping[str, XdsResource]) -> list[str]:
    """The names ``current`` holds and ``target`` does not."""
    return list(current.keys() - target.keys())


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class EnvoyGateway:
    """A real Envoy on loopback, programmed through kingress's delta ADS server."""

    def __init__(
        self,
        *,
        ports: GatewayPorts | None = None,
        workdir: Path | str | None = None,
        binary: Path | None = None,
        concurrency: int | None = None,
        log_level: str = "warning",
        apply_timeout: float = 10.0,
        start_timeout: float = 20.0,
        max_restarts: int = 5,
        restart_window: float = 60.0,
        node_id: str = "",
    ) -> None:
        self.ports = ports or GatewayPorts()
        self._own_workdir = workdir is None
        self.workdir = (
            Path(workdir)
            if workdir is not None
            else Path(tempfile.mkdtemp(prefix="kingress-envoy-"))
        )
        self.layout = XdsLayout(self.workdir)
        self._binary = binary
        self._concurrency = concurrency
        self._log_level = log_level
        self.apply_timeout = apply_timeout
        self._start_timeout = start_timeout
        self._max_restarts = max_restarts
        self._restart_window = restart_window
        self._node_id = node_id or f"kingress-{unique_base_id()}"
        self._lock = threading.RLock()
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: EnvoyProcess | None = None
        self._bound: dict[ListenerName, int] = {}
        self._good_snapshot: EnvoySnapshot = empty_snapshot()
        self._good: XdsState = empty_state()
        self._server: XdsServer | None = None
        #: The state the server holds exactly (``None``: unknown, e.g. after a failed step).
        self._held: XdsState | None = None
        #: Streams opened before the current Envoy started (its stream comes after).
        self._floor = 0
        self._failure = ""
        self._restart_times: list[float] = []
        self._encoder = XdsEncoder()
        self.restarts = 0

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> EnvoyGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> EnvoyGateway:
        """Start Envoy serving the last good snapshot (empty at first); wait until it does."""
        if self._thread is not None:
            return self
        binary = self._binary or find_envoy()
        self._binary = binary
        self.layout.prepare()
        self._bound = {
            ln: self.ports.of(ln) or _free_port(self.ports.address) for ln in ListenerName
        }
        self._server = XdsServer(self.ports.address)
        self._server.start()
        self._good = self._render(self._good_snapshot)
        self._stopping.clear()
        self._failure = ""
        self._restart_times = []
        self._thread = threading.Thread(target=self._supervise, name="kingress-envoy", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self._ready.wait(0.05):
            if self._failure or time.monotonic() > deadline or not self._thread.is_alive():
                message = self._failure or f"Envoy did not become ready in {self._start_timeout}s"
                self.stop()
                raise GatewayError(message)
        return self

    def stop(self) -> None:
        """Stop Envoy (SIGTERM, then SIGKILL), the supervisor and the xDS server; remove a
        temporary workdir."""
        self._stopping.set()
        process = self._process  # not under the lock: an apply in flight must not delay this
        if process is not None:
            process.stop()
        if self._thread is not None:
            self._thread.join(timeout=self._start_timeout + 10)
            self._thread = None
        if self._process is not None:
            self._process.kill()
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._ready.clear()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def process(self) -> EnvoyProcess | None:
        """The current Envoy process (tests signal it to simulate a crash)."""
        return self._process

    @property
    def xds(self) -> XdsServer | None:
        """The xDS server while the gateway runs (tests read what it sent)."""
        return self._server

    @property
    def stream_floor(self) -> int:
        """Streams opened before the current Envoy started (``XdsServer.sent`` takes it)."""
        return self._floor

    @property
    def running(self) -> bool:
        """Whether Envoy is up with its configuration loaded."""
        return self._ready.is_set()

    def wait_running(self, timeout: float) -> bool:
        """Wait (bounded) until Envoy is up, e.g. after a restart."""
        return self._ready.wait(timeout)

    def port(self, listener: ListenerName) -> int:
        """The port a listener is (or will be) bound to."""
        return self._bound.get(listener) or self.ports.of(listener)

    @property
    def snapshot(self) -> EnvoySnapshot:
        """The last snapshot Envoy accepted."""
        return self._good_snapshot

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            process = EnvoyProcess(
                self._binary or find_envoy(),
                self.layout.bootstrap,
                self.workdir / "run",
                concurrency=self._concurrency,
                log_level=self._log_level,
            )
            try:
                with self._lock:
                    server = self._server
                    assert server is not None
                    self._move(server, self._good)
                    self._write_bootstrap(server)
                    floor = server.opened
                    process.spawn(timeout=self._start_timeout)
                    self._process, self._floor = process, floor
                    failure = self._await_initial(process, time.monotonic() + self._start_timeout)
                if failure is not None:
                    raise EnvoyStartError(f"{failure.reason}: {failure.message}")
                self._ready.set()
                if self._stopping.is_set():
                    process.stop()
                process.wait()
            except (EnvoyStartError, AdminError, OSError) as error:
                process.kill()
                if self._stopping.is_set():
                    break
                if not self._note_restart():
                    self._failure = f"Envoy does not start: {error}"
                    break
                continue
            finally:
                self._ready.clear()
            if self._stopping.is_set():
                break
            if not self._note_restart():
                self._failure = (
                    f"Envoy died {self._max_restarts} times in {self._restart_window}s; "
                    f"giving up. Last log: {process.log_tail(500)}"
                )
                break
        with self._lock:
            if self._process is not None:
                self._process.kill()

    def _note_restart(self) -> bool:
        """Count a restart; False when there were too many in the window. Backs off a little."""
        now = time.monotonic()
        self._restart_times = [t for t in self._restart_times if now - t < self._restart_window]
        self._restart_times.append(now)
        self.restarts += 1
        if len(self._restart_times) > self._max_restarts:
            return False
        # 0 s for the first restart (a crash is served again at once), then 0.1 s, 0.2 s, ...
        self._stopping.wait(min(2.0, 0.05 * (2 ** len(self._restart_times) - 2)))
        return True

    # -- rendering -----------------------------------------------------------

    def _render(self, snapshot: EnvoySnapshot) -> XdsState:
        return self._encoder.state(snapshot, self.ports.address, self._bound)

    def _write_bootstrap(self, server: XdsServer) -> None:
        bootstrap = render_bootstrap(
            node_id=self._node_id,
            admin_address=self.ports.address,
            admin_port=self.ports.admin,
            xds_address=server.address,
            xds_port=server.port,
        )
        write_atomic(self.layout.bootstrap, encode_json(bootstrap))

    def _move(self, server: XdsServer, target: XdsState) -> None:
        """Make the server hold ``target`` at once (no Envoy to order the steps for)."""
        for type_url in LABELS:
            current, wanted = server.resources(type_url), target.of(type_url)
            server.update(type_url, _changed(current, wanted), _gone(current, wanted))
        self._held = target

    # -- waiting for Envoy -------------------------------------------------

    def _await_initial(self, process: EnvoyProcess, deadline: float) -> _Failure | None:
        """Wait until the new Envoy's stream holds every resource and nothing is warming."""
        assert self._server is not None
        names = {TYPE_ROUTE: list(self._good.routes)} if self._good.routes else {}
        types = [TYPE_CLUSTER, TYPE_LISTENER, TYPE_SCOPED_ROUTE]
        warming = [TYPE_CLUSTER, TYPE_LISTENER]
        return self._await(process, [*types, *names], warming, deadline, types=types, names=names)

    def _await(
        self,
        process: EnvoyProcess,
        step: list[str],
        warming: list[str],
        deadline: float,
        *,
        types: list[str] | None = None,
        names: Mapping[str, list[str]] | None = None,
    ) -> _Failure | None:
        """Wait for Envoy's ACK of everything sent (or its NACK), then for ``warming`` types
        to be warm (admin gauges: a cluster or listener is used once warm).

        ``step`` (types) names the step in a failure; ``types`` and ``names``
        are passed on to ``XdsServer.wait_synced``.
        """
        assert self._server is not None
        label = ",".join(LABELS[t] for t in step)
        outcome = self._server.wait_synced(
            self._floor, deadline, types=types or (), names=names or {}
        )
        if isinstance(outcome, Nack):
            return _Failure("EnvoyRejected", " ".join(outcome.message.split()), outcome.label)
        if outcome == "closed":
            # The stream ends as Envoy exits: wait for the exit to be seen (a stream that
            # ends while Envoy lives is retried on its next stream all the same).
            process.exited(1.0)
            return _Failure("EnvoyExited", "Envoy exited while applying", label)
        if outcome == "timeout":
            message = f"Envoy did not acknowledge the {label} update in time"
            return _Failure("Timeout", message, label)
        return self._await_warm(process, warming, deadline)

    def _await_warm(
        self, process: EnvoyProcess, types: list[str], deadline: float
    ) -> _Failure | None:
        gauges = [_WARMING[t] for t in types]
        if not gauges:
            return None
        assert process.admin is not None
        pattern = "^(" + "|".join(g.replace(".", r"\.") for g in gauges) + ")$"
        delay = 0.0005
        while True:
            if not process.alive():
                return _Failure("EnvoyExited", "Envoy exited while applying", "warming")
            try:
                stats = process.admin.stats(pattern, kind="Gauges")
            except AdminError as error:
                if not process.alive():
                    return _Failure("EnvoyExited", str(error), "warming")
                stats = {gauge: 1 for gauge in gauges}
            warm = [LABELS[t] for t in types if stats.get(_WARMING[t])]
            if not warm:
                return None
            if time.monotonic() > deadline:
                return _Failure("Timeout", f"Envoy is still warming {', '.join(warm)}", "warming")
            time.sleep(delay)
            delay = min(delay * 2, 0.005)

    # -- applying ------------------------------------------------------------

    def _delta(self, target: XdsState) -> Delta:
        """What to send to make the server hold ``target``: the render's own delta when the
        server holds exactly the state it was rendered from, else a comparison."""
        if target.base is not None and target.base is self._held:
            return target.delta
        server = self._server
        assert server is not None
        return {
            type_url: (
                _changed(server.resources(type_url), target.of(type_url)),
                _gone(server.resources(type_url), target.of(type_url)),
            )
            for type_url in LABELS
        }

    def _transition(
        self, process: EnvoyProcess, target: XdsState, deadline: float
    ) -> _Failure | None:
        """Send the steps towards ``target``, each acknowledged before the next."""
        server = self._server
        assert server is not None
        delta = self._delta(target)
        self._held = None  # until every step is through
        # Envoy builds what it is sent: a first programming of thousands of Services
        # takes seconds more than a split change.
        deadline += _PER_RESOURCE * sum(len(u) + len(r) for u, r in delta.values())
        clusters = delta[TYPE_CLUSTER][0]
        if clusters:
            server.update(TYPE_CLUSTER, clusters)
            failure = self._await(process, [TYPE_CLUSTER], [TYPE_CLUSTER], deadline)
            if failure is not None:
                return failure
        routes = delta[TYPE_ROUTE][0]
        scopes = delta[TYPE_SCOPED_ROUTE][0]
        listeners = delta[TYPE_LISTENER][0]
        if routes or scopes or listeners:
            server.update(TYPE_ROUTE, routes)
            server.update(TYPE_SCOPED_ROUTE, scopes)
            server.update(TYPE_LISTENER, listeners)
            # A new route configuration is sent once Envoy subscribes to it (its scope
            # arrived): wait until it holds every one of them.
            names = {TYPE_ROUTE: [r.name for r in routes]} if routes else {}
            step = [TYPE_ROUTE, TYPE_SCOPED_ROUTE, TYPE_LISTENER]
            warming = [TYPE_LISTENER] if listeners else []
            failure = self._await(process, step, warming, deadline, names=names)
            if failure is not None:
                return failure
        for kinds in ((TYPE_LISTENER, TYPE_SCOPED_ROUTE), (TYPE_ROUTE,), (TYPE_CLUSTER,)):
            step = []
            for type_url in kinds:
                gone = delta[type_url][1]
                if gone:
                    server.update(type_url, (), gone)
                    step.append(type_url)
            if step:
                failure = self._await(process, step, [], deadline)
                if failure is not None:
                    return failure
        self._held = target
        return None

    def apply(self, snapshot: EnvoySnapshot, *, timeout: float | None = None) -> ApplyResult:
        """Program Envoy with ``snapshot``; returns once Envoy serves it or refused it.

        The timeout counts from when its resources are encoded (a first
        snapshot of thousands of Services takes a while), and grows by 2 ms per
        resource sent (Envoy builds each).
        """
        target = None
        if self._thread is not None:  # else never started (or stopped): report at once
            with self._lock:
                target = self._render(snapshot)
        deadline = time.monotonic() + (timeout or self.apply_timeout) if target else 0.0
        last = _Failure("GatewayNotRunning", "Envoy is not running", "")
        attempts = 0
        while attempts < 2 and time.monotonic() < deadline and not self._stopping.is_set():
            if not self._ready.wait(max(0.0, deadline - time.monotonic())):
                last = _Failure("GatewayNotRunning", self._failure or "Envoy is not running", "")
                break
            with self._lock:
                process = self._process
                if process is None or not process.alive() or not self._ready.is_set():
                    process = None
                else:
                    assert target is not None
                    attempts += 1
                    failure = self._transition(process, target, deadline)
                    if failure is None:
                        self._good, self._good_snapshot = target, snapshot
                        return ApplyResult.serving(snapshot)
                    last = failure
                    if failure.reason == "EnvoyExited" and not process.alive():
                        # Not running until the supervisor has restarted it (it cannot
                        # start another while this holds the lock).
                        self._ready.clear()
                    elif failure.reason != "EnvoyExited":
                        rollback = self._transition(
                            process, self._good, time.monotonic() + self.apply_timeout
                        )
                        if rollback is not None:
                            last = _Failure(
                                failure.reason,
                                f"{failure.message} (and rolling back failed: {rollback.message})",
                                failure.stage,
                            )
                        break
            # Envoy died: the supervisor restarts it from the last good state; retry.
            time.sleep(0.01)
        return ApplyResult(
            accepted=False,
            version=snapshot.version,
            served=self._good_snapshot.served,
            problems=snapshot.problems,
            reason=last.reason,
            message=last.message,
            stage=last.stage,
        )

    # -- probing ---------------------------------------------------------------

    def probe(
        self,
        host: str,
        path: str = PROBE_PATH,
        *,
        listener: ListenerName = ListenerName.PUBLIC_HTTP,
        headers: Mapping[str, str] | None = None,
        timeout: float = 2.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request through Envoy to ``host`` (status, lower-cased headers, body)."""
        port = self.port(listener)
        if listener.is_tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn: http.client.HTTPConnection = _SNIConnection(
                self.ports.address, port, sni=host, context=context, timeout=timeout
            )
        else:
            conn = http.client.HTTPConnection(self.ports.address, port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": host, **(headers or {})})
            response = conn.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def serves(
        self,
        hash_: str,
        host: str,
        path: str = PROBE_PATH,
        *,
        listener: ListenerName = ListenerName.PUBLIC_HTTP,
        timeout: float = 2.0,
    ) -> bool:
        """Whether a Knative probe through Envoy to ``host`` comes back with ``hash_``."""
        try:
            status, headers, _ = self.probe(
                host,
                path,
                listener=listener,
                headers={
                    PROBE_HEADER: PROBE_VALUE,
                    HASH_HEADER: HASH_OVERRIDE,
                    "User-Agent": PROBE_USER_AGENT,
                },
                timeout=timeout,
            )
        except OSError:
            return False
        return status == 200 and headers.get(HASH_HEADER.lower()) == hash_

    def wait_serving(
        self,
        hash_: str,
        host: str,
        path: str = PROBE_PATH,
        *,
        listener: ListenerName = ListenerName.PUBLIC_HTTP,
        timeout: float = 10.0,
    ) -> bool:
        """Probe (bounded polling) until ``host`` serves ``hash_``."""
        deadline = time.monotonic() + timeout
        while True:
            if self.serves(hash_, host, path, listener=listener):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


class _SNIConnection(http.client.HTTPSConnection):
    """HTTPS to an address, with SNI set to the virtual host's name."""

    def __init__(
        self, host: str, port: int, *, sni: str, context: ssl.SSLContext, timeout: float
    ) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self._sni = sni
        self._ssl_context = context

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._ssl_context.wrap_socket(sock, server_hostname=self._sni)
