"""The gateway manager: run a real Envoy on loopback and program it with snapshots.

``EnvoyGateway(ports=..., workdir=...)`` starts Envoy (``start()`` or ``with``),
``apply(snapshot)`` programs it and returns an ``ApplyResult`` only once Envoy
has accepted the change (or refused it), ``serves(hash, host)`` sends a
Knative probe through Envoy, and ``stop()`` ends it.

How an update is rolled out without failing a request (file-based xDS, each
step waits until Envoy reports the new ``version_info`` for that
subscription, or a rejection):

1. clusters: the union of the current and the new clusters (new ones first, so
   no route can point at a missing cluster);
2. listeners, if they changed (ports, TLS filter chains);
3. each route configuration that changed (RDS: no listener drain);
4. clusters: the new set (unused clusters removed last).

A step Envoy rejects (``update_rejected`` / ``update_failure`` counters; the
message is taken from Envoy's log) is rolled back with the same ordered steps
towards the last good state, which keeps serving; the result carries the
message. A file that cannot be written (disk full, read-only work directory,
file size limit) is the same: ``WriteFailed`` with the file and the errno,
logged, rolled back as far as the disk allows — a file that failed to be
written is left as it was, so Envoy keeps serving what it had. If Envoy dies
it is restarted from the last good state (a bounded number of times in a
window) and an apply in flight is retried once.
"""

from __future__ import annotations

import http.client
import logging
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
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
    TYPE_LISTENER,
    XdsEncoder,
    XdsLayout,
    XdsWriteError,
    discovery_response,
    encode,
    render_bootstrap,
    render_listeners,
    write_atomic,
)

Object = dict[str, Any]

_REJECTION = re.compile(
    r"(?:update rejected|update failure|rejected)[^:\n]*:\s*(.*?)(?=\n\[\d{4}-\d\d-\d\d |\Z)", re.S
)
PROBE_USER_AGENT = "Knative-Ingress-Probe"
#: How often (seconds) an update being awaited has its rejection counters read even
#: when Envoy's log shows no rejection (e.g. a log level above ``warning``).
_COUNTERS_EVERY = 0.25
#: Reasons an apply may succeed when tried again.
_RETRYABLE = frozenset({"GatewayNotRunning", "Timeout", "EnvoyExited", "WriteFailed"})

log = logging.getLogger("kingress.envoy.gateway")


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
    #: The xDS step that failed (``cds``, ``lds``, ``rds:<listener>``).
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
        """Not accepted for a reason that may pass: Envoy not running, slow, or restarting,
        or its configuration files not writable (a full disk gets room again).

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
class _Resources:
    """The xDS resources of one state of the gateway."""

    clusters: Mapping[str, Object]
    listeners: tuple[Object, ...]
    routes: Mapping[ListenerName, Object]
    listener_names: frozenset[ListenerName]

    def parts(self) -> list[Object]:
        """The clusters and virtual hosts (what ``XdsEncoder`` remembers encoded)."""
        vhosts = [vhost for rc in self.routes.values() for vhost in rc["virtual_hosts"]]
        return [*self.clusters.values(), *vhosts]


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    message: str
    stage: str


@dataclass(frozen=True, slots=True)
class _Stage:
    kind: str
    listener: ListenerName | None = None

    @property
    def label(self) -> str:
        return f"rds:{self.listener.value}" if self.listener else self.kind

    @property
    def stat_prefix(self) -> str:
        if self.kind == "cds":
            return "cluster_manager.cds"
        if self.kind == "lds":
            return "listener_manager.lds"
        assert self.listener is not None
        return f"http.{self.listener.value}.rds.{self.listener.value}"

    @property
    def warming_stat(self) -> str:
        return {
            "cds": "cluster_manager.warming_clusters",
            "lds": "listener_manager.total_listeners_warming",
        }.get(self.kind, "")

    @property
    def version_stat(self) -> str:
        return f"{self.stat_prefix}.version_text"

    def counter_names(self) -> list[str]:
        return [f"{self.stat_prefix}.update_rejected", f"{self.stat_prefix}.update_failure"]


def _pattern(names: Iterable[str]) -> str:
    """A regex matching exactly the statistics ``names``."""
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def _counter_pattern(stages: Iterable[_Stage]) -> str:
    return _pattern(name for stage in stages for name in stage.counter_names())


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class EnvoyGateway:
    """A real Envoy on loopback, programmed through file-based xDS."""

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
        self._good: _Resources | None = None
        self._disk: _Resources | None = None
        self._seq = 0
        self._failure = ""
        self._restart_times: list[float] = []
        self._initial_versions: dict[str, str] = {}
        self._counter_cache: dict[int, dict[str, int]] = {}
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
        """Stop Envoy (SIGTERM, then SIGKILL) and the supervisor; remove a temporary workdir."""
        self._stopping.set()
        process = self._process  # not under the lock: an apply in flight must not delay this
        if process is not None:
            process.stop()
        if self._thread is not None:
            self._thread.join(timeout=self._start_timeout + 10)
            self._thread = None
        if self._process is not None:
            self._process.kill()
        self._ready.clear()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def process(self) -> EnvoyProcess | None:
        """The current Envoy process (tests signal it to simulate a crash)."""
        return self._process

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
                    self._write_all(self._good)
                    process.spawn(timeout=self._start_timeout)
                    self._process = process
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

    # -- rendering and writing ---------------------------------------------

    def _render(self, snapshot: EnvoySnapshot) -> _Resources:
        listeners = tuple(
            render_listeners(snapshot.listeners, self.ports.address, self._bound, self.layout)
        )
        return _Resources(
            clusters={str(c["name"]): c for c in snapshot.clusters},
            listeners=listeners,
            routes={ln: snapshot.route_config(ln) for ln in ListenerName},
            listener_names=frozenset(plan.name for plan in snapshot.listeners),
        )

    def _forget_unused(self) -> None:
        """Let the encoder forget what neither the good state nor the files on disk use."""
        assert self._good is not None and self._disk is not None
        self._encoder.retain([*self._good.parts(), *self._disk.parts()])

    def _version(self, kind: str) -> str:
        self._seq += 1
        return f"{kind}-{self._seq}"

    def _write(self, stage: _Stage, resources: _Resources, version: str) -> None:
        if stage.kind == "cds":
            clusters = [resources.clusters[n] for n in sorted(resources.clusters)]
            write_atomic(self.layout.cds, self._encoder.clusters(version, clusters))
        elif stage.kind == "lds":
            write_atomic(
                self.layout.lds,
                encode(discovery_response(version, TYPE_LISTENER, resources.listeners)),
            )
        else:
            assert stage.listener is not None
            route_file = self._encoder.route(version, resources.routes[stage.listener])
            write_atomic(self.layout.rds(stage.listener), route_file)

    def _write_all(self, resources: _Resources | None) -> dict[str, str]:
        """Write every file (before Envoy starts); the versions written, by stage label."""
        assert resources is not None
        bootstrap = render_bootstrap(
            self.layout,
            node_id=self._node_id,
            admin_address=self.ports.address,
            admin_port=self.ports.admin,
        )
        write_atomic(self.layout.bootstrap, encode(bootstrap))
        versions = {}
        for stage in [*(_Stage("rds", ln) for ln in ListenerName), _Stage("cds"), _Stage("lds")]:
            version = self._version(stage.kind)
            self._write(stage, resources, version)
            versions[stage.label] = version
        self._disk = resources
        self._initial_versions = versions
        return versions

    # -- waiting for Envoy -------------------------------------------------

    def _await_initial(self, process: EnvoyProcess, deadline: float) -> _Failure | None:
        assert self._disk is not None
        stages = [_Stage("cds"), _Stage("lds")]
        stages += [_Stage("rds", ln) for ln in sorted(self._disk.listener_names)]
        versions = {stage.label: self._initial_versions[stage.label] for stage in stages}
        return self._await(process, stages, versions, {}, 0, deadline)

    def _counters(self, process: EnvoyProcess, stages: list[_Stage]) -> dict[str, int]:
        """The rejection counters of ``stages`` now (from the last read when it saw them)."""
        names = [name for stage in stages for name in stage.counter_names()]
        cache = self._counter_cache.get(process.pid or 0, {})
        if all(name in cache for name in names):
            return {name: cache[name] for name in names}
        self._read_counters(process, stages)
        cache = self._counter_cache.get(process.pid or 0, {})
        return {name: cache.get(name, 0) for name in names}

    def _read_counters(self, process: EnvoyProcess, stages: list[_Stage]) -> dict[str, int]:
        """Read (and remember) the rejection counters of ``stages``."""
        assert process.admin is not None
        stats = process.admin.stats(_counter_pattern(stages), kind="Counters")
        counters = {name: value for name, value in stats.items() if isinstance(value, int)}
        pid = process.pid or 0
        if pid not in self._counter_cache:
            self._counter_cache = {pid: {}}
        self._counter_cache[pid].update(counters)
        return counters

    def _warming(self, process: EnvoyProcess, stages: list[_Stage]) -> list[str]:
        """The stages whose clusters or listeners Envoy is still warming."""
        gauges = [stage.warming_stat for stage in stages if stage.warming_stat]
        if not gauges:
            return []
        assert process.admin is not None
        stats = process.admin.stats(_pattern(gauges), kind="Gauges")
        return [
            stage.label for stage in stages if stage.warming_stat and stats.get(stage.warming_stat)
        ]

    def _await(
        self,
        process: EnvoyProcess,
        stages: list[_Stage],
        versions: Mapping[str, str],
        baseline: Mapping[str, int],
        log_offset: int,
        deadline: float,
    ) -> _Failure | None:
        """Poll the admin stats until every stage reports its version, or one is refused.

        Each poll reads the stages' ``version_text`` only, among the text
        readouts (a handful): a filter over every statistic would scan the
        hundred or so of every cluster, on the thread that applies updates.
        The rejection counters are read whenever Envoy's log grew (it logs a
        rejection) and every ``_COUNTERS_EVERY`` seconds; the warming gauges
        once every version is in.
        """
        assert process.admin is not None
        label = ",".join(stage.label for stage in stages)
        pattern = _pattern(stage.version_stat for stage in stages)
        delay = 0.0005
        log_size = log_offset
        next_counters = time.monotonic() + _COUNTERS_EVERY
        while True:
            if not process.alive():
                return _Failure("EnvoyExited", "Envoy exited while applying", label)
            try:
                texts = process.admin.stats(pattern, kind="TextReadouts")
                pending = [
                    stage.label
                    for stage in stages
                    if texts.get(stage.version_stat) != versions[stage.label]
                ]
                if not pending:
                    pending = self._warming(process, stages)
                    if not pending:
                        return None
                size = process.log_size()
                if size != log_size or time.monotonic() >= next_counters:
                    log_size, next_counters = size, time.monotonic() + _COUNTERS_EVERY
                    counters = self._read_counters(process, stages)
                    for stage in stages:
                        for name in stage.counter_names():
                            if counters.get(name, 0) > baseline.get(name, 0):
                                message = self._rejection_message(process, log_offset, stage)
                                return _Failure("EnvoyRejected", message, stage.label)
            except AdminError as error:
                if not process.alive():
                    return _Failure("EnvoyExited", str(error), label)
                pending = [stage.label for stage in stages]
            if time.monotonic() > deadline:
                # A rejection may have come since the counters were last read: read them
                # afresh for the next baseline.
                self._counter_cache = {}
                return _Failure(
                    "Timeout", f"Envoy did not report the new {', '.join(pending)} in time", label
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.005)

    def _rejection_message(self, process: EnvoyProcess, offset: int, stage: _Stage) -> str:
        deadline = time.monotonic() + 0.5
        while True:
            matches = _REJECTION.findall(process.log_since(offset))
            if matches:
                return " ".join(str(matches[-1]).split())
            if time.monotonic() > deadline:
                return f"Envoy rejected the {stage.label} update (see {process.log_path})"
            time.sleep(0.01)

    # -- applying ------------------------------------------------------------

    def _steps(self, target: _Resources) -> list[tuple[list[_Stage], _Resources]]:
        """The ordered steps from what is on disk to ``target`` (unchanged parts skipped).

        Clusters: union first; then listeners; then every changed route
        configuration at once (they are independent); then the final clusters.
        """
        current = self._disk
        assert current is not None
        steps: list[tuple[list[_Stage], _Resources]] = []
        union = {**current.clusters, **target.clusters}
        if union != dict(current.clusters):
            steps.append(([_Stage("cds")], _Resources(union, (), {}, frozenset())))
        if target.listeners != current.listeners:
            steps.append(([_Stage("lds")], target))
        routes = [
            _Stage("rds", ln) for ln in ListenerName if target.routes[ln] != current.routes[ln]
        ]
        if routes:
            steps.append((routes, target))
        if dict(target.clusters) != union:
            steps.append(([_Stage("cds")], target))
        return steps

    def _record(self, stage: _Stage, resources: _Resources) -> None:
        """Remember what is on disk after writing ``stage``."""
        disk = self._disk
        assert disk is not None
        if stage.kind == "cds":
            self._disk = _Resources(
                resources.clusters, disk.listeners, disk.routes, disk.listener_names
            )
        elif stage.kind == "lds":
            self._disk = _Resources(
                disk.clusters, resources.listeners, disk.routes, resources.listener_names
            )
        else:
            assert stage.listener is not None
            routes = {**disk.routes, stage.listener: resources.routes[stage.listener]}
            self._disk = _Resources(disk.clusters, disk.listeners, routes, disk.listener_names)

    def _transition(
        self, process: EnvoyProcess, target: _Resources, deadline: float
    ) -> _Failure | None:
        """Write the steps towards ``target``, each awaited before the next."""
        for stages, resources in self._steps(target):
            try:
                baseline = self._counters(process, stages)
            except AdminError as error:
                return _Failure("EnvoyExited", str(error), stages[0].label)
            offset = process.log_size()
            versions = {}
            for stage in stages:
                versions[stage.label] = self._version(stage.kind)
                try:
                    self._write(stage, resources, versions[stage.label])
                except XdsWriteError as error:
                    log.warning("cannot write Envoy's configuration: %s", error)
                    return _Failure("WriteFailed", str(error), stage.label)
                self._record(stage, resources)
            assert self._disk is not None
            # A route configuration no listener subscribes to is read when one appears.
            awaited = [
                stage
                for stage in stages
                if stage.kind != "rds" or stage.listener in self._disk.listener_names
            ]
            if awaited:
                failure = self._await(process, awaited, versions, baseline, offset, deadline)
                if failure is not None:
                    return failure
        return None

    def apply(self, snapshot: EnvoySnapshot, *, timeout: float | None = None) -> ApplyResult:
        """Program Envoy with ``snapshot``; returns once Envoy serves it or refused it."""
        deadline = time.monotonic() + (timeout or self.apply_timeout)
        last = _Failure("GatewayNotRunning", "Envoy is not running", "")
        if self._thread is None:
            deadline = 0.0  # never started (or stopped): report at once
        attempts = 0
        while attempts < 2 and time.monotonic() < deadline and not self._stopping.is_set():
            if not self._ready.wait(max(0.0, deadline - time.monotonic())):
                last = _Failure("GatewayNotRunning", self._failure or "Envoy is not running", "")
                break
            with self._lock:
                process = self._process
                if process is None or not process.alive():
                    process = None
                else:
                    attempts += 1
                    target = self._render(snapshot)
                    failure = self._transition(process, target, deadline)
                    if failure is None:
                        self._good, self._good_snapshot = target, snapshot
                        self._forget_unused()
                        return ApplyResult.serving(snapshot)
                    last = failure
                    if failure.reason != "EnvoyExited":
                        assert self._good is not None
                        rollback = self._transition(
                            process, self._good, time.monotonic() + self.apply_timeout
                        )
                        self._forget_unused()
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
