"""Builders for ClusterIngresses in tests, for kingress and for backend authors.

Small option-style functions so a test row reads like the object it means::

    ingress("hello", rules=[rule(["hello.example.com"], paths=[path(splits=[split("rev-1")])])])

and ``translate_context`` / ``backend_service`` build what a ``translate`` call
is given besides the ingress. Every builder returns a frozen object; nothing
here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kingress.api.annotations import INGRESS_CLASS
from kingress.api.ingress import (
    ClusterIngress,
    HeaderMatch,
    HTTPIngressPath,
    HTTPIngressRuleValue,
    IngressBackendSplit,
    IngressRule,
    IngressSpec,
    IngressTLS,
    Visibility,
)
from kingress.api.meta import ObjectMeta
from kingress.backends import BackendService, ServicePort, TranslateContext

DEFAULT_NAMESPACE = "default"


def split(
    service: str,
    percent: int = 100,
    *,
    port: int | str = 80,
    namespace: str = DEFAULT_NAMESPACE,
    headers: Mapping[str, str] | None = None,
) -> IngressBackendSplit:
    """A split to ``service`` with post-split ``headers``."""
    return IngressBackendSplit(
        service_namespace=namespace,
        service_name=service,
        service_port=port,
        percent=percent,
        append_headers=dict(headers or {}),
    )


def path(
    prefix: str = "",
    *,
    splits: Sequence[IngressBackendSplit] = (),
    match: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    rewrite_host: str = "",
) -> HTTPIngressPath:
    """A path: ``match`` are exact header matches, ``headers`` are set pre-split."""
    return HTTPIngressPath(
        path=prefix,
        headers={name: HeaderMatch(exact=value) for name, value in (match or {}).items()},
        splits=tuple(splits),
        append_headers=dict(headers or {}),
        rewrite_host=rewrite_host,
    )


def rule(
    hosts: Sequence[str],
    *,
    paths: Sequence[HTTPIngressPath] = (),
    visibility: Visibility = Visibility.EXTERNAL_IP,
) -> IngressRule:
    """A rule for ``hosts``."""
    return IngressRule(
        hosts=tuple(hosts), visibility=visibility, http=HTTPIngressRuleValue(paths=tuple(paths))
    )


def tls(hosts: Sequence[str], secret: str, namespace: str = DEFAULT_NAMESPACE) -> IngressTLS:
    """A TLS entry."""
    return IngressTLS(hosts=tuple(hosts), secret_name=secret, secret_namespace=namespace)


def ingress(
    name: str = "hello",
    *,
    namespace: str = DEFAULT_NAMESPACE,
    rules: Sequence[IngressRule] = (),
    tls_entries: Sequence[IngressTLS] = (),
    http_option: str = "",
    ingress_class: str | None = None,
    generation: int = 1,
    uid: str = "00000000-0000-0000-0000-000000000001",
) -> ClusterIngress:
    """A ClusterIngress; ``ingress_class`` sets the class annotation."""
    annotations = {INGRESS_CLASS: ingress_class} if ingress_class else {}
    return ClusterIngress(
        metadata=ObjectMeta(
            name=name, namespace=namespace, annotations=annotations, generation=generation, uid=uid
        ),
        spec=IngressSpec(rules=tuple(rules), tls=tuple(tls_entries), http_option=http_option),
    )


def simple_ingress(
    host: str = "hello.example.com",
    service: str = "hello",
    *,
    namespace: str = DEFAULT_NAMESPACE,
    ingress_class: str | None = None,
) -> ClusterIngress:
    """One external host, one catch-all path, one split."""
    return ingress(
        namespace=namespace,
        ingress_class=ingress_class,
        rules=[rule([host], paths=[path(splits=[split(service, namespace=namespace)])])],
    )


def backend_service(name: str, namespace: str = DEFAULT_NAMESPACE) -> BackendService:
    """A ClusterIP Service with port 80 (``http``) and an h2c port 81 (``http2``)."""
    return BackendService(
        namespace=namespace,
        name=name,
        ports=(
            ServicePort(name="http", port=80),
            ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c"),
        ),
    )


def translate_context(
    *,
    services: Iterable[BackendService] = (),
    config: Mapping[str, str] | None = None,
    cluster_domain: str = "cluster.local",
) -> TranslateContext:
    """What the core hands ``translate``: ``services`` keyed by namespace and name."""
    return TranslateContext(
        config=dict(config or {}),
        cluster_domain=cluster_domain,
        services={(s.namespace, s.name): s for s in services},
    )
