"""Hosts and URLs of a Route: the tag template, the domain template and ``config-domain``.

A traffic group's host is built in two steps, as in Knative:

1. the *hostname*: the Route's name for the default group, the
   ``tag-template`` (default ``{{.Tag}}-{{.Name}}``) for a tag — it also names
   the group's placeholder Service;
2. the *domain name*: the ``domain-template`` (default
   ``{{.Name}}.{{.Namespace}}.{{.Domain}}``) with ``.Name`` = the hostname and
   ``.Domain`` chosen from ``config-domain`` by the Route's labels.

A cluster-local group always uses the default template and the domain
``svc.<cluster-domain>``, and its rule answers to the short forms too
(``x.ns``, ``x.ns.svc``). Results that are not valid DNS names raise
``DomainError``, which the Route reports as ``AllTrafficAssigned=False
ErrorConfig``.
"""

from __future__ import annotations

from collections.abc import Mapping

from kingress.api import kubenames
from kingress.api.annotations import VISIBILITY_CLUSTER_LOCAL, VISIBILITY_LABEL
from kingress.api.ingress import Visibility
from kingress.api.meta import ObjectMeta
from kingress.config.network import DEFAULT_DOMAIN_TEMPLATE, parse_domain_template
from kingress.config.store import RouteConfig
from kingress.ingress.routing import expanded_hosts

_DEFAULT_DOMAIN_TEMPLATE = parse_domain_template(DEFAULT_DOMAIN_TEMPLATE)
#: apimachinery's DNS-1123 label length limit.
_LABEL_MAX_LENGTH = 63


class DomainError(ValueError):
    """A template produced a host that is not a valid DNS name."""


def hostname(config: RouteConfig, route_name: str, tag: str) -> str:
    """The hostname of a traffic group (and the name of its placeholder Service)."""
    if not tag:
        return route_name
    name = config.network.tag_template.render({"Name": route_name, "Tag": tag})
    problems = kubenames.dns1035_label(name)
    if problems:
        raise DomainError(
            f"tag-template produced {name!r} for tag {tag!r}, which is not a valid "
            f"Service name: {'; '.join(problems)}"
        )
    return name


def with_visibility(labels: Mapping[str, str], cluster_local: bool) -> dict[str, str]:
    """``labels`` with the visibility label set (cluster-local) or removed (Knative's
    ``SetVisibility``)."""
    result = {k: v for k, v in labels.items() if k != VISIBILITY_LABEL}
    if cluster_local:
        result[VISIBILITY_LABEL] = VISIBILITY_CLUSTER_LOCAL
    return result


def domain_name(config: RouteConfig, meta: ObjectMeta, name: str, *, cluster_local: bool) -> str:
    """The full domain of hostname ``name`` for a Route with metadata ``meta``."""
    labels = with_visibility(meta.labels, cluster_local)
    domain = config.domain.lookup(labels, config.network.cluster_domain)
    template = _DEFAULT_DOMAIN_TEMPLATE if cluster_local else config.network.domain_template
    result = template.render(
        {"Name": name, "Namespace": meta.namespace or "", "Domain": domain},
        {"Annotations": meta.annotations, "Labels": labels},
    )
    problem = fqdn_problem(result)
    if problem is not None:
        raise DomainError(f"invalid domain name {kubenames.go_quote(result)}: {problem}")
    return result


def domains_for_visibility(
    config: RouteConfig, meta: ObjectMeta, tag: str, visibility: Visibility
) -> tuple[str, ...]:
    """The hosts of one traffic group's rule of one visibility, sorted.

    External: the one domain; cluster-local: ``x.ns.svc.<cluster-domain>`` and
    its short forms.
    """
    cluster_local = visibility is Visibility.CLUSTER_LOCAL
    host = hostname(config, meta.name, tag)
    domain = domain_name(config, meta, host, cluster_local=cluster_local)
    if cluster_local:
        return expanded_hosts([domain], config.network.cluster_domain)
    return (domain,)


def url(scheme: str, host: str) -> str:
    """``scheme://host``."""
    return f"{scheme}://{host}"


def fqdn_problem(name: str) -> str | None:
    """Why ``name`` is not a fully qualified domain name, in apimachinery's words, or None."""
    if not name:
        return "url: Required value"
    name = name.removesuffix(".")
    problems = kubenames.dns1123_subdomain(name)
    if problems:
        return f"url: Invalid value: {kubenames.go_quote(name)}: {','.join(problems)}"
    labels = name.split(".")
    if len(labels) < 2:
        return (
            f"url: Invalid value: {kubenames.go_quote(name)}: "
            "should be a domain with at least two segments separated by dots"
        )
    for label in labels:
        # The subdomain pattern already holds for each label; only the length can fail.
        if len(label) > _LABEL_MAX_LENGTH:
            problem = kubenames.max_len_error(_LABEL_MAX_LENGTH)
            return f"url: Invalid value: {kubenames.go_quote(label)}: {problem}"
    return None
