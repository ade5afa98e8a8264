"""``config-features``: the feature flags the Route controller reads.

Only ``tag-header-based-routing`` matters here (Knative's default:
``Disabled``). Flag values are Knative's ``Enabled``, ``Disabled`` and
``Allowed``, case-insensitive; ``Allowed`` does not turn the routing on (it
has no per-Route switch). Other keys are Knative's and are ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kingress.config import ConfigError

CONFIG_FEATURES: Final = "config-features"
TAG_HEADER_BASED_ROUTING_KEY: Final = "tag-header-based-routing"


class Flag(StrEnum):
    """A feature flag's value."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    ALLOWED = "Allowed"


@dataclass(frozen=True, slots=True)
class FeaturesConfig:
    """``config-features``, parsed."""

    tag_header_based_routing: Flag = Flag.DISABLED

    @property
    def tag_header_routing_enabled(self) -> bool:
        """Whether requests may pick a tag with the ``Knative-Serving-Tag`` header."""
        return self.tag_header_based_routing is Flag.ENABLED


def parse_features(data: Mapping[str, str] | None) -> FeaturesConfig:
    """``config-features``'s data (``None`` when the map does not exist)."""
    data = data or {}
    legacy = f"features.{TAG_HEADER_BASED_ROUTING_KEY}"
    raw = data.get(TAG_HEADER_BASED_ROUTING_KEY, data.get(legacy))
    if raw is None or raw.strip() == "":
        return FeaturesConfig()
    return FeaturesConfig(tag_header_based_routing=_flag(TAG_HEADER_BASED_ROUTING_KEY, raw))


def _flag(key: str, raw: str) -> Flag:
    for flag in Flag:
        if raw.strip().lower() == flag.value.lower():
            return flag
    choices = ", ".join(flag.value for flag in Flag)
    raise ConfigError(CONFIG_FEATURES, key, f"{raw!r} is not one of {choices}")
