"""The backend contract: what an ingress backend is, and the registry that holds them.

A backend realises a ClusterIngress for one or more ingress classes. The core
hands it a ClusterIngress (already validated, defaulted and carrying the probe
paths, see ``kingress.ingress.probe``) and a ``TranslateContext`` holding every
outside fact it may need (its configuration, the Services and Endpoints the
splits point at); ``translate`` must be a pure function of those two. It returns
a ``Translation``: the objects to apply and the load balancers to publish. The
core applies them, later reads them back and asks ``check_ready`` whether the
gateway has taken them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kingress.api.ingress import ClusterIngress, LoadBalancerStatus
from kingress.cluster.port import Kind
from kingress.features import Feature

Object = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePort:
    """One port of a Kubernetes Service that a split points at."""

    name: str = ""
    port: int
    target_port: int | str | None = None
    app_protocol: str = ""

    @property
    def is_h2c(self) -> bool:
        """Whether the upstream speaks cleartext HTTP/2 (Knative's ``http2`` / h2c ports)."""
        return self.name in ("http2", "h2c") or self.app_protocol == "kubernetes.io/h2c"


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointAddress:
    """One ready address behind a Service port."""

    ip: str
    port: int
    port_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendService:
    """What the core knows about a Service a split points at."""

    namespace: str
    name: str
    type: str = "ClusterIP"
    cluster_ip: str = ""
    external_name: str = ""
    ports: tuple[ServicePort, ...] = ()
    endpoints: tuple[EndpointAddress, ...] = ()

    def port(self, ref: int | str) -> ServicePort | None:
        """The Service port a split's ``servicePort`` (number or name) refers to."""
        return next((p for p in self.ports if ref in (p.port, p.name)), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslateContext:
    """Every fact outside the ClusterIngress that a translation may use."""

    #: The backend's own configuration (its ConfigMap's data, e.g. ``config-istio``).
    config: Mapping[str, str] = field(default_factory=dict)
    #: The cluster's DNS domain.
    cluster_domain: str = "cluster.local"
    #: The Services (with their Endpoints) the ingress's splits reference.
    services: Mapping[tuple[str, str], BackendService] = field(default_factory=dict)

    def service(self, namespace: str, name: str) -> BackendService | None:
        """The referenced Service, if the core found it."""
        return self.services.get((namespace, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class Translation:
    """What a backend wants applied for one ClusterIngress."""

    objects: tuple[Object, ...] = ()
    public_load_balancer: LoadBalancerStatus = field(default_factory=LoadBalancerStatus)
    private_load_balancer: LoadBalancerStatus = field(default_factory=LoadBalancerStatus)


@dataclass(frozen=True, slots=True, kw_only=True)
class Readiness:
    """Whether the gateway serves what was applied: ready, waiting or failed."""

    ready: bool | None
    reason: str = ""
    message: str = ""

    @classmethod
    def serving(cls) -> Readiness:
        """The gateway has the configuration."""
        return cls(ready=True)

    @classmethod
    def waiting(cls, reason: str = "Uninitialized", message: str = "") -> Readiness:
        """The gateway has not taken the configuration yet."""
        return cls(
            ready=None, reason=reason, message=message or "Waiting for load balancer to be ready"
        )

    @classmethod
    def failed(cls, reason: str, message: str) -> Readiness:
        """The gateway rejected the configuration."""
        return cls(ready=False, reason=reason, message=message)


class TranslationError(Exception):
    """A backend cannot express this ClusterIngress; the reason names what and why."""

    def __init__(self, message: str, reason: str = "TranslationFailed") -> None:
        super().__init__(message)
        self.reason = reason


class NotSupported(TranslationError):
    """The ClusterIngress uses a feature this backend declares unsupported."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="NotSupported")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceKind:
    """A custom kind a backend's ``translate`` returns, as a CRD would name it.

    A backend lists these in an optional ``resource_kinds`` attribute so that
    ``kingress apiserver`` (which has no upstream CRDs installed) can serve
    them; on a cluster the gateway's own CRDs do that.
    """

    api_version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def group_kind(self) -> Kind:
        """The kind as the cluster port names it (API group and kind, no version)."""
        return Kind(self.api_version.rpartition("/")[0], self.kind)


def resource_kinds(backend: Backend) -> tuple[ResourceKind, ...]:
    """The custom kinds a backend declares (its optional ``resource_kinds``)."""
    declared = getattr(backend, "resource_kinds", ())
    return tuple(kind for kind in declared if isinstance(kind, ResourceKind))


@runtime_checkable
class Backend(Protocol):
    """An ingress implementation that realises ClusterIngresses of its classes."""

    #: Short unique name, equal to its entry-point name (``istio``).
    name: str
    #: The full ingress class names it claims.
    ingress_classes: frozenset[str]
    #: The conformance features it supports.
    features: frozenset[Feature]

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """Every object the gateway needs for ``ingress``. Pure: no I/O, no clock.

        Raise ``TranslationError`` (or ``NotSupported``) with a clear message for
        what it cannot express.
        """
        ...

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[Object]) -> Readiness:
        """Whether the gateway serves ``applied`` (the objects as read back). Pure."""
        ...


def cross_namespace_kinds(backend: Backend) -> frozenset[Kind]:
    """The kinds ``backend`` may place outside the ingress's namespace (none by default).

    A backend opts in with an attribute ``cross_namespace_kinds: frozenset[Kind]``
    (Contour's ``TLSCertificateDelegation`` lives in the secret's namespace). It is
    optional so existing backends need no change; anything but a frozenset of
    ``Kind`` counts as none. The core still allows such an object only in a
    namespace the ingress's own TLS entries name and the controller allows.
    """
    declared: object = getattr(backend, "cross_namespace_kinds", frozenset())
    if isinstance(declared, frozenset) and all(isinstance(kind, Kind) for kind in declared):
        return declared
    return frozenset()


@dataclass(frozen=True, slots=True)
class Registered:
    """A backend and the distribution that registered it."""

    backend: Backend
    distribution: str
    version: str


class DuplicateBackend(ValueError):
    """Two backends claim the same name or ingress class."""


class UnknownIngressClass(LookupError):
    """No installed backend claims an ingress class."""


class BackendRegistry:
    """Backends by ingress class; the only way the core dispatches to a backend."""

    def __init__(self) -> None:
        self._by_class: dict[str, Registered] = {}
        self._by_name: dict[str, Registered] = {}

    def add(self, backend: Backend, *, distribution: str = "", version: str = "") -> None:
        """Register a backend; a second claim on a class or name is an error naming both."""
        entry = Registered(backend, distribution or "<unknown>", version)
        if not isinstance(backend, Backend):
            raise TypeError(f"{backend!r} from {entry.distribution} is not a kingress Backend")
        clash = self._by_name.get(backend.name)
        if clash is not None:
            raise DuplicateBackend(
                f"backend name {backend.name!r} is registered by both "
                f"{clash.distribution} and {entry.distribution}"
            )
        for ingress_class in backend.ingress_classes:
            clash = self._by_class.get(ingress_class)
            if clash is not None:
                raise DuplicateBackend(
                    f"ingress class {ingress_class!r} is claimed by both "
                    f"{clash.distribution} ({clash.backend.name}) and "
                    f"{entry.distribution} ({backend.name})"
                )
        self._by_name[backend.name] = entry
        for ingress_class in backend.ingress_classes:
            self._by_class[ingress_class] = entry

    def for_class(self, ingress_class: str) -> Backend:
        """The backend claiming a class, or ``UnknownIngressClass`` listing what is installed."""
        entry = self._by_class.get(ingress_class)
        if entry is None:
            installed = ", ".join(sorted(self._by_class)) or "none"
            raise UnknownIngressClass(
                f"no installed backend claims ingress class {ingress_class!r} "
                f"(installed: {installed})"
            )
        return entry.backend

    def claims(self, ingress_class: str) -> bool:
        """Whether some backend claims the class."""
        return ingress_class in self._by_class

    def entries(self) -> list[Registered]:
        """Every registered backend, sorted by name."""
        return sorted(self._by_name.values(), key=lambda e: e.backend.name)

    def classes(self) -> list[str]:
        """Every claimed class, sorted."""
        return sorted(self._by_class)


#: The callback a plugin's ``register_backends`` hook receives.
RegisterBackend = Callable[[Backend], None]
