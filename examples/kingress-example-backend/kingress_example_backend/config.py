"""The example backend's configuration: its ``config-example`` ConfigMap, parsed and checked.

Keys (all optional):

- ``public-gateway``: the in-cluster host name published as the public load
  balancer (default ``example-gateway.kingress-example.svc.<cluster domain>``);
- ``private-gateway``: the same for the private (cluster-local) load balancer
  (default ``example-local-gateway.kingress-example.svc.<cluster domain>``).

Any other key is an error naming it, so a typo never goes unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kingress import TranslationError

PUBLIC_GATEWAY = "public-gateway"
PRIVATE_GATEWAY = "private-gateway"


@dataclass(frozen=True, slots=True)
class ExampleConfig:
    """Where the (imaginary) gateways of the example backend live."""

    public_gateway: str
    private_gateway: str

    @classmethod
    def parse(cls, data: Mapping[str, str], cluster_domain: str) -> ExampleConfig:
        """The configuration from a ConfigMap's data; ``TranslationError`` on unknown keys."""
        unknown = sorted(set(data) - {PUBLIC_GATEWAY, PRIVATE_GATEWAY})
        if unknown:
            raise TranslationError(
                f"config-example: unknown key(s) {', '.join(unknown)} "
                f"(known: {PUBLIC_GATEWAY}, {PRIVATE_GATEWAY})"
            )
        suffix = f"kingress-example.svc.{cluster_domain}"
        return cls(
            public_gateway=data.get(PUBLIC_GATEWAY) or f"example-gateway.{suffix}",
            private_gateway=data.get(PRIVATE_GATEWAY) or f"example-local-gateway.{suffix}",
        )
