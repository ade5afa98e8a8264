"""The ClusterIngress reconciler's side of host ownership: claims read from the cluster.

``HostOwnership`` connects the pure ``HostIndex`` (``hosts``) to stored
ClusterIngresses: it loads every ingress's claim on first use, works out what
an ingress wants (the hosts of its valid spec, when a backend serves its class
and it is not being deleted) and holds (its ``granted-hosts`` status
annotation), grants or refuses the hosts of the ingress being reconciled, and
maps a changed or deleted ingress to the ingresses waiting for its hosts.
Cluster-local names of another namespace are refused before the index is
asked. See ``hosts`` for the ownership rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pydantic

from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import ClusterIngress, IngressStatus
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.ingress.hosts import (
    Claim,
    HostIndex,
    claimed_hosts,
    granted_hosts,
    mentioned_hosts,
    reserved_namespace,
)
from kingress.ingress.pipeline import PreparedCache


def stored_status(raw: Object) -> IngressStatus:
    """The status as stored; an unparseable one counts as empty (it is rewritten)."""
    try:
        return IngressStatus.from_dict(raw.get("status") or {})
    except pydantic.ValidationError:
        return IngressStatus()


def created(raw: Object) -> str:
    """An object's ``creationTimestamp`` (empty when it has none)."""
    return str((raw.get("metadata") or {}).get("creationTimestamp") or "")


class HostOwnership:
    """Who owns which host, for the ClusterIngresses of one cluster."""

    def __init__(
        self,
        kind: Kind,
        cluster_domain: str,
        serves: Callable[[Object], bool],
        prepared: PreparedCache | None = None,
    ) -> None:
        """``serves(raw)``: whether a backend claims the class of the ingress ``raw``.

        ``prepared``: where stored ingresses are prepared (shared with the reconciler).
        """
        self.kind = kind
        self.cluster_domain = cluster_domain
        self.serves = serves
        self.prepared = prepared or PreparedCache()
        self.index = HostIndex()

    def load(self, cluster: Cluster) -> None:
        """Fill the index from every stored ingress, the first time only.

        Specs are not validated here (``loaded_claim``): the index verifies a
        claim through ``cluster`` when its wants come to matter.
        """
        if not self.index.loaded:

            def verify(ref: ObjectRef) -> Claim | None:
                try:
                    return self.claim(cluster.get(ref.kind, ref.namespace, ref.name))
                except NotFound:
                    return None

            self.index.load((self.loaded_claim(raw) for raw in cluster.list(self.kind)), verify)

    def loaded_claim(self, raw: Object) -> Claim:
        """``claim`` without validating the spec: unverified, wanting every host it mentions."""
        mentioned = mentioned_hosts(raw.get("spec"), self.cluster_domain)
        if mentioned is None or not self._claims_hosts(raw):
            return self.claim(raw)
        holds = granted_hosts(stored_status(raw))
        return Claim(ObjectRef.of(raw), created(raw), mentioned, holds, verified=False)

    def _claims_hosts(self, raw: Object) -> bool:
        """Whether the ingress claims hosts at all: one of ours, not being deleted."""
        return not (raw.get("metadata") or {}).get("deletionTimestamp") and self.serves(raw)

    def claim(self, raw: Object) -> Claim:
        """An ingress's claim as stored: what its valid spec names, what its status holds."""
        ref = ObjectRef.of(raw)
        holds = granted_hosts(stored_status(raw))
        if not self._claims_hosts(raw):
            return Claim(ref, created(raw), frozenset(), holds)
        try:
            ingress = self.prepared.prepare(raw).ingress
        except (ValidationError, pydantic.ValidationError):
            return Claim(ref, created(raw), frozenset(), holds)
        wants = claimed_hosts(ingress, self.cluster_domain)
        if self.reserved(wants, ref.namespace):
            wants = frozenset()
        return Claim(ref, created(raw), wants, holds)

    def reserved(self, hosts: Iterable[str], namespace: str) -> dict[str, str]:
        """The cluster-local names among ``hosts`` that belong to another namespace."""
        found = {host: reserved_namespace(host, self.cluster_domain) for host in hosts}
        return {host: ns for host, ns in found.items() if ns is not None and ns != namespace}

    def take(
        self, cluster: Cluster, raw: Object, ingress: ClusterIngress
    ) -> tuple[frozenset[str], dict[str, str]]:
        """What ``ingress`` (validated, stored as ``raw``) wants, and each host it may not have.

        Refused hosts come with why (``is reserved for namespace ns``, ``is
        already claimed by ClusterIngress ns/name``); with none refused, the
        wanted hosts are granted in the index at once. A reserved name makes
        the ingress want nothing (it blocks nobody).
        """
        ref = ObjectRef.of(raw)
        wants = claimed_hosts(ingress, self.cluster_domain)
        reserved = self.reserved(wants, ref.namespace)
        if reserved:
            return frozenset(), {h: f"is reserved for namespace {ns}" for h, ns in reserved.items()}
        claim = Claim(ref, created(raw), wants, granted_hosts(stored_status(raw)))
        blocked = self.index.grant(claim)
        if blocked:
            # An owner that no longer exists releases its hosts: look again without it.
            for owner in sorted(set(blocked.values())):
                try:
                    cluster.get(owner.kind, owner.namespace, owner.name)
                except NotFound:
                    self.index.remove(owner)
            blocked = self.index.grant(claim)
        return wants, {
            host: f"is already claimed by ClusterIngress {owner.namespace}/{owner.name}"
            for host, owner in blocked.items()
        }

    def waiting(self, raw: Object) -> list[ObjectRef]:
        """A watch mapper: a changed or deleted ingress maps to those waiting for its hosts."""
        if not self.index.loaded:
            return []
        claim = self.claim(raw)
        return self.index.waiting_for(claim.ref, claim.wants | claim.holds)
