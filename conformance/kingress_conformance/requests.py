"""What a conformance check sends: a request to one of the gateways.

A ``Request`` names the gateway it goes through (public for ExternalIP hosts,
private for ClusterLocal ones), whether it uses TLS, the Host, the path and
the headers the client sends. Every depth reads the same value: the offline
depth hands it to a model of the target gateway, the local and cluster depths
turn it into a real HTTP request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Gateway(StrEnum):
    """Which gateway a request goes through."""

    #: The public gateway: ExternalIP rules.
    PUBLIC = "public"
    #: The private (cluster-local) gateway: ClusterLocal rules.
    PRIVATE = "private"


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One client request, independent of how a depth sends it."""

    host: str
    path: str = "/"
    #: Client headers, in the order sent (names as written).
    headers: tuple[tuple[str, str], ...] = ()
    gateway: Gateway = Gateway.PUBLIC
    #: HTTPS (the gateway's TLS port) instead of plain HTTP.
    tls: bool = False

    def header(self, name: str) -> str | None:
        """The value the client sends for ``name`` (case-insensitive), if any."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def with_headers(self, headers: Mapping[str, str]) -> Request:
        """The same request with more headers (replacing same-named ones)."""
        lowered = {name.lower() for name in headers}
        kept = tuple((key, value) for key, value in self.headers if key.lower() not in lowered)
        return Request(
            host=self.host,
            path=self.path,
            headers=kept + tuple(headers.items()),
            gateway=self.gateway,
            tls=self.tls,
        )

    def describe(self) -> str:
        """A short human form: ``GET http://host/path [gateway] {headers}``."""
        scheme = "https" if self.tls else "http"
        extra = f" {dict(self.headers)}" if self.headers else ""
        return f"{scheme}://{self.host}{self.path} via {self.gateway}{extra}"


def request(
    host: str,
    path: str = "/",
    *,
    headers: Mapping[str, str] | None = None,
    private: bool = False,
    tls: bool = False,
) -> Request:
    """Build a ``Request``; ``private`` sends it through the cluster-local gateway."""
    return Request(
        host=host,
        path=path,
        headers=tuple((headers or {}).items()),
        gateway=Gateway.PRIVATE if private else Gateway.PUBLIC,
        tls=tls,
    )
