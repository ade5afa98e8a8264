"""The Configuration reconciler: one immutable Revision per generation.

Knative's ``pkg/reconciler/configuration``. Each reconcile:

1. finds the Revision of the current generation by its labels
   (``serving.knative.dev/configuration`` + ``configurationGeneration``), or
   by the template's chosen name, and creates it when there is none;
2. records it as ``latestCreatedRevisionName``; Ready is Unknown until it is
   ready, False (``RevisionFailed``) when it failed;
3. sets ``latestReadyRevisionName`` to the newest ready Revision from the last
   ready one's generation on, so a failed new Revision never clobbers the
   last one that worked;
4. writes the status when it changed.

A chosen name held by another Configuration's Revision, or by this one's for
another generation with another spec, fails the Configuration
(``RevisionFailed``, Kubernetes' ``already exists`` message) instead of
adopting that Revision. Revisions are never updated or deleted here (revision
garbage collection is not implemented).

Creating the Revision is idempotent: a create answered ``AlreadyExists`` for
a Revision this Configuration controls (an earlier create whose answer was
lost, or one the cache has not shown yet) is that Revision, not a name taken.
A refusal that retrying may cure (``errors.is_transient``: a 409 conflict, a
5xx) is retried with the status left as it was; only a refusal that will not
pass is reported as ``RevisionFailed`` — where Knative marks every failed
create, a routine conflict would turn a Service ``Ready=False``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kingress.api.annotations import CONFIGURATION_GENERATION_LABEL, CONFIGURATION_LABEL
from kingress.api.conditions import READY, ConditionStatus, get_condition
from kingress.api.serving import Configuration, ConfigurationStatus, Revision
from kingress.cluster.errors import AlreadyExists, ApiError, Conflict, is_transient
from kingress.cluster.port import ObjectRef
from kingress.controller.apply import is_controlled_by
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch, owner_mapper
from kingress.serving import access, lifecycle
from kingress.serving.resources.revision import generation_of, make_revision


class NameTaken(Exception):
    """The Revision name this generation needs belongs to something else."""

    def __init__(self, name: str) -> None:
        # Kubernetes' AlreadyExists message, as Knative reports it.
        super().__init__(f'revisions.serving.knative.dev "{name}" already exists')
        self.name = name


def _generation(revision: Revision) -> int:
    try:
        return int(revision.metadata.labels.get(CONFIGURATION_GENERATION_LABEL, ""))
    except ValueError:
        return 0


def _owned_revisions(ctx: Context, configuration: Configuration) -> list[Revision]:
    """The Configuration's Revisions (by label; only those it controls)."""
    uid = configuration.metadata.uid or ""
    return [
        Revision.from_dict(obj)
        for obj in ctx.cluster.list(
            access.REVISION,
            configuration.metadata.namespace or "",
            {CONFIGURATION_LABEL: configuration.metadata.name},
        )
        if is_controlled_by(obj, uid)
    ]


def latest_created_revision(ctx: Context, configuration: Configuration) -> Revision | None:
    """The Revision of the current generation, ``None`` if not made yet; ``NameTaken``."""
    namespace = configuration.metadata.namespace or ""
    chosen = configuration.spec.template.metadata.name
    if chosen:
        found = access.get(ctx.cluster, access.REVISION, namespace, chosen)
        if found is None:
            return None
        if not is_controlled_by(found, configuration.metadata.uid or ""):
            raise NameTaken(chosen)
        revision = Revision.from_dict(found)
        if _generation(revision) == generation_of(configuration):
            return revision
        if revision.spec != configuration.spec.template.spec:
            raise NameTaken(chosen)
        return revision
    generation = generation_of(configuration)
    return next(
        (r for r in _owned_revisions(ctx, configuration) if _generation(r) == generation), None
    )


def _is_ready(revision: Revision) -> bool:
    return revision.status.is_ready(revision.metadata.generation)


def newest_ready(ctx: Context, configuration: Configuration) -> Revision | None:
    """Knative's ``findAndSetLatestReadyRevision`` search: newest ready first.

    Only Revisions from the last ready one's generation up to the current
    generation are considered; a chosen-name Revision comes first.
    """
    revisions = _owned_revisions(ctx, configuration)
    last_ready = configuration.status.latest_ready_revision_name
    start = next((_generation(r) for r in revisions if r.metadata.name == last_ready), 0)
    chosen = configuration.spec.template.metadata.name
    candidates = sorted(
        (r for r in revisions if start <= _generation(r) <= generation_of(configuration)),
        key=lambda r: (r.metadata.name != chosen or not chosen, -_generation(r)),
    )
    return next((r for r in candidates if _is_ready(r)), None)


def revision_outcome(
    status: ConfigurationStatus, revision: Revision, now: str
) -> ConfigurationStatus:
    """The latest created Revision's readiness reflected on the Configuration."""
    status = lifecycle.set_latest_created(status, revision.metadata.name, now)
    ready = get_condition(revision.status.conditions, READY)
    if ready is not None and ready.status is ConditionStatus.FALSE:
        status = lifecycle.mark_latest_created_failed(
            status, revision.metadata.name, ready.message or "", now
        )
    return status


class ConfigurationReconciler:
    """Stamps each Configuration's Revisions and tracks the latest ready one."""

    name: str = "configuration"
    kind = access.CONFIGURATION

    def watches(self) -> Sequence[Watch]:
        """Revisions, mapped to the Configuration controlling them."""
        return (Watch(access.REVISION, owner_mapper(access.CONFIGURATION)),)

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Ensure this generation's Revision exists, then compute the status.

        A failed create is reported on the Configuration (``RevisionFailed``)
        and then raised, so the runner retries it; a transient one is only raised.
        """
        obj = access.get(ctx.cluster, access.CONFIGURATION, ref.namespace, ref.name)
        if obj is None or access.is_deleting(obj):
            return Result()
        configuration = Configuration.from_dict(obj)
        now = stamp(ctx.clock)
        status = lifecycle.initialize_configuration(configuration.status, now)
        failure: ApiError | None = None
        try:
            status = self._reconcile(ctx, configuration, status, now)
        except ApiError as error:
            if is_transient(error):
                raise
            status = lifecycle.mark_revision_creation_failed(status, error.message, now)
            failure = error
        status = status.model_copy(
            update={"observed_generation": configuration.metadata.generation}
        )
        access.write_status(ctx.cluster, obj, status.to_dict())
        if failure is not None:
            raise failure
        return Result()

    def _reconcile(
        self, ctx: Context, configuration: Configuration, status: ConfigurationStatus, now: str
    ) -> ConfigurationStatus:
        try:
            revision = latest_created_revision(ctx, configuration)
            if revision is None:
                revision = self._create(ctx, configuration)
        except NameTaken as taken:
            return lifecycle.mark_revision_creation_failed(status, str(taken), now)
        status = revision_outcome(status, revision, now)
        ready = newest_ready(ctx, configuration.model_copy(update={"status": status}))
        if ready is not None:
            status = lifecycle.set_latest_ready(status, ready.metadata.name, now)
        return status

    def _create(self, ctx: Context, configuration: Configuration) -> Revision:
        desired = make_revision(configuration)
        try:
            return Revision.from_dict(ctx.cluster.create(desired.to_dict()))
        except AlreadyExists:
            pass
        # Ours (created before, its answer lost) once the cache we read shows it.
        revision = latest_created_revision(ctx, configuration)
        if revision is not None:
            return revision
        name = desired.metadata.name
        if access.get(ctx.cluster, access.REVISION, desired.metadata.namespace or "", name) is None:
            raise Conflict(f'revisions.serving.knative.dev "{name}" exists but is not visible yet')
        raise NameTaken(name)
