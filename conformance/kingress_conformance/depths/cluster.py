"""The cluster depth: not implemented yet; every case is skipped, saying so.

What it will do (docs/conformance.md, "Running on kind"): create the test
servers as Deployments and Services from the ``conformance/Dockerfile`` image,
the ClusterIngresses with the class under test, wait for Ready
(``observedGeneration == generation``, polling every second up to a limit)
through ``kingress.cluster.port.Cluster``, reach the gateway through the load
balancer status or ``--ingress-endpoint`` and evaluate the checks with
``depths.live`` exactly as the local depth does. Until then the suite reports
``skipped`` rather than pretending.
"""

from __future__ import annotations

from kingress import Backend
from kingress_conformance.depths.local import Unavailable
from kingress_conformance.suite import Options

REASON = "the cluster depth is not implemented yet (see docs/conformance.md)"


class ClusterSession:
    """Opens as ``Unavailable`` until the cluster depth exists."""

    @classmethod
    def open(cls, backend: Backend, options: Options) -> Unavailable:
        """Every case skipped with ``REASON``."""
        return Unavailable(backend, REASON)
