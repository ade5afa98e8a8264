"""A conformance case: the test servers, the ClusterIngresses and the checks.

A case is pure data, defined in its own module under ``kingress_conformance.cases``
(``CASE = Case(...)``) and found by walking that package. Keys are Knative's
(``dispatch/percentage``) for the ported tests and ``contract/...`` for the
neutral contract's own. ``features`` lists every ``kingress.Feature`` the case
needs: a backend missing one gets ``not-supported``, never ``passed``.

Ingresses are written without the ingress-class annotation; each depth adds
the class under test. ``foreign`` ingresses carry a class of their own (or
none) and must be left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kingress import ClusterIngress, Feature
from kingress_conformance.checks import Check

#: Namespace of every test object (Knative uses ``serving-tests``).
NAMESPACE = "kingress-conformance"
#: Public host suffix (Knative's ``--service-domain`` default).
DOMAIN = "example.com"
#: The cluster DNS domain the cases assume.
CLUSTER_DOMAIN = "cluster.local"


class Tier(StrEnum):
    """Where a case comes from: Knative's stable/beta/alpha maps, or kingress's contract."""

    STABLE = "stable"
    BETA = "beta"
    ALPHA = "alpha"
    CONTRACT = "contract"


class ServerKind(StrEnum):
    """Which test server answers behind a test Service."""

    #: Echoes the request as JSON; speaks HTTP/1.1 and h2c; implements the probe contract.
    RUNTIME = "runtime"
    #: Waits ``initialTimeout`` ms before the headers and ``timeout`` ms before the body.
    TIMEOUT = "timeout"
    #: 503 for the first request, 200 afterwards.
    RETRY = "retry"
    #: Websocket echo, appending its suffix.
    WEBSOCKET = "websocket"
    #: gRPC ping with a bidirectional stream, appending its suffix.
    GRPC = "grpc"


class ExternalTarget(StrEnum):
    """What an ExternalName test Service points at."""

    #: The private gateway (Knative's ``host-rewrite`` / DomainMapping pattern).
    PRIVATE_GATEWAY = "private-gateway"


@dataclass(frozen=True, slots=True, kw_only=True)
class TestService:
    """A Kubernetes Service a split points at, and the server behind it."""

    __test__ = False  # not a pytest test class

    name: str
    kind: ServerKind = ServerKind.RUNTIME
    #: The Service port speaks cleartext HTTP/2 (port ``http2``, appProtocol ``kubernetes.io/h2c``).
    h2c: bool = False
    #: Appended to echoes (websocket, gRPC) to tell backends apart.
    suffix: str = ""
    #: An ExternalName Service instead of a server.
    external: ExternalTarget | None = None

    @property
    def port_name(self) -> str:
        """The Service port's name: ``http2`` for h2c, else ``http``."""
        return "http2" if self.h2c else "http"

    @property
    def server_kind(self) -> str:
        """The test server's ``--kind``: every server speaks websocket and gRPC, so those echo."""
        if self.kind in (ServerKind.WEBSOCKET, ServerKind.GRPC):
            return ServerKind.RUNTIME.value
        return self.kind.value

    @property
    def app_protocol(self) -> str:
        """The Service port's appProtocol."""
        return "kubernetes.io/h2c" if self.h2c else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Certificate:
    """A TLS secret generated for the run (self-signed, ECDSA) covering ``hosts``."""

    secret: str
    hosts: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignIngress:
    """An ingress with another class (``None``: no annotation at all)."""

    ingress: ClusterIngress
    ingress_class: str | None


#: Service port every test Service exposes (Knative picks 50-99 at random; fixed is enough).
SERVICE_PORT = 80


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One conformance case."""

    key: str
    description: str
    tier: Tier
    features: frozenset[Feature]
    services: tuple[TestService, ...]
    ingresses: tuple[ClusterIngress, ...]
    checks: tuple[Check, ...]
    certificates: tuple[Certificate, ...] = ()
    foreign: tuple[ForeignIngress, ...] = ()

    def service(self, name: str) -> TestService:
        """The test Service called ``name``; ``KeyError`` if the case has none."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(f"case {self.key} has no test service {name!r}")

    def ingress(self, name: str) -> ClusterIngress:
        """The case's ingress (or foreign ingress) called ``name``."""
        for ingress in (*self.ingresses, *(f.ingress for f in self.foreign)):
            if ingress.metadata.name == name:
                return ingress
        raise KeyError(f"case {self.key} has no ingress {name!r}")
