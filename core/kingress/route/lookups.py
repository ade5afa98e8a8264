"""Reading what the Route's traffic refers to: Configurations, Revisions, Revision Services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from kingress.api.serving import CONFIGURATION_KIND, GROUP, REVISION_KIND, Configuration, Revision
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object
from kingress.route.resources.ingress import DEFAULT_SERVICE_PORT
from kingress.route.rollout import Rollout
from kingress.route.traffic import ProtocolType, TrafficConfig

CONFIGURATION: Final = Kind(GROUP, CONFIGURATION_KIND)
REVISION: Final = Kind(GROUP, REVISION_KIND)
#: The port name a Revision's Service gives its h2c port, and its HTTP/1 port.
H2C_PORT_NAME: Final = "http2"
HTTP_PORT_NAME: Final = "http"


class ClusterLookup:
    """Configurations and Revisions of one namespace, read through the cluster
    (a ``TargetLookup``)."""

    def __init__(self, cluster: Cluster, namespace: str) -> None:
        self.cluster = cluster
        self.namespace = namespace

    def _get(self, kind: Kind, name: str) -> Object | None:
        try:
            return self.cluster.get(kind, self.namespace, name)
        except NotFound:
            return None

    def configuration(self, name: str) -> Configuration | None:
        """The Configuration, if it exists."""
        obj = self._get(CONFIGURATION, name)
        return Configuration.from_dict(obj) if obj is not None else None

    def revision(self, name: str) -> Revision | None:
        """The Revision, if it exists."""
        obj = self._get(REVISION, name)
        return Revision.from_dict(obj) if obj is not None else None


def service_ports(
    traffic: TrafficConfig, rollout: Rollout, get_service: Callable[[str], Object | None]
) -> dict[str, int | str]:
    """The port each Revision's split should use, by Revision name.

    The port of the Revision's Service named ``http2`` for an h2c Revision,
    ``http`` otherwise; 80 while that Service or port does not exist. Revisions
    still rolling out use the protocol of the target they belong to.
    """
    ports: dict[str, int | str] = {}
    for group, targets in traffic.groups.items():
        for target in targets:
            revisions = [target.revision_name]
            rolling = rollout.find(group, target.configuration_name)
            if target.latest_revision and rolling is not None:
                revisions += [r.revision_name for r in rolling.revisions]
            for revision in revisions:
                if revision not in ports:
                    ports[revision] = _port(get_service(revision), target.protocol)
    return ports


def _port(service: Object | None, protocol: ProtocolType) -> int | str:
    wanted = H2C_PORT_NAME if protocol is ProtocolType.H2C else HTTP_PORT_NAME
    for port in ((service or {}).get("spec") or {}).get("ports") or ():
        if port.get("name") == wanted and port.get("port"):
            number: int | str = port["port"]
            return number
    return DEFAULT_SERVICE_PORT
