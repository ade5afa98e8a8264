"""Conversion between the seed's v1alpha1 serving kinds and v1 (the storage version).

Up (v1alpha1 → v1) follows Knative's v1alpha1 ``ConvertUp``:

- ``runLatest`` → ``traffic: [{latestRevision: true, percent: 100}]``;
- ``release`` ``[current, candidate]`` with ``rolloutPercent: p`` → tags
  ``current`` (100-p, pinned), ``candidate`` (p, pinned) and ``latest`` (no
  percent, latestRevision); with one revision → ``current`` 100 and ``latest``;
  ``@latest`` becomes ``latestRevision: true``;
- ``pinned`` → ``traffic: [{revisionName, percent: 100}]``;
- ``manual`` → no traffic (Knative refuses to convert it; kingress keeps it);
- ``revisionTemplate.spec.container`` → ``template.spec.containers[0]``.

Knative's conversion down loses the form. kingress records it in the
``serving.kingress.dev/v1alpha1-form`` annotation, so down (v1 → v1alpha1)
rebuilds exactly the form that was written and strips the annotation. A v1
Service without the record (or whose traffic no longer fits its form) renders
in the v1 shape that later v1alpha1 also accepted (``template`` + ``traffic``);
only a ``manual`` record that still holds (no traffic) is kept there, since
manual with a template has no seed form.

Statuses: v1 ``url`` ``http://<host>`` ↔ ``domain``; ``address.url`` ↔
``domainInternal`` and ``address.hostname``; traffic, revision names,
``observedGeneration`` and conditions carry over. These functions are pure and
apply no defaults; ``serving_kinds`` defaults after converting up.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kingress.api import serving as v1
from kingress.api import serving_v1alpha1 as a
from kingress.api.annotations import V1ALPHA1_FORM_ANNOTATION
from kingress.api.meta import ObjectMeta
from kingress.api.serving import TrafficTarget
from kingress.api.status import Status

# --- revision specs and templates ---------------------------------------------


def revision_spec_up(spec: a.RevisionSpec) -> v1.RevisionSpec:
    """``container`` (and any ``containers``) become the v1 ``containers`` list."""
    single = (spec.container,) if spec.container is not None else ()
    return v1.RevisionSpec.model_validate(
        {
            **(spec.model_extra or {}),
            "containers": (*single, *spec.containers),
            "container_concurrency": spec.container_concurrency,
            "timeout_seconds": spec.timeout_seconds,
            "service_account_name": spec.service_account_name,
        }
    )


def revision_spec_down(spec: v1.RevisionSpec) -> a.RevisionSpec:
    """A single container renders as ``container``; several stay a ``containers`` list."""
    single = len(spec.containers) == 1
    return a.RevisionSpec.model_validate(
        {
            **(spec.model_extra or {}),
            "container": spec.containers[0] if single else None,
            "containers": () if single else spec.containers,
            "container_concurrency": spec.container_concurrency,
            "timeout_seconds": spec.timeout_seconds,
            "service_account_name": spec.service_account_name,
        }
    )


def template_up(template: a.RevisionTemplateSpec | None) -> v1.RevisionTemplateSpec:
    """A v1alpha1 revision template as v1 (an absent one is empty)."""
    if template is None:
        return v1.RevisionTemplateSpec()
    return v1.RevisionTemplateSpec(metadata=template.metadata, spec=revision_spec_up(template.spec))


def template_down(template: v1.RevisionTemplateSpec) -> a.RevisionTemplateSpec:
    """A v1 revision template as v1alpha1."""
    return a.RevisionTemplateSpec(
        metadata=template.metadata, spec=revision_spec_down(template.spec)
    )


# --- statuses ----------------------------------------------------------------------


def _status_base(status: Status) -> dict[str, Any]:
    return {
        "observed_generation": status.observed_generation,
        "conditions": status.conditions,
        "annotations": status.annotations,
    }


def _host(url: str) -> str:
    return urlsplit(url).netloc if url else ""


def _route_fields_up(status: a.RouteStatus) -> dict[str, Any]:
    url = status.url or (f"http://{status.domain}" if status.domain else "")
    address = status.address
    internal = (address.hostname if address is not None else "") or status.domain_internal
    address_url = (address.url if address is not None else "") or (
        f"http://{internal}" if internal else ""
    )
    extra = (address.model_extra or {}) if address is not None else {}
    addressable = (
        v1.Addressable.model_validate({**extra, "url": address_url})
        if address_url or extra
        else None
    )
    return {"url": url, "address": addressable, "traffic": status.traffic}


def _route_fields_down(
    url: str, address: v1.Addressable | None, traffic: tuple[TrafficTarget, ...]
) -> dict[str, Any]:
    internal = _host(address.url) if address is not None else ""
    rendered = None
    if address is not None:
        rendered = a.Address.model_validate(
            {**(address.model_extra or {}), "hostname": internal, "url": address.url}
        )
    return {
        "domain": _host(url),
        "domain_internal": internal,
        "url": url,
        "address": rendered,
        "traffic": traffic,
    }


def service_status_up(status: a.ServiceStatus) -> v1.ServiceStatus:
    """A v1alpha1 Service status as v1."""
    return v1.ServiceStatus.model_validate(
        {
            **_status_base(status),
            **_route_fields_up(status),
            "latest_ready_revision_name": status.latest_ready_revision_name,
            "latest_created_revision_name": status.latest_created_revision_name,
        }
    )


def service_status_down(status: v1.ServiceStatus) -> a.ServiceStatus:
    """A v1 Service status as v1alpha1."""
    return a.ServiceStatus.model_validate(
        {
            **_status_base(status),
            **_route_fields_down(status.url, status.address, status.traffic),
            "latest_ready_revision_name": status.latest_ready_revision_name,
            "latest_created_revision_name": status.latest_created_revision_name,
        }
    )


def route_status_up(status: a.RouteStatus) -> v1.RouteStatus:
    """A v1alpha1 Route status as v1."""
    return v1.RouteStatus.model_validate({**_status_base(status), **_route_fields_up(status)})


def route_status_down(status: v1.RouteStatus) -> a.RouteStatus:
    """A v1 Route status as v1alpha1."""
    fields = _route_fields_down(status.url, status.address, status.traffic)
    return a.RouteStatus.model_validate({**_status_base(status), **fields})


# --- Service ---------------------------------------------------------------------


def _release_traffic(release: a.ReleaseType) -> tuple[TrafficTarget, ...]:
    revisions = release.revisions
    percent = release.rollout_percent or 0
    if len(revisions) >= 2:
        targets = [
            TrafficTarget(
                tag=a.RELEASE_CURRENT_TAG, revision_name=revisions[0], percent=100 - percent
            ),
            TrafficTarget(tag=a.RELEASE_CANDIDATE_TAG, revision_name=revisions[1], percent=percent),
        ]
    else:
        name = revisions[0] if revisions else ""
        targets = [TrafficTarget(tag=a.RELEASE_CURRENT_TAG, revision_name=name, percent=100)]
    targets.append(TrafficTarget(tag=a.RELEASE_LATEST_TAG, latest_revision=True))
    return tuple(
        target.model_copy(update={"revision_name": "", "latest_revision": True})
        if target.revision_name == a.RELEASE_LATEST_REVISION
        else target
        for target in targets
    )


def service_up(service: a.Service) -> v1.Service:
    """A v1alpha1 Service as v1, its form recorded in an annotation."""
    spec = service.spec
    form: str | None = None
    traffic: tuple[TrafficTarget, ...] = ()
    if spec.run_latest is not None:
        form = "runLatest"
        traffic = (TrafficTarget(percent=100, latest_revision=True),)
    elif spec.release is not None:
        form = "release"
        traffic = _release_traffic(spec.release)
    elif spec.pinned is not None:
        form = "pinned"
        traffic = (TrafficTarget(revision_name=spec.pinned.revision_name, percent=100),)
    elif spec.manual is not None:
        form = "manual"
    else:
        traffic = spec.traffic
    configuration = spec.configuration()
    if form is None:
        template = template_up(spec.template)
    else:
        template = template_up(configuration.revision_template if configuration else None)
    annotations = dict(service.metadata.annotations)
    if form is not None:
        annotations[V1ALPHA1_FORM_ANNOTATION] = form
    return v1.Service(
        metadata=service.metadata.model_copy(update={"annotations": annotations}),
        spec=v1.ServiceSpec(template=template, traffic=traffic),
        status=service_status_up(service.status),
    )


def _is_latest(target: TrafficTarget) -> bool:
    return not target.revision_name and target.latest_revision is not False


def _is_plain(target: TrafficTarget) -> bool:
    return not (target.tag or target.configuration_name or target.url)


def _run_latest_fits(traffic: tuple[TrafficTarget, ...]) -> bool:
    return (
        len(traffic) == 1
        and _is_plain(traffic[0])
        and _is_latest(traffic[0])
        and traffic[0].percent == 100
    )


def _pinned_fits(traffic: tuple[TrafficTarget, ...]) -> bool:
    return (
        len(traffic) == 1
        and _is_plain(traffic[0])
        and bool(traffic[0].revision_name)
        and not traffic[0].latest_revision
        and traffic[0].percent == 100
    )


def _release_from(traffic: tuple[TrafficTarget, ...]) -> tuple[tuple[str, ...], int] | None:
    """The revisions and rollout percent of a release-shaped traffic block, if it is one."""
    tags = tuple(target.tag for target in traffic)
    if tags not in (
        (a.RELEASE_CURRENT_TAG, a.RELEASE_LATEST_TAG),
        (a.RELEASE_CURRENT_TAG, a.RELEASE_CANDIDATE_TAG, a.RELEASE_LATEST_TAG),
    ):
        return None
    *named, latest = traffic
    if not _is_latest(latest) or latest.percent or latest.configuration_name or latest.url:
        return None
    if any(target.configuration_name or target.url for target in named):
        return None
    revisions = tuple(
        a.RELEASE_LATEST_REVISION if _is_latest(target) else target.revision_name
        for target in named
    )
    rollout = (named[1].percent or 0) if len(named) == 2 else 0
    if (named[0].percent or 0) != 100 - rollout:
        return None
    return revisions, rollout


def service_down(service: v1.Service) -> a.Service:
    """A v1 Service as v1alpha1: the recorded form when the traffic still fits it."""
    annotations = dict(service.metadata.annotations)
    form = annotations.pop(V1ALPHA1_FORM_ANNOTATION, None)
    traffic = service.spec.traffic
    configuration = a.ConfigurationSpec(revision_template=template_down(service.spec.template))
    spec: a.ServiceSpec | None = None
    if form == "runLatest" and _run_latest_fits(traffic):
        spec = a.ServiceSpec(run_latest=a.RunLatestType(configuration=configuration))
    elif form == "pinned" and _pinned_fits(traffic):
        pinned = a.PinnedType(revision_name=traffic[0].revision_name, configuration=configuration)
        spec = a.ServiceSpec(pinned=pinned)
    elif form == "release" and (release := _release_from(traffic)) is not None:
        revisions, rollout = release
        spec = a.ServiceSpec(
            release=a.ReleaseType(
                revisions=revisions, rollout_percent=rollout or None, configuration=configuration
            )
        )
    elif form == "manual" and not traffic and service.spec.template == v1.RevisionTemplateSpec():
        spec = a.ServiceSpec(manual=a.ManualType())
    if spec is None:
        spec = a.ServiceSpec(template=template_down(service.spec.template), traffic=traffic)
        if form == "manual" and not traffic:
            # Manual with a template has no seed form: keep the record in the v1 shape.
            annotations[V1ALPHA1_FORM_ANNOTATION] = form
    return a.Service(
        metadata=_with_annotations(service.metadata, annotations),
        spec=spec,
        status=service_status_down(service.status),
    )


def _with_annotations(meta: ObjectMeta, annotations: dict[str, str]) -> ObjectMeta:
    if annotations == meta.annotations:
        return meta
    return meta.model_copy(update={"annotations": annotations})


# --- Configuration, Revision, Route ------------------------------------------------


def configuration_up(configuration: a.Configuration) -> v1.Configuration:
    """``spec.revisionTemplate`` becomes ``spec.template``."""
    return v1.Configuration(
        metadata=configuration.metadata,
        spec=v1.ConfigurationSpec(template=template_up(configuration.spec.revision_template)),
        status=configuration.status,
    )


def configuration_down(configuration: v1.Configuration) -> a.Configuration:
    """``spec.template`` becomes ``spec.revisionTemplate``."""
    return a.Configuration(
        metadata=configuration.metadata,
        spec=a.ConfigurationSpec(revision_template=template_down(configuration.spec.template)),
        status=configuration.status,
    )


def revision_up(revision: a.Revision) -> v1.Revision:
    """``spec.container`` becomes ``spec.containers[0]``."""
    return v1.Revision(
        metadata=revision.metadata, spec=revision_spec_up(revision.spec), status=revision.status
    )


def revision_down(revision: v1.Revision) -> a.Revision:
    """A single container renders as ``spec.container``."""
    return a.Revision(
        metadata=revision.metadata, spec=revision_spec_down(revision.spec), status=revision.status
    )


def route_up(route: a.Route) -> v1.Route:
    """Same traffic; status domains become URLs."""
    return v1.Route(
        metadata=route.metadata,
        spec=v1.RouteSpec(traffic=route.spec.traffic),
        status=route_status_up(route.status),
    )


def route_down(route: v1.Route) -> a.Route:
    """Same traffic; status URLs also give the domains and hostname."""
    return a.Route(
        metadata=route.metadata,
        spec=a.RouteSpec(traffic=route.spec.traffic),
        status=route_status_down(route.status),
    )
