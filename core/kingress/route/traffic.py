"""Resolving a Route's traffic block to Revisions (Knative's ``traffic`` package).

Each target names a Revision (``revisionName``), a Configuration
(``configurationName``: its ``latestReadyRevisionName``) or, with
``latestRevision: true`` on a Route a Service owns, the Service's Configuration
(same name as the Route's ``serving.knative.dev/service`` label). The result
groups the targets: every target goes to the default group ``""``, tagged
targets also to their tag's group.

Resolution is all-or-nothing: every target is looked at (so all references
are known and tracked), and if any is unresolvable the whole block is rejected
with one ``TargetError`` — a *failure* (something is missing or failed) wins
over an earlier *not yet ready*. Within a group, entries for the same Revision
merge (percentages add up) and a group with a single Revision gets 100%, so a
tag's URL always reaches its Revision. The flattened list for
``status.traffic`` merges entries with the same tag, Revision and
``latestRevision``.

Nothing here touches the cluster: Configurations and Revisions come from a
``TargetLookup``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from kingress.api.annotations import CONFIGURATION_LABEL, SERVICE_LABEL
from kingress.api.conditions import READY, ConditionStatus
from kingress.api.serving import Configuration, Revision, Route, TrafficTarget
from kingress.api.status import Status

DEFAULT_GROUP = ""


class ProtocolType(StrEnum):
    """What a Revision's container speaks (Knative's ``net.ProtocolType``)."""

    HTTP1 = "http1"
    H2C = "h2c"


def revision_protocol(revision: Revision) -> ProtocolType:
    """``h2c`` when the serving container's first port is named ``h2c``."""
    for container in revision.spec.containers:
        if container.ports:
            return ProtocolType.H2C if container.ports[0].name == "h2c" else ProtocolType.HTTP1
    return ProtocolType.HTTP1


def revision_is_ready(revision: Revision) -> bool:
    """Ready=True for the Revision's current generation (Knative's ``IsReady``)."""
    return revision.status.is_ready(revision.metadata.generation)


@dataclass(frozen=True, slots=True)
class RevisionTarget:
    """A traffic target flattened to one Revision."""

    tag: str
    revision_name: str
    #: The Configuration the Revision came from ("" if it has no such label).
    configuration_name: str
    latest_revision: bool
    percent: int
    protocol: ProtocolType = ProtocolType.HTTP1


@dataclass(frozen=True, slots=True)
class TrafficConfig:
    """A resolved traffic block."""

    #: Group name ("" = default, else the tag) → its Revisions, consolidated.
    groups: Mapping[str, tuple[RevisionTarget, ...]]
    #: The flattened targets for ``status.traffic`` (in spec order, merged).
    revision_targets: tuple[RevisionTarget, ...]

    @property
    def group_names(self) -> tuple[str, ...]:
        """Group names, sorted (the default group first)."""
        return tuple(sorted(self.groups))

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags, sorted."""
        return tuple(name for name in self.group_names if name)


class TargetError(Exception):
    """A target that cannot be routed to; marks ``AllTrafficAssigned``."""

    def __init__(self, reason: str, message: str, *, failure: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        #: True: something is missing or failed (False); else not ready yet (Unknown).
        self.failure = failure

    @property
    def status(self) -> ConditionStatus:
        """The status ``AllTrafficAssigned`` gets."""
        return ConditionStatus.FALSE if self.failure else ConditionStatus.UNKNOWN


class TrafficError(Exception):
    """A problem that is not about one target (``AllTrafficAssigned=Unknown``, ``Unknown``)."""


def _missing(kind: str, name: str) -> TargetError:
    message = f'{kind} "{name}" referenced in traffic not found.'
    return TargetError(f"{kind}Missing", message, failure=True)


def _ready_status(status: Status) -> ConditionStatus:
    condition = status.condition(READY)
    return condition.status if condition is not None else ConditionStatus.UNKNOWN


def _unready_configuration(config: Configuration) -> TargetError:
    name = config.metadata.name
    if _ready_status(config.status) is ConditionStatus.FALSE:
        message = f'Configuration "{name}" does not have any ready Revision.'
        return TargetError("RevisionMissing", message, failure=True)
    return TargetError(
        "RevisionMissing",
        f'Configuration "{name}" is waiting for a Revision to become ready.',
        failure=False,
    )


def _unready_revision(revision: Revision) -> TargetError:
    name = revision.metadata.name
    if _ready_status(revision.status) is ConditionStatus.FALSE:
        message = f'Revision "{name}" failed to become ready.'
        return TargetError("RevisionMissing", message, failure=True)
    return TargetError("RevisionMissing", f'Revision "{name}" is not yet ready.', failure=False)


def _not_owned(revision: Revision, service: str) -> TargetError | None:
    owner = revision.metadata.labels.get(SERVICE_LABEL)
    name = revision.metadata.name
    if owner == service:
        return None
    if not owner:
        message = f'Revision "{name}" does not belong to Service "{service}".'
    else:
        message = f'Revision "{name}" belongs to Service "{owner}", not Service "{service}".'
    return TargetError("RevisionNotOwned", message, failure=True)


class TargetLookup(Protocol):
    """Where resolution finds Configurations and Revisions (of the Route's namespace)."""

    def configuration(self, name: str) -> Configuration | None:
        """The Configuration, or None if it does not exist."""
        ...

    def revision(self, name: str) -> Revision | None:
        """The Revision, or None if it does not exist."""
        ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """What resolving a traffic block found."""

    #: The resolved block, or None when a target failed.
    config: TrafficConfig | None
    #: The deciding target error, if any.
    error: TargetError | None
    #: Every Configuration and Revision name looked at (found or not).
    configurations: frozenset[str] = field(default_factory=frozenset)
    revisions: frozenset[str] = field(default_factory=frozenset)


def configuration_of(target: TrafficTarget, route: Route) -> str:
    """The Configuration a non-revision target refers to (explicit, or the owning
    Service's for ``latestRevision``); raises ``TrafficError`` if there is none."""
    if target.configuration_name:
        return target.configuration_name
    service = route.metadata.labels.get(SERVICE_LABEL, "")
    if target.latest_revision and service:
        return service
    raise TrafficError(
        "a traffic target needs a revisionName or a configurationName "
        "(latestRevision alone works only on a Route a Service owns)"
    )


def resolve_traffic(route: Route, lookup: TargetLookup) -> Resolution:
    """Resolve ``route``'s (defaulted) traffic block; raises ``TrafficError`` for a
    target that names nothing."""
    builder = _Builder(route, lookup)
    for target in route.spec.traffic:
        builder.add(target)
    configurations = frozenset(builder.configurations)
    revisions = frozenset(builder.revisions)
    if builder.error is not None:
        return Resolution(None, builder.error, configurations, revisions)
    groups = {name: _consolidate(targets) for name, targets in builder.groups.items()}
    config = TrafficConfig(groups=groups, revision_targets=tuple(builder.flat))
    return Resolution(config, None, configurations, revisions)


class _Builder:
    def __init__(self, route: Route, lookup: TargetLookup) -> None:
        self.route = route
        self.lookup = lookup
        self.service = route.metadata.labels.get(SERVICE_LABEL, "")
        self.groups: dict[str, list[RevisionTarget]] = {}
        self.flat: list[RevisionTarget] = []
        self.configurations: set[str] = set()
        self.revisions: set[str] = set()
        self.error: TargetError | None = None

    def add(self, target: TrafficTarget) -> None:
        try:
            if target.revision_name:
                flattened = self._revision_target(target)
            else:
                flattened = self._configuration_target(target)
        except TargetError as error:
            # A failure always wins; otherwise the first problem is kept.
            if self.error is None or error.failure:
                self.error = error
            return
        self._add_flattened(flattened)

    def _configuration(self, name: str) -> Configuration:
        self.configurations.add(name)
        found = self.lookup.configuration(name)
        if found is None:
            raise _missing("Configuration", name)
        return found

    def _revision(self, name: str) -> Revision:
        self.revisions.add(name)
        found = self.lookup.revision(name)
        if found is None:
            raise _missing("Revision", name)
        return found

    def _configuration_target(self, target: TrafficTarget) -> RevisionTarget:
        name = configuration_of(target, self.route)
        config = self._configuration(name)
        latest = config.status.latest_ready_revision_name
        if not latest:
            raise _unready_configuration(config)
        revision = self._revision(latest)
        return _flatten(target, revision.metadata.name, name, revision)

    def _revision_target(self, target: TrafficTarget) -> RevisionTarget:
        revision = self._revision(target.revision_name)
        if self.service:
            not_owned = _not_owned(revision, self.service)
            if not_owned is not None:
                raise not_owned
        if not revision_is_ready(revision):
            raise _unready_revision(revision)
        config_name = revision.metadata.labels.get(CONFIGURATION_LABEL, "")
        if config_name:
            self._configuration(config_name)
        return _flatten(target, revision.metadata.name, config_name, revision)

    def _add_flattened(self, target: RevisionTarget) -> None:
        for index, seen in enumerate(self.flat):
            if (seen.tag, seen.revision_name, seen.latest_revision) == (
                target.tag,
                target.revision_name,
                target.latest_revision,
            ):
                self.flat[index] = replace(seen, percent=seen.percent + target.percent)
                break
        else:
            self.flat.append(target)
        self.groups.setdefault(DEFAULT_GROUP, []).append(target)
        if target.tag:
            self.groups.setdefault(target.tag, []).append(target)


def _flatten(
    target: TrafficTarget, revision_name: str, configuration_name: str, revision: Revision
) -> RevisionTarget:
    return RevisionTarget(
        tag=target.tag,
        revision_name=revision_name,
        configuration_name=configuration_name,
        latest_revision=bool(target.latest_revision),
        percent=target.percent or 0,
        protocol=revision_protocol(revision),
    )


def _consolidate(targets: list[RevisionTarget]) -> tuple[RevisionTarget, ...]:
    """Merge entries for the same Revision; a lone Revision gets 100%."""
    by_name: dict[str, RevisionTarget] = {}
    for target in targets:
        seen = by_name.get(target.revision_name)
        if seen is None:
            by_name[target.revision_name] = target
        else:
            by_name[target.revision_name] = replace(seen, percent=seen.percent + target.percent)
    merged = tuple(by_name.values())
    if len(merged) == 1:
        return (replace(merged[0], percent=100),)
    return merged
