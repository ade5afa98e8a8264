"""kingress: Knative Serving's object model and networking layer, with pluggable backends.

This module is the public API for backend authors: everything a plugin needs is
importable from ``kingress`` itself, and nothing else in the package is
promised to stay put. A backend that also runs its gateway on this machine (a
``LocalDataPlane``, see ``kingress.dataplane``) writes its reconciler with the
controller names exported here (``Reconciler``, ``Context``, ``Result``,
``Watch``, ``Tracker``...).
"""

from __future__ import annotations

from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL, IngressClass
from kingress.api.ingress import (
    ClusterIngress,
    HeaderMatch,
    HTTPIngressPath,
    HTTPIngressRuleValue,
    HTTPOption,
    IngressBackendSplit,
    IngressRule,
    IngressSpec,
    IngressTLS,
    LoadBalancerIngressStatus,
    LoadBalancerStatus,
    Visibility,
)
from kingress.backends import (
    Backend,
    BackendService,
    EndpointAddress,
    NotSupported,
    Readiness,
    RegisterBackend,
    ResourceKind,
    ServicePort,
    TranslateContext,
    Translation,
    TranslationError,
)
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, ObjectRef
from kingress.controller.reconciler import Context, Reconciler, Result, Watch
from kingress.controller.tracker import Tracker
from kingress.dataplane import DataPlaneSettings, GatewayListener, LocalDataPlane
from kingress.features import ALL_FEATURES, Feature
from kingress.headers import (
    HASH_HEADER,
    HASH_OVERRIDE,
    PROBE_HEADER,
    PROBE_PATH,
    PROBE_VALUE,
)
from kingress.ingress.probe import compute_hash, insert_probe
from kingress.ingress.routing import (
    expanded_hosts,
    hosts_for_visibility,
    ordered_paths,
    precedence_key,
)
from kingress.plugin import hookimpl

__version__ = "0.1.0"

__all__ = [
    "ALL_FEATURES",
    "HASH_HEADER",
    "HASH_OVERRIDE",
    "INGRESS_CLASS",
    "INGRESS_LABEL",
    "PROBE_HEADER",
    "PROBE_PATH",
    "PROBE_VALUE",
    "Backend",
    "BackendService",
    "Cluster",
    "ClusterIngress",
    "Context",
    "DataPlaneSettings",
    "EndpointAddress",
    "Feature",
    "GatewayListener",
    "HTTPIngressPath",
    "HTTPIngressRuleValue",
    "HTTPOption",
    "HeaderMatch",
    "IngressBackendSplit",
    "IngressClass",
    "IngressRule",
    "IngressSpec",
    "IngressTLS",
    "Kind",
    "LoadBalancerIngressStatus",
    "LoadBalancerStatus",
    "LocalDataPlane",
    "NotFound",
    "NotSupported",
    "ObjectRef",
    "Readiness",
    "Reconciler",
    "RegisterBackend",
    "ResourceKind",
    "Result",
    "ServicePort",
    "Tracker",
    "TranslateContext",
    "Translation",
    "TranslationError",
    "Visibility",
    "Watch",
    "__version__",
    "compute_hash",
    "expanded_hosts",
    "hookimpl",
    "hosts_for_visibility",
    "insert_probe",
    "ordered_paths",
    "precedence_key",
]
