"""kingress backend for Contour: ClusterIngress → HTTPProxy (projectcontour.io/v1).

Public names: ``ContourBackend`` (the backend), ``ContourConfig`` (its parsed
configuration), ``FEATURES`` (what it claims) and the class it serves,
``CONTOUR_INGRESS_CLASS``. ``kingress_contour.precedence`` is the documented
model of Contour's route selection, usable by conformance checks.
"""

from __future__ import annotations

from kingress_contour.backend import FEATURES, ContourBackend
from kingress_contour.config import ConfigError, ContourConfig
from kingress_contour.constants import BACKEND_NAME, CONTOUR_INGRESS_CLASS

__all__ = [
    "BACKEND_NAME",
    "CONTOUR_INGRESS_CLASS",
    "FEATURES",
    "ConfigError",
    "ContourBackend",
    "ContourConfig",
]
