"""The Revision reconciler: a Revision's Deployment and Kubernetes Service, and its status.

Knative's ``pkg/reconciler/revision``, reduced to what runs without an
autoscaler. Each reconcile:

1. applies the Deployment ``<revision>-deployment`` and the Kubernetes Service
   ``<revision>`` (one that the Revision does not control is left alone:
   ``ResourcesAvailable=False NotOwned``);
2. reads the Deployment (and, while no replica is available, its first pod)
   into ``ResourcesAvailable`` and ``ContainerHealthy`` (``revision_lifecycle``);
3. writes the status when it changed.

Not done, and said so in ``status.annotations`` (``serving.kingress.dev/not-implemented``)
rather than faked: resolving image tags to digests (``status.imageDigest``
stays empty, the image runs as written) and autoscaling (no PodAutoscaler,
no ``Active`` condition, one replica, no scale to zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from kingress.api.annotations import NOT_IMPLEMENTED_ANNOTATION, REVISION_LABEL
from kingress.api.serving import Revision, RevisionStatus
from kingress.cluster.port import Cluster, ObjectRef
from kingress.controller.apply import NotOwned, ensure
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch, label_mapper, owner_mapper
from kingress.serving import access, names, revision_lifecycle
from kingress.serving.resources.deployment import make_deployment, serving_container
from kingress.serving.resources.service import make_kubernetes_service
from kingress.serving.revision_lifecycle import DeploymentState, PodState

#: What ``status.annotations`` says kingress does not do for a Revision.
NOT_IMPLEMENTED: Final = (
    "image digest resolution (the image runs as written, status.imageDigest stays empty); "
    "autoscaling (no PodAutoscaler or Active condition: one replica, no scale to zero)"
)


def _first_pod(cluster: Cluster, revision: Revision) -> dict[str, Any] | None:
    pods = cluster.list(
        access.POD, revision.metadata.namespace or "", {REVISION_LABEL: revision.metadata.name}
    )
    return pods[0] if pods else None


class RevisionReconciler:
    """Runs each Revision as a Deployment behind a Kubernetes Service."""

    name: str = "revision"
    kind = access.REVISION

    def watches(self) -> Sequence[Watch]:
        """Its Deployment and Service (by owner) and its pods (by label)."""
        return (
            Watch(access.DEPLOYMENT, owner_mapper(access.REVISION)),
            Watch(access.KUBERNETES_SERVICE, owner_mapper(access.REVISION)),
            Watch(access.POD, label_mapper(access.REVISION, REVISION_LABEL)),
        )

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Apply the workload, then read its state into the status."""
        obj = access.get(ctx.cluster, access.REVISION, ref.namespace, ref.name)
        if obj is None or access.is_deleting(obj):
            return Result()
        revision = Revision.from_dict(obj)
        now = stamp(ctx.clock)
        status = revision_lifecycle.initialize_revision(revision.status, now)
        status = self._reconcile(ctx, obj, revision, status, now)
        status = status.model_copy(
            update={
                "observed_generation": revision.metadata.generation,
                "service_name": names.kubernetes_service(revision.metadata.name),
                "annotations": {**status.annotations, NOT_IMPLEMENTED_ANNOTATION: NOT_IMPLEMENTED},
            }
        )
        access.write_status(ctx.cluster, obj, status.to_dict())
        return Result()

    def _reconcile(
        self,
        ctx: Context,
        obj: dict[str, Any],
        revision: Revision,
        status: RevisionStatus,
        now: str,
    ) -> RevisionStatus:
        try:
            deployment = ensure(ctx.cluster, make_deployment(revision), obj)
            ensure(ctx.cluster, make_kubernetes_service(revision), obj)
        except NotOwned as error:
            return revision_lifecycle.mark_resource_not_owned(status, error.kind, error.name, now)
        state = DeploymentState.of(deployment)
        status = revision_lifecycle.propagate_deployment_status(status, state, now)
        if state.replicas > 0 and state.available_replicas == 0:
            pod = _first_pod(ctx.cluster, revision)
            if pod is not None:
                container = serving_container(revision).name
                status = revision_lifecycle.apply_pod_state(
                    status, PodState.of(pod, container), state, now
                )
        return status
