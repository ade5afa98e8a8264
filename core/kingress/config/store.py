"""Reading the Route controller's configuration maps from the cluster.

``config-network``, ``config-domain`` and ``config-features`` in
``knative-serving`` are read on every reconcile (the store is in memory or
behind an informer cache, so this is cheap) and parsed; a missing map means
Knative's defaults. ``RouteConfigLoader`` parses them again only when one of
them changed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind
from kingress.config import SYSTEM_NAMESPACE
from kingress.config.domain import CONFIG_DOMAIN, DomainConfig, parse_domain
from kingress.config.features import CONFIG_FEATURES, FeaturesConfig, parse_features
from kingress.config.network import CONFIG_NETWORK, NetworkConfig, parse_network
from kingress.frozen import FrozenDict

CONFIG_MAP: Final = Kind("", "ConfigMap")
#: The maps a change to which re-reconciles every Route.
ROUTE_CONFIG_MAPS: Final = frozenset({CONFIG_NETWORK, CONFIG_DOMAIN, CONFIG_FEATURES})


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """Everything the Route controller reads from configuration maps."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    domain: DomainConfig = field(default_factory=DomainConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)


#: The maps in the order ``_parse`` takes them.
_MAPS: Final = (CONFIG_NETWORK, CONFIG_DOMAIN, CONFIG_FEATURES)

_Maps = tuple[Mapping[str, object] | None, ...]


def _read(cluster: Cluster) -> _Maps:
    found: list[Mapping[str, object] | None] = []
    for name in _MAPS:
        try:
            found.append(cluster.get(CONFIG_MAP, SYSTEM_NAMESPACE, name))
        except NotFound:
            found.append(None)
    return tuple(found)


def _data(obj: Mapping[str, object] | None) -> Mapping[str, str] | None:
    if obj is None:
        return None
    data: Any = obj.get("data") or {}
    return {str(k): str(v) for k, v in data.items()}


def _parse(maps: _Maps) -> RouteConfig:
    network, domain, features = maps
    return RouteConfig(
        network=parse_network(_data(network)),
        domain=parse_domain(_data(domain)),
        features=parse_features(_data(features)),
    )


def load_route_config(cluster: Cluster) -> RouteConfig:
    """Read and parse the three maps; raises ``ConfigError`` for a bad value."""
    return _parse(_read(cluster))


class RouteConfigLoader:
    """``load_route_config``, parsed again only when one of the maps changed.

    The store's objects are frozen, and a changed map is a new object: while
    each of the three is the very object (or absence) parsed last time, the
    last result stands. Maps that are not frozen (could change in place) are
    parsed every time; a bad value is never remembered. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[_Maps, RouteConfig] | None = None

    def load(self, cluster: Cluster) -> RouteConfig:
        """The parsed maps; raises ``ConfigError`` for a bad value."""
        maps = _read(cluster)
        with self._lock:
            last = self._last
        if last is not None and all(a is b for a, b in zip(last[0], maps, strict=True)):
            return last[1]
        config = _parse(maps)
        if all(obj is None or type(obj) is FrozenDict for obj in maps):
            with self._lock:
                self._last = (maps, config)
        return config


def is_route_config_map(obj: Mapping[str, object]) -> bool:
    """Whether a ConfigMap is one of the Route controller's configuration maps."""
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return False
    return meta.get("namespace") == SYSTEM_NAMESPACE and meta.get("name") in ROUTE_CONFIG_MAPS
