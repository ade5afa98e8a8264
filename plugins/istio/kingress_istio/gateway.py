"""The per-ingress TLS ``Gateway``: HTTPS servers and the plain-HTTP redirect.

Made only when ``spec.tls`` names hosts of ExternalIP rules. It selects the
external gateway pods (``external-gateway-selector``) and holds:

- one HTTPS server per TLS entry: port 443, ``tls.mode: SIMPLE``,
  ``credentialName`` the entry's secret, ``hosts`` the entry's hosts (all
  ExternalIP hosts when the entry lists none);
- with ``httpOption: Redirected``, one HTTP server on port 80 for the
  ExternalIP hosts that have a certificate, with ``tls.httpsRedirect: true``:
  Istio answers plain HTTP for them with a 301 to https.

Istio merges the servers of every Gateway selecting the same pods, so plain
HTTP for other hosts (and ``Enabled``) keeps being served by the shared
gateway's port-80 server. The ingress VirtualService binds its ExternalIP routes
to this Gateway too; that is what puts them on port 443 and what makes the
redirect apply.

Istio reads ``credentialName`` from the namespace of the gateway pods, and
kingress's pure translation cannot copy a secret there (net-istio's reconciler
does). A TLS entry whose secret lives anywhere else is therefore refused with
``NotSupported`` naming the field, rather than producing a listener without a
certificate. TLS for ClusterLocal hosts (served by the local gateway) is not
supported either.
"""

from __future__ import annotations

from kingress import ClusterIngress, HTTPOption, IngressTLS, NotSupported, Visibility
from kingress_istio import names
from kingress_istio.config import IstioConfig
from kingress_istio.objects import Kind, Object, ingress_namespace, make_object

HTTPS_PORT = 443
HTTP_PORT = 80


def external_hosts(ingress: ClusterIngress) -> tuple[str, ...]:
    """Every host of an ExternalIP rule, sorted."""
    return tuple(
        sorted(
            {
                host
                for rule in ingress.spec.rules
                if rule.visibility == Visibility.EXTERNAL_IP
                for host in rule.hosts
            }
        )
    )


def tls_gateway_reference(ingress: ClusterIngress) -> str:
    """``<namespace>/<name>`` of the ingress's TLS Gateway, as VirtualServices name it."""
    return f"{ingress_namespace(ingress)}/{names.tls_gateway(ingress.metadata.name)}"


def make_tls_gateway(ingress: ClusterIngress, config: IstioConfig) -> Object | None:
    """The per-ingress Gateway, or ``None`` when no TLS entry covers an ExternalIP host."""
    public = external_hosts(ingress)
    cluster_local = {
        host
        for rule in ingress.spec.rules
        if rule.visibility == Visibility.CLUSTER_LOCAL
        for host in rule.hosts
    } - set(public)
    servers: list[Object] = []
    certified: set[str] = set()
    for index, entry in enumerate(ingress.spec.tls):
        hosts = _tls_hosts(entry, public, cluster_local, index)
        if not hosts:
            continue
        _check_secret_namespace(entry, config, index)
        certified.update(hosts)
        servers.append(_https_server(entry, hosts, index))
    if not servers:
        return None
    redirected = sorted(certified & set(public))
    if ingress.spec.http_option == HTTPOption.REDIRECTED and redirected:
        servers.append(_redirect_server(redirected))
    spec: Object = {"selector": dict(config.external_selector), "servers": servers}
    return make_object(Kind.GATEWAY, names.tls_gateway(ingress.metadata.name), ingress, spec)


def _tls_hosts(
    entry: IngressTLS, public: tuple[str, ...], cluster_local: set[str], index: int
) -> list[str]:
    hosts = sorted(set(entry.hosts)) if entry.hosts else list(public)
    private = sorted(cluster_local.intersection(hosts))
    if private:
        raise NotSupported(
            f"spec.tls[{index}].hosts: {', '.join(private)} only belong to ClusterLocal rules; "
            "the istio backend terminates TLS on the external gateway only"
        )
    return hosts


def _check_secret_namespace(entry: IngressTLS, config: IstioConfig, index: int) -> None:
    if entry.secret_namespace != config.credential_namespace:
        raise NotSupported(
            f"spec.tls[{index}].secretNamespace: Istio gateways read certificates only from "
            f"their own namespace {config.credential_namespace!r}, and the istio backend does "
            f"not copy secrets; put secret {entry.secret_name!r} in "
            f"{config.credential_namespace!r} (it is in {entry.secret_namespace!r})"
        )


def _https_server(entry: IngressTLS, hosts: list[str], index: int) -> Object:
    return {
        "hosts": hosts,
        "port": {"name": f"https-{index}", "number": HTTPS_PORT, "protocol": "HTTPS"},
        "tls": {"mode": "SIMPLE", "credentialName": entry.secret_name},
    }


def _redirect_server(hosts: list[str]) -> Object:
    return {
        "hosts": hosts,
        "port": {"name": "http-redirect", "number": HTTP_PORT, "protocol": "HTTP"},
        "tls": {"httpsRedirect": True},
    }
