"""Assembly: every ingress's EnvoyIngressConfig (+ TLS Secrets) → one Envoy snapshot.

``assemble`` is pure and deterministic. It walks the configs oldest first
(creation time, then namespace/name), so when two ingresses claim the same
host (or the same TLS server name) on a listener the older one keeps it and the
newer one is left out entirely and reported (``Problem``, reason
``DomainConflict``), as Kourier does. An ingress whose TLS Secret is missing or
incomplete is left out too (``TLSSecretMissing``). The result holds the four
route configurations, the listener plans (which HTTPS filter chains with which
certificates) and the clusters, plus which probe hash of which ingress it
serves, and a version hash of the Envoy content.

``Assembler`` does the same with a memory: each config's parsed fragment (its
virtual hosts, claims and content digest) is kept by the config's uid and
resourceVersion, so assembling again after one config changed parses and
hashes that one only; the walk that settles conflicts stays a cheap pass over
the cached claims. Its snapshots are exactly ``assemble``'s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kingress_envoy.names import (
    API_VERSION,
    KIND,
    LISTENERS,
    ListenerName,
    TLSListener,
    ingress_key,
)

Object = dict[str, Any]


class SecretError(ValueError):
    """A Secret is not a usable TLS Secret; the message says why."""


@dataclass(frozen=True, slots=True)
class TLSSecret:
    """A certificate chain and its private key, both PEM."""

    cert_chain: str
    private_key: str

    @classmethod
    def from_secret(cls, obj: Mapping[str, Any]) -> TLSSecret:
        """Read a ``kubernetes.io/tls`` Secret (``data`` base64, or ``stringData``)."""
        string_data = obj.get("stringData") or {}
        data = obj.get("data") or {}
        values = {}
        for key in ("tls.crt", "tls.key"):
            if key in string_data:
                values[key] = str(string_data[key])
            elif key in data:
                try:
                    values[key] = base64.b64decode(str(data[key]), validate=True).decode()
                except (binascii.Error, UnicodeDecodeError) as error:
                    raise SecretError(f"data[{key!r}] is not base64 PEM: {error}") from None
            else:
                raise SecretError(f"has no {key!r}")
        return cls(values["tls.crt"], values["tls.key"])

    @property
    def digest(self) -> str:
        """A fingerprint of the key pair (for versions; never the content itself)."""
        return hashlib.sha256((self.cert_chain + "\0" + self.private_key).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TLSChain:
    """One SNI filter chain of an HTTPS listener."""

    server_names: tuple[str, ...]
    secret: str
    tls: TLSSecret
    ingress: str


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    """A listener the gateway must run: which one, and its TLS filter chains (HTTPS only)."""

    name: ListenerName
    chains: tuple[TLSChain, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """An ingress left out of the snapshot, and why."""

    ingress: str
    hash: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvoySnapshot:
    """Everything Envoy serves, assembled from every ingress's fragments."""

    version: str
    listeners: tuple[ListenerPlan, ...]
    route_configs: tuple[Object, ...]
    clusters: tuple[Object, ...]
    #: ingress key (``namespace/name``) → the probe hash this snapshot serves for it.
    served: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def route_config(self, name: ListenerName) -> Object:
        """The route configuration of one listener."""
        return next(rc for rc in self.route_configs if rc["name"] == name.value)

    def listener(self, name: ListenerName) -> ListenerPlan | None:
        """The plan of one listener, if the snapshot has it."""
        return next((plan for plan in self.listeners if plan.name is name), None)

    def problem(self, key: str) -> Problem | None:
        """Why an ingress was left out, if it was."""
        return next((p for p in self.problems if p.ingress == key), None)


def empty_snapshot() -> EnvoySnapshot:
    """The snapshot of no ingress: HTTP listeners answering 404."""
    return assemble(())


@dataclass(frozen=True, slots=True)
class _Fragment:
    key: str
    hash: str
    order: tuple[int, str, str, str]
    virtual_hosts: Mapping[ListenerName, list[Object]]
    tls: list[Object]
    clusters: list[Object]
    #: The domains and TLS server names it claims per listener (see ``_claims``).
    claims: Mapping[ListenerName, frozenset[str]]
    #: A digest of what it puts into Envoy (virtual hosts and clusters), for the version.
    digest: str


def config_identity(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """The ingress an EnvoyIngressConfig is for: (namespace, name, probe hash).

    ``spec.ingress`` names it, falling back to the object's own metadata.
    """
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    ref = spec.get("ingress") or {}
    namespace = str(ref.get("namespace") or meta.get("namespace") or "default")
    name = str(ref.get("name") or meta.get("name") or "")
    return namespace, name, str(spec.get("probeHash") or "")


def _fragment(obj: Mapping[str, Any]) -> _Fragment | Problem:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    ref = spec.get("ingress") or {}
    namespace, name, hash_ = config_identity(obj)
    key = ingress_key(namespace, name)
    vhosts = spec.get("virtualHosts")
    if not name or not hash_ or not isinstance(vhosts, Mapping):
        return Problem(key, hash_, "InvalidConfig", f"{KIND} {key} has no usable spec")
    created = str(ref.get("creationTimestamp") or meta.get("creationTimestamp") or "")
    virtual_hosts = {ln: list(vhosts.get(ln.value) or []) for ln in LISTENERS}
    tls = list(spec.get("tls") or [])
    clusters = list(spec.get("clusters") or [])
    content: Object = {
        "virtual_hosts": {ln.value: virtual_hosts[ln] for ln in LISTENERS},
        "clusters": clusters,
    }
    return _Fragment(
        key=key,
        hash=hash_,
        order=(0 if created else 1, created, namespace, name),
        virtual_hosts=virtual_hosts,
        tls=tls,
        clusters=clusters,
        claims=_claims(virtual_hosts, tls),
        digest=_digest(content),
    )


def _digest(content: object) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claims(
    virtual_hosts: Mapping[ListenerName, list[Object]], tls: Iterable[Mapping[str, Any]]
) -> dict[ListenerName, frozenset[str]]:
    """The domains (and TLS server names, prefixed ``sni:``) a fragment wants per listener."""
    claims: dict[ListenerName, set[str]] = {ln: set() for ln in LISTENERS}
    for listener, vhosts in virtual_hosts.items():
        for vhost in vhosts:
            claims[listener].update(str(domain) for domain in vhost.get("domains", ()))
    for chain in tls:
        listener = TLSListener(chain["listener"]).listener
        claims[listener].update(f"sni:{n}" for n in chain.get("serverNames") or [""])
    return {ln: frozenset(names) for ln, names in claims.items()}


def _chains(
    fragment: _Fragment, secrets: Mapping[str, TLSSecret]
) -> list[tuple[ListenerName, TLSChain]] | Problem:
    chains = []
    for chain in fragment.tls:
        ref = str(chain.get("secretRef", ""))
        secret = secrets.get(ref)
        if secret is None:
            return Problem(
                fragment.key, fragment.hash, "TLSSecretMissing", f"TLS Secret {ref} was not found"
            )
        names = tuple(str(n) for n in chain.get("serverNames") or ())
        listener = TLSListener(chain["listener"]).listener
        chains.append((listener, TLSChain(names, ref, secret, fragment.key)))
    return chains


def _version(listeners: Iterable[ListenerPlan], included: Iterable[_Fragment]) -> str:
    """A digest of the Envoy content: the listener plans and, in order, the fragments merged.

    The route configurations and clusters are a function of which fragments
    were merged in which order, so their digests stand for them.
    """
    return _digest(
        {
            "listeners": [
                {
                    "name": plan.name.value,
                    "chains": [[list(c.server_names), c.secret, c.tls.digest] for c in plan.chains],
                }
                for plan in listeners
            ],
            "fragments": [fragment.digest for fragment in included],
        }
    )


def assemble(
    configs: Iterable[Mapping[str, Any]], secrets: Mapping[str, TLSSecret] | None = None
) -> EnvoySnapshot:
    """Merge EnvoyIngressConfigs (any other kind is ignored) into one snapshot. Pure."""
    return Assembler().assemble(configs, secrets)


@dataclass(frozen=True, slots=True)
class _Cached:
    """A config's fragment and what it was parsed from (all that ``_fragment`` reads)."""

    version: str
    created: object
    spec: object
    fragment: _Fragment | Problem


class Assembler:
    """``assemble`` that remembers each config's fragment, parsing only what changed.

    A config (by namespace and name) is parsed again when its resourceVersion
    changed and its spec or creation time did too: a status write (the
    runner's own, after each sync) changes the version, not the fragment. A
    config without a resourceVersion (not from a store, so perhaps changed in
    place) is parsed every time. Fragments of configs no longer passed in are
    forgotten at the end of each assembly, so the memory holds the current
    configs only.

    Stored objects are frozen, so the very object of the last assembly needs
    no look at all: when the configs come as many as last time, they are
    compared with the last ones place by place and only the places holding
    another object are looked at; the conflict walk is then skipped when it
    would decide the same, and the snapshot's lists are patched where the
    changed fragments sit. A split change among thousands of ingresses costs
    a few list copies and the changed config's parse.
    """

    def __init__(self) -> None:
        self._cached: dict[tuple[str, str], _Cached] = {}
        #: The last assembly's configs and their keys, place by place (their fragments are
        #: ``_last``'s), and whether every one was a stored config of this kind (then the
        #: places of the next assembly's configs can be compared with these).
        self._configs: list[Mapping[str, Any]] = []
        self._keys: list[tuple[str, str]] = []
        #: The last assembly's fragments (in the order given), Secrets and decision.
        self._last: tuple[list[_Fragment | Problem], dict[str, TLSSecret], _Included, list[Problem]]
        self._last = ([], {}, [], [])
        self._comparable = True
        self._layout = _lay_out([])

    def assemble(
        self, configs: Iterable[Mapping[str, Any]], secrets: Mapping[str, TLSSecret] | None = None
    ) -> EnvoySnapshot:
        """Merge EnvoyIngressConfigs into one snapshot, exactly as ``assemble`` does."""
        configs = list(configs)
        secrets = dict(secrets or {})
        compared = self._compare(configs)
        if compared is None:
            parsed = self._parse(configs)
            kept = self._same_decision(parsed, secrets, None)
        else:
            parsed, moved = compared
            kept = self._same_decision(parsed, secrets, moved)
        if kept is None:
            included, problems = _decide(parsed, secrets)
            layout = _lay_out(included)
        else:
            included, problems, swaps = kept
            patched = _patch(self._layout, included, swaps) if swaps else self._layout
            layout = patched or _lay_out(included)
        self._last, self._layout = (parsed, secrets, included, problems), layout
        return _snapshot(layout, problems)

    def _entry(self, obj: Mapping[str, Any]) -> tuple[tuple[str, str], _Cached] | None:
        """A stored config's key and entry (the last one's fragment when only its version
        changed); ``None`` for a config without a resourceVersion."""
        meta = obj.get("metadata") or {}
        version = str(meta.get("resourceVersion") or "")
        if not version:
            return None
        key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        created, spec = meta.get("creationTimestamp"), obj.get("spec")
        entry = self._cached.get(key)
        if entry is None or entry.created != created:
            entry = _Cached(version, created, spec, _fragment(obj))
        elif entry.version != version:
            same = entry.spec is spec or entry.spec == spec
            entry = _Cached(version, created, spec, entry.fragment if same else _fragment(obj))
        return key, entry

    def _parse(self, configs: list[Mapping[str, Any]]) -> list[_Fragment | Problem]:
        """Every config's fragment, looked at one by one."""
        cached: dict[tuple[str, str], _Cached] = {}
        parsed: list[_Fragment | Problem] = []
        keys: list[tuple[str, str]] = []
        for obj in configs:
            if obj.get("kind") != KIND or obj.get("apiVersion") != API_VERSION:
                continue
            found = self._entry(obj)
            if found is None:
                parsed.append(_fragment(obj))
                continue
            key, entry = found
            cached[key] = entry
            keys.append(key)
            parsed.append(entry.fragment)
        self._cached, self._configs, self._keys = cached, configs, keys
        self._comparable = len(keys) == len(configs)
        return parsed

    def _compare(
        self, configs: list[Mapping[str, Any]]
    ) -> tuple[list[_Fragment | Problem], list[int]] | None:
        """The fragments, looking only at the places holding another object than last time,
        and those places; ``None`` when the configs must be looked at one by one (another
        count, or a place now holding another config or one that is not a stored config)."""
        last = self._configs
        if not self._comparable or len(configs) != len(last):
            return None
        moved = [
            i for i, (obj, old) in enumerate(zip(configs, last, strict=True)) if obj is not old
        ]
        parsed = list(self._last[0])
        entries = []
        for index in moved:
            obj = configs[index]
            if obj.get("kind") != KIND or obj.get("apiVersion") != API_VERSION:
                return None
            found = self._entry(obj)
            if found is None or found[0] != self._keys[index]:
                return None
            entries.append(found)
            parsed[index] = found[1].fragment
        for key, entry in entries:
            self._cached[key] = entry
        self._configs = configs
        return parsed, moved

    def _same_decision(
        self,
        parsed: list[_Fragment | Problem],
        secrets: dict[str, TLSSecret],
        moved: list[int] | None,
    ) -> tuple[_Included, list[Problem], dict[int, _Fragment]] | None:
        """The last decision with the changed fragments in it, when they cannot change it,
        and which served fragments (by index) were swapped.

        That is when the same configs come in the same order with the same
        Secrets, and each changed one was served and claims, orders and names
        Secrets exactly as before (only its routes or clusters differ): the
        conflict walk would decide the same. ``None`` otherwise. ``moved``
        names the places that may differ (``None``: any).
        """
        before, old_secrets, included, problems = self._last
        if len(parsed) != len(before) or secrets != old_secrets:
            return None
        swaps: dict[int, _Fragment] = {}
        served = self._layout.index
        for place in range(len(parsed)) if moved is None else moved:
            item, last = parsed[place], before[place]
            if item is last:
                continue
            if not isinstance(item, _Fragment) or not isinstance(last, _Fragment):
                return None
            if (item.key, item.order, item.claims, item.tls) != (
                last.key,
                last.order,
                last.claims,
                last.tls,
            ):
                return None
            index = served.get(id(last))
            if index is None:
                return None
            swaps[index] = item
        substituted = list(included)
        for index, fragment in swaps.items():
            substituted[index] = (fragment, included[index][1])
        return substituted, problems, swaps


_Included = list[tuple[_Fragment, list[tuple[ListenerName, TLSChain]]]]


def _decide(
    parsed: Iterable[_Fragment | Problem], secrets: Mapping[str, TLSSecret]
) -> tuple[_Included, list[Problem]]:
    """Which fragments are served (oldest first, with their TLS chains) and which left out."""
    problems: list[Problem] = []
    fragments: list[_Fragment] = []
    for item in parsed:
        if isinstance(item, Problem):
            problems.append(item)
        else:
            fragments.append(item)
    fragments.sort(key=lambda f: f.order)

    owners: dict[ListenerName, dict[str, str]] = {ln: {} for ln in LISTENERS}
    included: _Included = []
    served: set[str] = set()
    for fragment in fragments:
        if fragment.key in served:
            problems.append(
                Problem(
                    fragment.key,
                    fragment.hash,
                    "DuplicateConfig",
                    f"two configs for {fragment.key}",
                )
            )
            continue
        claims = fragment.claims
        clash = sorted(
            (claim, owners[ln][claim])
            for ln in LISTENERS
            for claim in claims[ln] & owners[ln].keys()
        )
        if clash:
            claim, owner = clash[0]
            what = (
                f"TLS server name {claim[4:]!r}" if claim.startswith("sni:") else f"host {claim!r}"
            )
            problems.append(
                Problem(
                    fragment.key,
                    fragment.hash,
                    "DomainConflict",
                    f"Ingress rejected: {what} is already served by ingress {owner}",
                )
            )
            continue
        tls = _chains(fragment, secrets)
        if isinstance(tls, Problem):
            problems.append(tls)
            continue
        for ln in LISTENERS:
            owners[ln].update(dict.fromkeys(claims[ln], fragment.key))
        served.add(fragment.key)
        included.append((fragment, tls))
    return included, problems


@dataclass(frozen=True, slots=True)
class _Layout:
    """A build's lists, and where each served fragment's parts sit in them.

    A build whose served fragments are the last build's with some swapped for
    ones of the same shape (as many virtual hosts per listener, the same
    cluster names) patches copies of these lists (``_patch``) instead of
    walking every fragment again: a split change among thousands of ingresses
    costs a few list copies. Never changed once made (snapshots share them).
    """

    included: _Included
    vhosts: Mapping[ListenerName, list[Object]]
    #: For each served fragment (``included`` order): where its virtual hosts start, per listener.
    starts: list[tuple[int, ...]]
    #: Cluster name → the cluster served (the first fragment naming it gives it) and the
    #: index of that fragment.
    clusters: Mapping[str, tuple[Object, int]]
    #: The clusters in name order, and each name's place in it.
    ordered: tuple[Object, ...]
    places: Mapping[str, int]
    chains: Mapping[ListenerName, list[TLSChain]]
    #: Ingress key → probe hash served, sorted by key.
    served: Mapping[str, str]
    #: Each served fragment (by identity) → its index in ``included``.
    index: Mapping[int, int]


def _lay_out(included: _Included) -> _Layout:
    vhosts: dict[ListenerName, list[Object]] = {ln: [] for ln in LISTENERS}
    chains: dict[ListenerName, list[TLSChain]] = {ln: [] for ln in LISTENERS}
    starts: list[tuple[int, ...]] = []
    clusters: dict[str, tuple[Object, int]] = {}
    served: dict[str, str] = {}
    for index, (fragment, tls) in enumerate(included):
        starts.append(tuple(len(vhosts[ln]) for ln in LISTENERS))
        for ln in LISTENERS:
            vhosts[ln].extend(fragment.virtual_hosts[ln])
        for listener, chain in tls:
            chains[listener].append(chain)
        for cluster in fragment.clusters:
            clusters.setdefault(str(cluster["name"]), (cluster, index))
        served[fragment.key] = fragment.hash
    names = sorted(clusters)
    return _Layout(
        included=included,
        vhosts=vhosts,
        starts=starts,
        clusters=clusters,
        ordered=tuple(clusters[name][0] for name in names),
        places={name: place for place, name in enumerate(names)},
        chains=chains,
        served=dict(sorted(served.items())),
        index={id(fragment): index for index, (fragment, _) in enumerate(included)},
    )


def _patch(layout: _Layout, included: _Included, swaps: Mapping[int, _Fragment]) -> _Layout | None:
    """``_lay_out(included)``, where ``included`` is ``layout``'s with the fragments at the
    indexes of ``swaps`` replaced (same keys, claims and TLS); ``None`` when a replacement's
    shape differs, and the caller lays out afresh."""
    vhosts = {ln: list(layout.vhosts[ln]) for ln in LISTENERS}
    clusters = dict(layout.clusters)
    ordered = list(layout.ordered)
    served = dict(layout.served)
    index_of = dict(layout.index)
    for index, new in swaps.items():
        old = layout.included[index][0]
        if any(len(new.virtual_hosts[ln]) != len(old.virtual_hosts[ln]) for ln in LISTENERS):
            return None
        if [c["name"] for c in new.clusters] != [c["name"] for c in old.clusters]:
            return None
        for ln, start in zip(LISTENERS, layout.starts[index], strict=True):
            hosts = new.virtual_hosts[ln]
            vhosts[ln][start : start + len(hosts)] = hosts
        # Reversed: of two clusters of one name in a fragment, the first is served.
        for cluster in reversed(new.clusters):
            name = str(cluster["name"])
            if clusters[name][1] == index:
                clusters[name] = (cluster, index)
                ordered[layout.places[name]] = cluster
        served[new.key] = new.hash
        del index_of[id(old)]
        index_of[id(new)] = index
    return _Layout(
        included=included,
        vhosts=vhosts,
        starts=layout.starts,
        clusters=clusters,
        ordered=tuple(ordered),
        places=layout.places,
        chains=layout.chains,
        served=served,
        index=index_of,
    )


def _snapshot(layout: _Layout, problems: list[Problem]) -> EnvoySnapshot:
    route_configs = tuple(
        {"name": ln.value, "virtual_hosts": layout.vhosts[ln], "validate_clusters": False}
        for ln in LISTENERS
    )
    listeners = tuple(
        ListenerPlan(ln, tuple(sorted(layout.chains[ln], key=lambda c: (c.server_names, c.secret))))
        for ln in LISTENERS
        if not ln.is_tls or layout.chains[ln]
    )
    return EnvoySnapshot(
        version=_version(listeners, [fragment for fragment, _ in layout.included]),
        listeners=listeners,
        route_configs=route_configs,
        clusters=layout.ordered,
        served=layout.served,
        problems=tuple(sorted(problems, key=lambda p: p.ingress)),
    )
