"""The local depth: real test servers, the backend's own local gateway, real HTTP on loopback.

A backend takes part when it ``ProvidesLocalGateway`` (see ``local_gateway``);
otherwise every case is skipped with that reason. Per case: start the case's
test servers on 127.0.0.1, generate its certificates, prepare and translate
its ingresses exactly as offline (deterministic or failed), ``apply`` them to
the gateway, wait (bounded) until every host of every ingress answers a probe
with that ingress's hash, then evaluate each check with real requests
(``depths.live``). The private gateway listens on an ephemeral port, not on 80:
an ExternalName Service to it (``host-rewrite``) has that port as its Service
port, and the case's splits to it are moved from port 80 to that port. The
gateway is started once per backend and emptied after each case.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from kingress import (
    HASH_HEADER,
    HASH_OVERRIDE,
    PROBE_HEADER,
    PROBE_PATH,
    PROBE_VALUE,
    Backend,
    ClusterIngress,
    HTTPIngressPath,
    HTTPOption,
    IngressBackendSplit,
    IngressRule,
    Translation,
    Visibility,
    expanded_hosts,
)
from kingress_conformance.case import (
    CLUSTER_DOMAIN,
    NAMESPACE,
    SERVICE_PORT,
    Case,
    ExternalTarget,
)
from kingress_conformance.checks import Check, Unchanged, describe
from kingress_conformance.depths.live import LiveChecks
from kingress_conformance.depths.offline import (
    OfflineFailure,
    backend_class,
    claim_problem,
    translate_checked,
)
from kingress_conformance.local_gateway import LocalGateway, ProvidesLocalGateway
from kingress_conformance.outcome import CaseResult, CheckResult, Outcome, failed, passed
from kingress_conformance.pipeline import Prepared, services_context, with_class
from kingress_conformance.requests import Gateway, Request
from kingress_conformance.servers import ServerConfig, TestServer
from kingress_conformance.servers.certs import tls_secret
from kingress_conformance.suite import Options
from kingress_conformance.traffic import Endpoint, send


class Unavailable:
    """A backend without a local gateway: every case is skipped, saying so."""

    def __init__(self, backend: Backend, reason: str) -> None:
        self.backend = backend
        self.reason = reason

    def run(self, case: Case) -> CaseResult:
        """Skipped."""
        return CaseResult(
            key=case.key, backend=self.backend.name, outcome=Outcome.SKIPPED, reason=self.reason
        )

    def close(self) -> None:
        """Nothing started."""


class LocalSession:
    """One backend's local gateway, reused by every case."""

    def __init__(self, backend: Backend, gateway: LocalGateway, options: Options) -> None:
        self.backend = backend
        self.gateway = gateway
        self.options = options
        self.ingress_class = backend_class(backend)

    @classmethod
    def open(cls, backend: Backend, options: Options) -> LocalSession | Unavailable:
        """Start the backend's gateway, or explain why there is none."""
        if not isinstance(backend, ProvidesLocalGateway):
            return Unavailable(backend, f"backend {backend.name} provides no local gateway")
        gateway = backend.local_gateway()
        workdir = options.workdir or Path(
            tempfile.mkdtemp(prefix=f"kingress-conformance-{backend.name}-")
        )
        gateway.start(workdir)
        return cls(backend, gateway, options)

    def run(self, case: Case) -> CaseResult:
        """Servers up, ingresses applied and served, checks evaluated, everything stopped."""
        with ExitStack() as stack:
            servers = {
                s.name: stack.enter_context(
                    TestServer(ServerConfig(name=s.name, kind=s.server_kind, suffix=s.suffix))
                )
                for s in case.services
                if s.external is None
            }
            stack.callback(self.gateway.apply, (), ())
            run = _CaseRun(self, case, servers)
            try:
                run.serve(case.ingresses)
            except OfflineFailure as failure:
                return CaseResult.of_checks(
                    case.key, self.backend.name, (failed(failure.check, str(failure)),)
                )
            results = [run.check(check) for check in case.checks]
            return CaseResult.of_checks(case.key, self.backend.name, tuple(results))

    def close(self) -> None:
        """Stop the gateway."""
        self.gateway.stop()


class _CaseRun:
    """The served state of one case at the local depth (the ``World`` of ``LiveChecks``)."""

    def __init__(self, session: LocalSession, case: Case, servers: dict[str, TestServer]) -> None:
        self.session = session
        self.case = case
        private = session.gateway.endpoint(Gateway.PRIVATE)
        # The private gateway listens on an ephemeral loopback port, not on 80: an
        # ExternalName Service to it has that port, and the splits to it are moved there.
        self.hops = {s.name for s in case.services if s.external == ExternalTarget.PRIVATE_GATEWAY}
        self.hop_port = private[1]
        addresses = {name: server.address for name, server in servers.items()}
        addresses.update(dict.fromkeys(self.hops, private))
        self.context = services_context(
            case,
            lambda s: addresses.get(s.name),
            lambda s: private[0] if s.name in self.hops else "",
            session.options.config,
        )
        self.secrets = [tls_secret(c.secret, c.hosts, NAMESPACE) for c in case.certificates]
        self.prepared: dict[str, Prepared] = {}
        self.translations: dict[str, Translation] = {}
        self.live = LiveChecks(case, self.resolve, self, session.options.max_time_to_consistency)

    def resolve(self, request: Request) -> Endpoint:
        return self.session.gateway.endpoint(request.gateway, tls=request.tls)

    def serve(self, ingresses: tuple[ClusterIngress, ...]) -> None:
        """Translate and apply these ingresses (all the gateway serves), then wait for them."""
        self.prepared.clear()
        self.translations.clear()
        for ingress in ingresses:
            self._translate(ingress)
        self._apply()

    def _translate(self, ingress: ClusterIngress) -> None:
        local = _to_port(ingress, self.hops, self.hop_port)
        ready, translation = translate_checked(
            self.session.backend, with_class(local, self.session.ingress_class), self.context
        )
        self.prepared[ingress.metadata.name] = ready
        self.translations[ingress.metadata.name] = translation

    def _apply(self) -> None:
        try:
            self.session.gateway.apply(tuple(self.translations.values()), self.secrets)
        except RuntimeError as error:
            raise OfflineFailure(
                "apply", f"the gateway refused the configuration: {error}"
            ) from error
        for name, ready in self.prepared.items():
            waiting = self._wait_served(ready)
            if waiting:
                limit = self.session.options.ready_timeout
                raise OfflineFailure(
                    "ready", f"ingress {name} not served within {limit:g}s: {waiting}"
                )

    def _wait_served(self, ready: Prepared) -> str:
        deadline = time.monotonic() + self.session.options.ready_timeout
        pending = list(_probe_targets(ready.ingress))
        problem = ""
        while pending and time.monotonic() < deadline:
            request = pending[0]
            try:
                response = send(self.resolve(request), request, timeout=2.0)
                got = response.headers.get(HASH_HEADER.lower())
                problem = f"{request.host}: {response.status}, hash {got!r}"
                if response.status == 200 and got == ready.hash:
                    pending.pop(0)
                    continue
            except OSError as error:
                problem = f"{request.host}: {error}"
            time.sleep(0.02)
        return problem if pending else ""

    def check(self, check: Check) -> CheckResult:
        """One check with real traffic."""
        name = describe(check)
        try:
            problem = self.live.problem(check)
        except OfflineFailure as failure:
            return failed(name, str(failure))
        return passed(name) if problem is None else failed(name, problem)

    # -- World --------------------------------------------------------------------------------

    def hash_of(self, ingress: str) -> str:
        return self.prepared[ingress].hash

    def replace(self, ingress: ClusterIngress) -> None:
        self._translate(ingress)
        self._apply()

    def remove(self, ingress: str) -> None:
        self.prepared.pop(ingress, None)
        self.translations.pop(ingress, None)
        self._apply()

    def restore(self) -> None:
        self.serve(self.case.ingresses)

    def unchanged(self, check: Unchanged) -> str | None:
        # Class dispatch is the core's: the gateway is only ever given the claimed class.
        foreign = next(f for f in self.case.foreign if f.ingress.metadata.name == check.ingress)
        return claim_problem(self.session.backend, foreign.ingress_class)


def _probe_targets(ingress: ClusterIngress) -> Iterator[Request]:
    """A probe per host; over TLS where plain HTTP redirects (Knative probes 443 then)."""
    headers = ((PROBE_HEADER, PROBE_VALUE), (HASH_HEADER, HASH_OVERRIDE))
    redirected = ingress.spec.http_option == HTTPOption.REDIRECTED
    certified = {host for entry in ingress.spec.tls for host in entry.hosts}
    for rule in ingress.spec.rules:
        private = rule.visibility == Visibility.CLUSTER_LOCAL
        hosts = expanded_hosts(rule.hosts, CLUSTER_DOMAIN) if private else rule.hosts
        for host in hosts:
            yield Request(
                host=host,
                path=PROBE_PATH,
                headers=headers,
                gateway=Gateway.PRIVATE if private else Gateway.PUBLIC,
                tls=redirected and not private and host in certified,
            )


def _to_port(ingress: ClusterIngress, services: set[str], port: int) -> ClusterIngress:
    """The ingress with its splits to ``services`` on ``SERVICE_PORT`` moved to ``port``."""

    def split(s: IngressBackendSplit) -> IngressBackendSplit:
        moved = s.service_name in services and s.service_port == SERVICE_PORT
        return s.model_copy(update={"service_port": port}) if moved else s

    def path(p: HTTPIngressPath) -> HTTPIngressPath:
        return p.model_copy(update={"splits": tuple(split(s) for s in p.splits)})

    def rule(r: IngressRule) -> IngressRule:
        if r.http is None:
            return r
        http = r.http.model_copy(update={"paths": tuple(path(p) for p in r.http.paths)})
        return r.model_copy(update={"http": http})

    if not services:
        return ingress
    spec = ingress.spec.model_copy(update={"rules": tuple(rule(r) for r in ingress.spec.rules)})
    return ingress.model_copy(update={"spec": spec})
