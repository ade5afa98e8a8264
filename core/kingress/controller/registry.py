"""The one list of the controllers kingress runs offline (``kingress reconcile``).

Adding a controller is one line in ``offline_reconcilers``. The order is the
order ``settle`` first visits objects in; it does not change the result (each
reconciler is level-based), only how many passes it takes.
"""

from __future__ import annotations

from kingress.controller.reconciler import Reconciler
from kingress.serving.configuration import ConfigurationReconciler
from kingress.serving.labeler import Labeler
from kingress.serving.revision import RevisionReconciler
from kingress.serving.service import ServiceReconciler
from kingress.serving.standin_kubelet import DeploymentAvailability


def offline_reconcilers(*, pending: bool = False) -> list[Reconciler]:
    """Every installed controller, plus the stand-in kubelet offline runs need.

    :param pending: have the stand-in kubelet report Deployments as not yet
        available, so Revisions stay ``Deploying`` (see ``standin_kubelet``).
    """
    return [
        ServiceReconciler(),
        ConfigurationReconciler(),
        RevisionReconciler(),
        Labeler(),
        # The Route and ClusterIngress controllers go here, one line each.
        DeploymentAvailability(pending=pending),
    ]
