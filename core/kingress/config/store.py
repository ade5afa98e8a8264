"""Reading the Route controller's configuration maps from the cluster.

``config-network``, ``config-domain`` and ``config-features`` in
``knative-serving`` are read on every reconcile (the store is in memory or
behind an informer cache, so this is cheap) and parsed; a missing map means
Knative's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind
from kingress.config import SYSTEM_NAMESPACE
from kingress.config.domain import CONFIG_DOMAIN, DomainConfig, parse_domain
from kingress.config.features import CONFIG_FEATURES, FeaturesConfig, parse_features
from kingress.config.network import CONFIG_NETWORK, NetworkConfig, parse_network

CONFIG_MAP: Final = Kind("", "ConfigMap")
#: The maps a change to which re-reconciles every Route.
ROUTE_CONFIG_MAPS: Final = frozenset({CONFIG_NETWORK, CONFIG_DOMAIN, CONFIG_FEATURES})


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """Everything the Route controller reads from configuration maps."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    domain: DomainConfig = field(default_factory=DomainConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)


def _data(cluster: Cluster, name: str) -> Mapping[str, str] | None:
    try:
        obj = cluster.get(CONFIG_MAP, SYSTEM_NAMESPACE, name)
    except NotFound:
        return None
    data = obj.get("data") or {}
    return {str(k): str(v) for k, v in data.items()}


def load_route_config(cluster: Cluster) -> RouteConfig:
    """Read and parse the three maps; raises ``ConfigError`` for a bad value."""
    return RouteConfig(
        network=parse_network(_data(cluster, CONFIG_NETWORK)),
        domain=parse_domain(_data(cluster, CONFIG_DOMAIN)),
        features=parse_features(_data(cluster, CONFIG_FEATURES)),
    )


def is_route_config_map(obj: Mapping[str, object]) -> bool:
    """Whether a ConfigMap is one of the Route controller's configuration maps."""
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return False
    return meta.get("namespace") == SYSTEM_NAMESPACE and meta.get("name") in ROUTE_CONFIG_MAPS
