"""``config-network``: ingress class, host templates, plain-HTTP handling, rollouts.

Keys and defaults follow Knative's ``knative.dev/networking/pkg/config``; each
new-style key wins over its legacy spelling (``ingress.class``,
``domainTemplate``, ``tagTemplate``, ``httpProtocol``, ``rolloutDuration``,
``defaultExternalScheme``). ``cluster-domain`` is kingress's own key (Knative
reads the cluster domain from the resolver configuration).

| key | default |
| --- | --- |
| ``ingress-class`` | ``istio.ingress.networking.knative.dev`` (short aliases accepted) |
| ``domain-template`` | ``{{.Name}}.{{.Namespace}}.{{.Domain}}`` |
| ``tag-template`` | ``{{.Tag}}-{{.Name}}`` |
| ``http-protocol`` | ``enabled`` (``redirected``; ``disabled`` is deprecated) |
| ``rollout-duration`` | ``0`` seconds (gradual rollout off) |
| ``cluster-domain`` | ``cluster.local`` |
| ``default-external-scheme`` | ``http`` |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from kingress.api import kubenames
from kingress.api.annotations import DEFAULT_INGRESS_CLASS, normalize_ingress_class
from kingress.config import ConfigError
from kingress.config.templates import Template, TemplateError, parse_template

CONFIG_NETWORK: Final = "config-network"

INGRESS_CLASS_KEY: Final = "ingress-class"
DOMAIN_TEMPLATE_KEY: Final = "domain-template"
TAG_TEMPLATE_KEY: Final = "tag-template"
HTTP_PROTOCOL_KEY: Final = "http-protocol"
ROLLOUT_DURATION_KEY: Final = "rollout-duration"
CLUSTER_DOMAIN_KEY: Final = "cluster-domain"
DEFAULT_EXTERNAL_SCHEME_KEY: Final = "default-external-scheme"

#: New key → its legacy spelling (read only when the new key is absent).
_LEGACY: Final = {
    INGRESS_CLASS_KEY: "ingress.class",
    DOMAIN_TEMPLATE_KEY: "domainTemplate",
    TAG_TEMPLATE_KEY: "tagTemplate",
    HTTP_PROTOCOL_KEY: "httpProtocol",
    ROLLOUT_DURATION_KEY: "rolloutDuration",
    DEFAULT_EXTERNAL_SCHEME_KEY: "defaultExternalScheme",
}

DEFAULT_DOMAIN_TEMPLATE: Final = "{{.Name}}.{{.Namespace}}.{{.Domain}}"
DEFAULT_TAG_TEMPLATE: Final = "{{.Tag}}-{{.Name}}"
DEFAULT_CLUSTER_DOMAIN: Final = "cluster.local"

#: What a domain template may refer to.
DOMAIN_TEMPLATE_FIELDS: Final = frozenset({"Name", "Namespace", "Domain"})
DOMAIN_TEMPLATE_MAPS: Final = frozenset({"Annotations", "Labels"})
#: What a tag template may refer to.
TAG_TEMPLATE_FIELDS: Final = frozenset({"Name", "Tag"})


class HTTPProtocol(StrEnum):
    """How plain HTTP is handled (``http-protocol``)."""

    ENABLED = "enabled"
    REDIRECTED = "redirected"
    #: Deprecated in Knative: the ClusterIngress gets no ``httpOption``.
    DISABLED = "disabled"


def parse_domain_template(source: str) -> Template:
    """A domain template, parsed (raises ``TemplateError``)."""
    return parse_template(source, fields=DOMAIN_TEMPLATE_FIELDS, maps=DOMAIN_TEMPLATE_MAPS)


def parse_tag_template(source: str) -> Template:
    """A tag template, parsed (raises ``TemplateError``)."""
    return parse_template(source, fields=TAG_TEMPLATE_FIELDS, maps=frozenset())


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """``config-network``, parsed."""

    ingress_class: str = DEFAULT_INGRESS_CLASS.value
    domain_template: Template = field(
        default_factory=lambda: parse_domain_template(DEFAULT_DOMAIN_TEMPLATE)
    )
    tag_template: Template = field(default_factory=lambda: parse_tag_template(DEFAULT_TAG_TEMPLATE))
    http_protocol: HTTPProtocol = HTTPProtocol.ENABLED
    #: Default gradual-rollout duration in whole seconds; 0 disables rollouts.
    rollout_duration: int = 0
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
    default_external_scheme: str = "http"

    @property
    def cluster_local_domain(self) -> str:
        """``svc.<cluster-domain>``: the domain of cluster-local hosts."""
        return f"svc.{self.cluster_domain}"


def parse_network(data: Mapping[str, str] | None) -> NetworkConfig:
    """``config-network``'s data (``None`` when the map does not exist)."""
    data = data or {}

    def value(key: str) -> str | None:
        if key in data:
            return data[key]
        legacy = _LEGACY.get(key)
        return data.get(legacy) if legacy is not None else None

    ingress_class = normalize_ingress_class(value(INGRESS_CLASS_KEY) or "")
    ingress_class = ingress_class or DEFAULT_INGRESS_CLASS.value
    return NetworkConfig(
        ingress_class=ingress_class,
        domain_template=_domain_template(value(DOMAIN_TEMPLATE_KEY)),
        tag_template=_tag_template(value(TAG_TEMPLATE_KEY)),
        http_protocol=_http_protocol(value(HTTP_PROTOCOL_KEY)),
        rollout_duration=_rollout_duration(value(ROLLOUT_DURATION_KEY)),
        cluster_domain=_cluster_domain(value(CLUSTER_DOMAIN_KEY)),
        default_external_scheme=_scheme(value(DEFAULT_EXTERNAL_SCHEME_KEY)),
    )


def _error(key: str, problem: str) -> ConfigError:
    return ConfigError(CONFIG_NETWORK, key, problem)


def _domain_template(source: str | None) -> Template:
    if source is None or source == "":
        return parse_domain_template(DEFAULT_DOMAIN_TEMPLATE)
    try:
        template = parse_domain_template(source)
    except TemplateError as error:
        raise _error(DOMAIN_TEMPLATE_KEY, str(error)) from error
    # Knative's check: rendered with sample values, the result must be a bare host.
    sample = template.render({"Name": "foo", "Namespace": "bar", "Domain": "baz.com"})
    if "/" in sample:
        path = sample[sample.index("/") :]
        raise _error(DOMAIN_TEMPLATE_KEY, f"domain template has url path: {path}")
    if not sample.split(":")[0]:
        raise _error(DOMAIN_TEMPLATE_KEY, "empty hostname")
    return template


def _tag_template(source: str | None) -> Template:
    if source is None or source == "":
        return parse_tag_template(DEFAULT_TAG_TEMPLATE)
    try:
        return parse_tag_template(source)
    except TemplateError as error:
        raise _error(TAG_TEMPLATE_KEY, str(error)) from error


def _http_protocol(raw: str | None) -> HTTPProtocol:
    if not raw:
        return HTTPProtocol.ENABLED
    try:
        return HTTPProtocol(raw.lower())
    except ValueError:
        raise _error(
            HTTP_PROTOCOL_KEY, f"httpProtocol {raw} in config-network ConfigMap is not supported"
        ) from None


def _rollout_duration(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 0
    try:
        seconds = int(raw.strip())
    except ValueError:
        raise _error(ROLLOUT_DURATION_KEY, f"{raw!r} is not a whole number of seconds") from None
    if seconds < 0:
        raise _error(
            ROLLOUT_DURATION_KEY,
            f"{ROLLOUT_DURATION_KEY} must be a positive integer, but was {seconds}",
        )
    return seconds


def _cluster_domain(raw: str | None) -> str:
    if not raw:
        return DEFAULT_CLUSTER_DOMAIN
    domain = raw.strip().rstrip(".")
    problems = kubenames.dns1123_subdomain(domain)
    if problems:
        raise _error(CLUSTER_DOMAIN_KEY, f"{domain!r} is not a DNS name: {'; '.join(problems)}")
    return domain


def _scheme(raw: str | None) -> str:
    if not raw:
        return "http"
    scheme = raw.strip().lower()
    if scheme not in ("http", "https"):
        raise _error(DEFAULT_EXTERNAL_SCHEME_KEY, f"{raw!r} is not http or https")
    return scheme
