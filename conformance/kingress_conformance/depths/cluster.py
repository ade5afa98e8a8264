"""The cluster depth: the case's test servers and ClusterIngresses on a real Kubernetes API.

Everything goes through ``kingress.cluster.port.Cluster`` (a ``KubeCluster``
from ``--kubeconfig``), so the same code runs on kind and, in the suite's
tests, on ``kingress apiserver``. Per case, in the run's namespace
(``--namespace``, created when missing):

1. each served test Service becomes a Deployment of the test image
   (``--image``) and a Service (``cluster_objects``); TLS secrets are made;
   the depth waits for every Service's Endpoints;
2. the case's ClusterIngresses are created with the class under test and
   awaited: ``Ready=True`` for the current generation, polled every second up
   to ``ready_timeout`` (the reason and message are reported otherwise);
3. the gateway is found from the load balancer status (``cluster_gateway``)
   and must accept a connection, else the case fails ``gateway unreachable``;
4. the checks run with real traffic, exactly as at the local depth
   (``depths.live``); ``Update`` and ``ClassChange`` update or delete the
   ClusterIngresses and wait for Ready again;
5. whatever happened, every object labelled with the case is deleted.

Not yet: requests to the private gateway need an in-cluster client (Knative
uses a proxy pod) and ExternalName Services need the private gateway's name
before they exist, so cases with either are ``skipped`` saying so. Ingresses
of other classes (``ingressclass``) are judged, as at the local depth, by the
core's class dispatch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from kingress import Backend, ClusterIngress
from kingress.cluster.errors import AlreadyExists, NotFound
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import Cluster, Kind, Object
from kingress_conformance.case import Case
from kingress_conformance.checks import Check, Unchanged, describe
from kingress_conformance.depths import cluster_objects as objects
from kingress_conformance.depths.cluster_gateway import (
    GatewayLocator,
    GatewayUnreachable,
    connectable,
)
from kingress_conformance.depths.cluster_wait import (
    INGRESS,
    WaitFailure,
    poll,
    wait_endpoints,
    wait_gone,
    wait_ready,
)
from kingress_conformance.depths.live import LiveChecks
from kingress_conformance.depths.local import Unavailable
from kingress_conformance.depths.offline import OfflineFailure, backend_class, claim_problem
from kingress_conformance.outcome import CaseResult, CheckResult, Outcome, failed, passed
from kingress_conformance.pipeline import prepare
from kingress_conformance.requests import Gateway, Request
from kingress_conformance.servers.certs import tls_secret
from kingress_conformance.suite import Options
from kingress_conformance.traffic import Endpoint

#: What cleanup deletes, ingresses first (so no gateway config points at vanished Services).
CLEANED = (
    INGRESS,
    Kind("apps", "Deployment"),
    Kind("", "Service"),
    Kind("", "Secret"),
)
PRIVATE_REASON = (
    "requests to the private gateway need a client inside the cluster "
    "(Knative's proxy pod); not implemented at the cluster depth yet"
)
EXTERNAL_REASON = (
    "ExternalName Services to the private gateway are not created at the cluster depth yet"
)


def case_requests(case: Case) -> Iterator[Request]:
    """Every request the case's checks send (from their ``request`` field)."""
    for check in case.checks:
        request = getattr(check, "request", None)
        if isinstance(request, Request):
            yield request


def unsupported(case: Case) -> str | None:
    """Why the cluster depth cannot run the case yet, if it cannot."""
    if any(s.external is not None for s in case.services):
        return EXTERNAL_REASON
    if any(r.gateway == Gateway.PRIVATE for r in case_requests(case)):
        return PRIVATE_REASON
    return None


class ClusterSession:
    """One backend's run on a cluster: the namespace, and one case at a time."""

    def __init__(self, backend: Backend, cluster: Cluster, options: Options) -> None:
        self.backend = backend
        self.cluster = cluster
        self.options = options
        self.ingress_class = backend_class(backend)
        self.locator = GatewayLocator(cluster, options.ingress_endpoint)

    @classmethod
    def open(cls, backend: Backend, options: Options) -> ClusterSession | Unavailable:
        """Connect through ``--kubeconfig`` and make sure the test namespace exists."""
        if options.kubeconfig is None:
            return Unavailable(backend, "the cluster depth needs --kubeconfig")
        session = cls(backend, KubeCluster.from_kubeconfig(str(options.kubeconfig)), options)
        with contextlib.suppress(AlreadyExists):
            session.cluster.create(objects.namespace(options.namespace))
        return session

    def run(self, case: Case) -> CaseResult:
        """Create, wait, check, and always clean up."""
        reason = unsupported(case)
        if reason is not None:
            return CaseResult(
                key=case.key, backend=self.backend.name, outcome=Outcome.SKIPPED, reason=reason
            )
        run = _CaseRun(self, case)
        try:
            results = run.results()
        finally:
            self.clean(case)
        return CaseResult.of_checks(case.key, self.backend.name, tuple(results))

    def clean(self, case: Case) -> None:
        """Delete every object labelled with the case; wait (bounded) for the ingresses to go."""
        namespace, label = self.options.namespace, objects.selector(case.key)
        for kind in CLEANED:
            for obj in self.cluster.list(kind, namespace, label):
                with contextlib.suppress(NotFound):
                    self.cluster.delete(kind, namespace, obj["metadata"]["name"])
        # Finalizers may still run past the limit; each case's objects have their own names.
        with contextlib.suppress(WaitFailure):
            wait_gone(self.cluster, INGRESS, namespace, label, self.options.ready_timeout)

    def close(self) -> None:
        """Nothing held open: each case cleaned up after itself."""


class _CaseRun:
    """One case on the cluster (the ``World`` of ``LiveChecks``)."""

    def __init__(self, session: ClusterSession, case: Case) -> None:
        self.session = session
        self.case = case
        self.cluster = session.cluster
        self.namespace = session.options.namespace
        self.status: Object = {}
        self.live = LiveChecks(case, self.resolve, self, session.options.max_time_to_consistency)

    def results(self) -> list[CheckResult]:
        """Every step and check; a failed step fails the case with its reason."""
        try:
            self._create_backends()
            self._serve(self.case.ingresses)
            self._reachable()
        except OfflineFailure as failure:
            return [failed(failure.check, str(failure))]
        return [self._check(check) for check in self.case.checks]

    # -- steps --------------------------------------------------------------------------------

    def _create(self, obj: Object) -> None:
        self.cluster.create(objects.labelled(obj, self.case.key))

    def _create_backends(self) -> None:
        image, key = self.session.options.image, self.case.key
        served = [s for s in self.case.services if s.external is None]
        for test_service in served:
            self._create(objects.deployment(test_service, self.namespace, key, image))
            self._create(objects.service(test_service, self.namespace, key))
        for certificate in self.case.certificates:
            self._create(tls_secret(certificate.secret, certificate.hosts, self.namespace))
        try:
            wait_endpoints(
                self.cluster,
                self.namespace,
                [s.name for s in served],
                self.session.options.ready_timeout,
            )
        except WaitFailure as error:
            raise OfflineFailure("endpoints", str(error)) from error

    def _wire(self, ingress: ClusterIngress) -> Object:
        return objects.ingress(ingress, self.session.ingress_class, self.namespace, self.case.key)

    def _put(self, ingress: ClusterIngress) -> None:
        """Create the ingress, or update it to this version if it exists."""
        wire = self._wire(ingress)
        try:
            self.cluster.create(wire)
        except AlreadyExists:
            current = self.cluster.get(INGRESS, self.namespace, ingress.metadata.name)
            wire["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            self.cluster.update(wire)

    def _serve(self, ingresses: tuple[ClusterIngress, ...]) -> None:
        for ingress in ingresses:
            self._put(ingress)
        for ingress in ingresses:
            try:
                ready = wait_ready(
                    self.cluster,
                    self.namespace,
                    ingress.metadata.name,
                    self.session.options.ready_timeout,
                )
            except WaitFailure as error:
                raise OfflineFailure("ready", str(error)) from error
            self.status = ready.get("status") or {}

    def _reachable(self) -> None:
        """Every gateway the case's requests use accepts a connection."""
        for gateway, tls in sorted({(r.gateway, r.tls) for r in case_requests(self.case)}):
            try:
                connectable(self._endpoint(gateway, tls))
            except GatewayUnreachable as error:
                raise OfflineFailure("reach", f"gateway unreachable: {error}") from error

    def _endpoint(self, gateway: Gateway, tls: bool) -> Endpoint:
        field = "privateLoadBalancer" if gateway == Gateway.PRIVATE else "publicLoadBalancer"
        return self.session.locator.endpoint(self.status.get(field) or {}, tls=tls)

    def resolve(self, request: Request) -> Endpoint:
        """The endpoint of the request's gateway, from the load balancer status."""
        return self._endpoint(request.gateway, request.tls)

    def _check(self, check: Check) -> CheckResult:
        name = describe(check)
        try:
            problem = self.live.problem(check)
        except OfflineFailure as failure:
            return failed(name, str(failure))
        return passed(name) if problem is None else failed(name, problem)

    # -- World --------------------------------------------------------------------------------

    def hash_of(self, ingress: str) -> str:
        """The probe hash the controller computes for the ingress as created."""
        wire = self.cluster.get(INGRESS, self.namespace, ingress)
        return prepare(ClusterIngress.from_dict(wire)).hash

    def replace(self, ingress: ClusterIngress) -> None:
        """Update the ingress to this version and wait until it is Ready for it."""
        self._serve((ingress,))

    def remove(self, ingress: str) -> None:
        """Delete the ingress (the backend must stop serving it) and wait until it is gone."""
        self.cluster.delete(INGRESS, self.namespace, ingress)

        def present() -> str | None:
            try:
                self.cluster.get(INGRESS, self.namespace, ingress)
            except NotFound:
                return None
            return "still present"

        try:
            poll(present, self.session.options.ready_timeout, f"ClusterIngress {ingress} deleted")
        except WaitFailure as error:
            raise OfflineFailure("remove", str(error)) from error

    def restore(self) -> None:
        """The case's own ingresses again, Ready."""
        self._serve(self.case.ingresses)

    def unchanged(self, check: Unchanged) -> str | None:
        """Class dispatch is the core's: an unclaimed class is never handed to the backend."""
        foreign = next(f for f in self.case.foreign if f.ingress.metadata.name == check.ingress)
        return claim_problem(self.session.backend, foreign.ingress_class)
