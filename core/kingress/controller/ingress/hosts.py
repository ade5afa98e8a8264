"""Host ownership: one host is routed for one ClusterIngress, whatever other tenants write.

Two ClusterIngresses (two Routes, often of two tenants) may name the same host.
Whichever gateway config wins at the data plane, one tenant would receive the
other's traffic, so the core decides, before any backend translates, which
ingress a host belongs to; every other ingress naming it is rejected whole
(``DomainConflict``, nothing of it is applied and what it had applied is
removed), for every backend alike.

What an ingress *claims*: the hosts of its rules — ClusterLocal ones with
their short forms (``x.ns``, ``x.ns.svc``), which gateways also answer — and of
its TLS entries (a TLS host picks the certificate a gateway presents). A
cluster-local name, ``<x>.<ns>.svc.<cluster domain>`` or ``<x>.<ns>.svc``,
belongs to namespace ``<ns>`` by construction and is never granted to an
ingress of another namespace.

Who owns a claimed host, deterministically:

1. the ingress that *holds* it: it was granted the host and may be serving it
   (recorded in its status annotation ``granted-hosts``, so the decision
   survives a restart). An ingress keeps a host while it wants it, so nobody
   takes a host away from the ingress serving it by editing an older object;
2. when nobody holds it, the claimant that is oldest (``creationTimestamp``,
   then namespace and name) among those that are not themselves rejected for
   another host — a rejected ingress blocks nobody.

If two ingresses hold one host (two controllers raced), the older keeps it.
The ``HostIndex`` keeps every ingress's ``Claim`` in memory, loaded from the
cluster on first use and updated by every reconcile; it also remembers the
hosts an ingress gave up, so the ingresses waiting for them are reconciled again.

Loading does not validate every stored spec (at 10,000 ingresses that was a
third of a restart's ClusterIngress work, done again by each ingress's own
reconcile): a loaded claim wants every host its spec mentions
(``mentioned_hosts``, a superset of what it claims if the spec is valid) and
is marked unverified. The index verifies such a claim (``verify``: validate
the stored spec) the moment its wants decide something — another ingress
asking for a host nobody holds, or a released host's waiters being looked
for — and each ingress's reconcile replaces its own with an exact one. What
is held is read from the status, so it is exact from the start; in a settled
cluster every wanted host is held, and no claim needs verifying.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kingress.api.ingress import ClusterIngress, IngressStatus, Visibility
from kingress.cluster.index import Refs, add_ref, discard_ref, refs_in
from kingress.cluster.port import ObjectRef
from kingress.ingress.routing import expanded_hosts

#: Status annotation listing the hosts granted to the ingress (comma-separated, sorted).
GRANTED_HOSTS = "networking.internal.knative.dev/granted-hosts"


@dataclass(frozen=True, slots=True)
class Claim:
    """What one ClusterIngress wants and holds."""

    ref: ObjectRef
    #: ``metadata.creationTimestamp`` (RFC 3339, so it sorts as time).
    created: str
    #: Hosts its current spec claims (none while invalid, unclaimed or being deleted).
    wants: frozenset[str] = frozenset()
    #: Hosts granted to it, which objects applied for it may serve.
    holds: frozenset[str] = frozenset()
    #: Whether ``wants`` is exact; a claim loaded from an unvalidated spec wants
    #: every host the spec mentions until it is verified.
    verified: bool = True

    @property
    def order(self) -> tuple[str, str, str]:
        """First claimant first: oldest, then by namespace and name."""
        return (self.created, self.ref.namespace, self.ref.name)


def claimed_hosts(ingress: ClusterIngress, cluster_domain: str) -> frozenset[str]:
    """Every name ``ingress`` would be answered for: rule hosts (with short forms) and TLS hosts."""
    hosts: set[str] = {host for tls in ingress.spec.tls for host in tls.hosts}
    for rule in ingress.spec.rules:
        if rule.visibility == Visibility.CLUSTER_LOCAL:
            hosts.update(expanded_hosts(rule.hosts, cluster_domain))
        else:
            hosts.update(rule.hosts)
    return frozenset(hosts)


def mentioned_hosts(spec: object, cluster_domain: str) -> frozenset[str] | None:
    """Every host a stored spec names, with the short forms of cluster-local names.

    Read without parsing or validating, this is a superset of
    ``claimed_hosts`` of the spec once validated (validation and defaulting
    never add a host; an invalid spec claims none). ``None`` when the spec is
    not plain lists of string hosts, which only validation can judge.
    """
    if not isinstance(spec, dict):
        return None
    hosts: set[str] = set()
    for key in ("rules", "tls"):
        entries = spec.get(key) or []
        if not isinstance(entries, list):
            return None
        for entry in entries:
            named = (entry.get("hosts") or []) if isinstance(entry, dict) else None
            if not isinstance(named, list) or not all(type(host) is str for host in named):
                return None
            hosts.update(named)
    return frozenset(expanded_hosts(hosts, cluster_domain))


def reserved_namespace(host: str, cluster_domain: str) -> str | None:
    """The namespace a cluster-local name (``<x>.<ns>.svc[.<domain>]``) belongs to, if it is one."""
    for suffix in (f".svc.{cluster_domain}", ".svc"):
        if host.endswith(suffix):
            return host.removesuffix(suffix).rpartition(".")[2]
    return None


def granted_hosts(status: IngressStatus) -> frozenset[str]:
    """The hosts recorded in ``status`` as granted."""
    recorded = status.annotations.get(GRANTED_HOSTS, "")
    return frozenset(host for host in recorded.split(",") if host)


def record_granted_hosts(status: IngressStatus, hosts: Iterable[str]) -> IngressStatus:
    """``status`` recording exactly ``hosts`` as granted (the annotation dropped if none)."""
    annotations = {k: v for k, v in status.annotations.items() if k != GRANTED_HOSTS}
    if names := sorted(set(hosts)):
        annotations[GRANTED_HOSTS] = ",".join(names)
    return status.model_copy(update={"annotations": annotations})


#: Verifies a loaded claim: the ingress's exact claim, or ``None`` if it is gone.
Verify = Callable[[ObjectRef], Claim | None]


class HostIndex:
    """Every ClusterIngress's claim, and who owns each host; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[ObjectRef, Claim] | None = None
        self._verify: Verify | None = None
        #: host -> the ingresses that want or hold it.
        self._by_host: dict[str, Refs] = {}
        #: ingress -> hosts it stopped wanting or holding since it was last asked about.
        self._released: dict[ObjectRef, set[str]] = {}

    @property
    def loaded(self) -> bool:
        """Whether the index has been filled from the cluster."""
        with self._lock:
            return self._claims is not None

    def load(self, claims: Iterable[Claim], verify: Verify | None = None) -> None:
        """Fill the index (once; later calls are ignored).

        ``verify`` turns an unverified claim into the exact one; it is called
        with the index locked, so it must not use the index.
        """
        with self._lock:
            if self._claims is None:
                self._claims = {}
                self._verify = verify
                for claim in claims:
                    self._put(claim)

    def put(self, claim: Claim) -> None:
        """Record ``claim`` as the ingress's current one."""
        with self._lock:
            self._put(claim)

    def remove(self, ref: ObjectRef) -> None:
        """The ingress is gone: everything it wanted or held is released.

        Its deletion event carries its hosts, so nothing is kept to announce.
        """
        with self._lock:
            old = self._all().pop(ref, None)
            if old is not None:
                self._forget(ref, old.wants | old.holds)
            self._released.pop(ref, None)

    def grant(self, claim: Claim) -> dict[str, ObjectRef]:
        """Record ``claim`` and grant its wanted hosts, or say which belong to whom.

        Returns, for every wanted host owned by another ingress, that owner;
        when there is none, the hosts are added to the claim's holdings, at
        once, so no concurrent reconcile can be granted them too.
        """
        with self._lock:
            self._put(claim)
            blocked = self._blockers(claim, {})
            if not blocked:
                self._put(Claim(claim.ref, claim.created, claim.wants, claim.holds | claim.wants))
            return blocked

    def waiting_for(self, ref: ObjectRef, hosts: Iterable[str]) -> list[ObjectRef]:
        """Ingresses (not ``ref``) waiting for a host ``ref`` wants, holds, gave up or names.

        The hosts ``ref`` gave up since the last call are included (and forgotten).
        """
        with self._lock:
            claims = self._all()
            touched = set(hosts) | self._released.pop(ref, set())
            if (own := claims.get(ref)) is not None:
                touched |= own.wants | own.holds
            candidates = {other for host in touched for other in refs_in(self._by_host.get(host))}
            # A claim whose (possibly overstated) wants are all held waits for nothing.
            maybe = [
                o for o in sorted(candidates - {ref}) if not claims[o].wants <= claims[o].holds
            ]
            return [
                o for o in maybe if (c := self._exact(o)) is not None and not c.wants <= c.holds
            ]

    def _exact(self, ref: ObjectRef) -> Claim | None:
        """The claim of ``ref``, verified first if it was loaded unverified; None if gone.

        Verifying changes what the index knows, not what the ingress wants:
        the hosts only the overstated claim named are not "released".
        """
        claims = self._all()
        claim = claims.get(ref)
        if claim is None or claim.verified:
            return claim
        if self._verify is None:
            raise RuntimeError("an unverified claim was loaded without a way to verify it")
        exact = self._verify(ref)
        self._unlink(ref, claim.wants | claim.holds)
        del claims[ref]
        if exact is None:
            return None
        if not exact.verified:
            raise RuntimeError(f"verifying the claim of {ref} gave an unverified one")
        self._put(exact)
        return exact

    def _all(self) -> dict[ObjectRef, Claim]:
        if self._claims is None:
            raise RuntimeError("the host index is used before it was loaded")
        return self._claims

    def _put(self, claim: Claim) -> None:
        claims = self._all()
        old = claims.get(claim.ref)
        hosts = claim.wants | claim.holds
        if old is not None:
            self._forget(claim.ref, (old.wants | old.holds) - hosts)
        claims[claim.ref] = claim
        for host in hosts:
            add_ref(self._by_host, host, claim.ref)

    def _forget(self, ref: ObjectRef, hosts: Iterable[str]) -> None:
        hosts = set(hosts)
        if hosts:
            self._released.setdefault(ref, set()).update(hosts)
        self._unlink(ref, hosts)

    def _unlink(self, ref: ObjectRef, hosts: Iterable[str]) -> None:
        for host in hosts:
            discard_ref(self._by_host, host, ref)

    def _blockers(
        self, claim: Claim, memo: dict[ObjectRef, Mapping[str, ObjectRef]]
    ) -> dict[str, ObjectRef]:
        """Each wanted host of ``claim`` that another ingress owns, with that owner."""
        claims = self._all()
        blocked: dict[str, ObjectRef] = {}
        for host in sorted(claim.wants):
            others = [claims[ref] for ref in refs_in(self._by_host.get(host))]
            holders = [other for other in others if host in other.holds]
            if holders:
                owner = min(holders, key=lambda other: other.order)
                if owner.ref != claim.ref:
                    blocked[host] = owner.ref
                continue
            # Nobody holds it: the older claimants' wants decide, so they must be exact.
            exact = [self._exact(other.ref) for other in others if host in other.wants]
            older = [
                o for o in exact if o is not None and host in o.wants and o.order < claim.order
            ]
            for other in sorted(older, key=lambda other: other.order):
                if other.ref not in memo:
                    memo[other.ref] = self._blockers(other, memo)
                if not memo[other.ref]:
                    blocked[host] = other.ref
                    break
        return blocked
