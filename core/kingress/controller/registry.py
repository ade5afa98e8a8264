"""Every reconciler kingress runs, from one place.

``all_reconcilers`` is what ``kingress controller`` runs against a cluster;
``offline_reconcilers`` adds the stand-in kubelet that ``kingress reconcile``
needs because nothing runs the Deployments offline. Adding a controller is one
line in ``all_reconcilers``. The order is the order ``settle`` serves its
queue in: from the leaves of the ownership tree up to the Service (Revision,
Configuration, ClusterIngress, Route, the labeler, Service), so an owner is
reconciled once its children have settled rather than after each of their
steps. It does not change the result (each reconciler is level-based), only
how many reconciles it takes: 44 per Service instead of 60 in the scale
benchmark's two generations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kingress.backends import BackendRegistry
from kingress.controller.ingress import GatewayProber, IngressReconciler, IngressSettings
from kingress.controller.reconciler import Reconciler
from kingress.ingress.guard import DEFAULT_DEADLINE, CallGuard
from kingress.plugin.manager import build_registry
from kingress.route.reconciler import RouteReconciler
from kingress.serving.configuration import ConfigurationReconciler
from kingress.serving.labeler import Labeler
from kingress.serving.revision import RevisionReconciler
from kingress.serving.service import ServiceReconciler
from kingress.serving.standin_kubelet import DeploymentAvailability


@dataclass(frozen=True, slots=True)
class Options:
    """What the reconcilers may need from the process that runs them."""

    #: The installed backends; ``None`` loads them from the plugins.
    backends: BackendRegistry | None = None
    #: Decides whether the gateway serves an ingress; ``None`` assumes it does
    #: (offline). On a cluster: probes of the gateway pods.
    prober: GatewayProber | None = None
    #: The ClusterIngress controller's settings: system namespace of the
    #: backends' ConfigMaps, cluster domain, shared secret namespaces.
    ingress: IngressSettings = field(default_factory=IngressSettings)
    #: How long one backend call (``translate``, ``check_ready``) may run, in seconds.
    backend_deadline: float = DEFAULT_DEADLINE


def all_reconcilers(options: Options) -> list[Reconciler]:
    """Every controller kingress runs."""
    backends = options.backends if options.backends is not None else build_registry()
    return [
        RevisionReconciler(),
        ConfigurationReconciler(),
        IngressReconciler(
            backends,
            prober=options.prober,
            settings=options.ingress,
            guard=CallGuard(options.backend_deadline),
        ),
        RouteReconciler(),
        Labeler(),
        ServiceReconciler(),
    ]


def offline_reconcilers(
    *, pending: bool = False, backends: BackendRegistry | None = None
) -> list[Reconciler]:
    """Every controller, plus the stand-in kubelet offline runs need.

    :param pending: have the stand-in kubelet report Deployments as not yet
        available, so Revisions stay ``Deploying`` (see ``standin_kubelet``).
    :param backends: the backends to use instead of the installed plugins.
    """
    return [DeploymentAvailability(pending=pending), *all_reconcilers(Options(backends=backends))]
