"""Knative's controller configuration: the ConfigMaps in ``knative-serving``, parsed.

Each map is parsed once into a frozen dataclass with Knative's defaults; a
missing map means all defaults, and a bad value raises ``ConfigError`` naming
the map, the key and what is wrong.
"""

from __future__ import annotations

from typing import Final

#: The namespace Knative's configuration maps live in.
SYSTEM_NAMESPACE: Final = "knative-serving"


class ConfigError(ValueError):
    """A configuration map holds a value kingress cannot use.

    ``str()`` reads ``<map>: <key>: <problem>`` so it can go straight into a
    condition message.
    """

    def __init__(self, config_map: str, key: str, problem: str) -> None:
        super().__init__(f"{config_map}: {key}: {problem}")
        self.config_map = config_map
        self.key = key
        self.problem = problem
