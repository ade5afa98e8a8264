"""Per-Route settings read from annotations, falling back to ``config-network``.

- ingress class: ``networking.knative.dev/ingress.class``, else
  ``networking.knative.dev/ingress-class``, else ``ingress-class``, else
  ``istio.ingress.networking.knative.dev``; short aliases are expanded;
- plain-HTTP option: ``networking.knative.dev/http-protocol`` (alternative
  ``networking.knative.dev/httpOption``), else ``http-protocol``;
- rollout duration: ``serving.knative.dev/rollout-duration`` (alternative
  ``serving.knative.dev/rolloutDuration``), else ``rollout-duration``.
"""

from __future__ import annotations

from collections.abc import Mapping

from kingress.api.annotations import (
    HTTP_PROTOCOL,
    HTTP_PROTOCOL_ALT,
    INGRESS_CLASS,
    INGRESS_CLASS_ALT,
    ROLLOUT_DURATION,
    ROLLOUT_DURATION_ALT,
    normalize_ingress_class,
)
from kingress.api.durations import SECOND, parse_go_duration
from kingress.api.ingress import HTTPOption
from kingress.config.network import HTTPProtocol, NetworkConfig


class HTTPProtocolError(ValueError):
    """The Route's http-protocol annotation names no known option."""


def _first(annotations: Mapping[str, str], *keys: str) -> str:
    return next((annotations[k] for k in keys if annotations.get(k)), "")


def ingress_class_for(annotations: Mapping[str, str], network: NetworkConfig) -> str:
    """The Route's ingress class, as a full class name."""
    chosen = _first(annotations, INGRESS_CLASS, INGRESS_CLASS_ALT)
    return normalize_ingress_class(chosen) or network.ingress_class


def http_option_for(annotations: Mapping[str, str], network: NetworkConfig) -> str:
    """The ClusterIngress ``httpOption`` (empty for the deprecated ``disabled``)."""
    raw = _first(annotations, HTTP_PROTOCOL, HTTP_PROTOCOL_ALT)
    if raw:
        protocol = raw.lower()
        if protocol == HTTPProtocol.ENABLED:
            return HTTPOption.ENABLED.value
        if protocol == HTTPProtocol.REDIRECTED:
            return HTTPOption.REDIRECTED.value
        raise HTTPProtocolError(f"incorrect http-protocol annotation: {protocol}")
    if network.http_protocol is HTTPProtocol.ENABLED:
        return HTTPOption.ENABLED.value
    if network.http_protocol is HTTPProtocol.REDIRECTED:
        return HTTPOption.REDIRECTED.value
    return ""


def rollout_duration_for(annotations: Mapping[str, str], network: NetworkConfig) -> int:
    """The rollout duration in whole seconds (0: no gradual rollout).

    An annotation that does not parse counts as absent (admission rejects it).
    """
    raw = _first(annotations, ROLLOUT_DURATION, ROLLOUT_DURATION_ALT)
    seconds = 0
    if raw:
        try:
            seconds = parse_go_duration(raw) // SECOND
        except ValueError:
            seconds = 0
    return seconds if seconds != 0 else network.rollout_duration
